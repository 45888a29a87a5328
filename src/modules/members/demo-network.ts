import zlib from 'node:zlib';
import { idCheckChar, usccCheckChar } from '../onboarding/identity.js';
import type { ApplicationInput } from '../onboarding/onboarding.service.js';
import type { ApplicationState, FileKind } from '../onboarding/onboarding.schema.js';
import type { BindingVia } from '../referrals/tree.service.js';

/**
 * The demo network as data: who invited whom, what each member registered
 * with, and the onboarding steps each one has taken. Pure and seeded, so
 * every run plans the same network and `seed-demo` can tell what is missing.
 * Phones are 13800000001… in registration order; the first six are the fixed
 * demo members at the top of the tree.
 */

export type DemoStep =
  | { do: 'save'; fields: Partial<ApplicationInput> }
  | { do: 'upload'; kinds: FileKind[] }
  | { do: 'submit' }
  | { do: 'review'; decision: 'approved' | 'rejected'; reason: string | null }
  | { do: 'order' }
  | { do: 'pay' };

export interface DemoMember {
  phone: string;
  displayName: string;
  /** Index of the inviter in the plan (always an earlier member); null for a root. */
  parent: number | null;
  via: BindingVia;
  ip: string;
  deviceId: string;
  /** Picks the look of the member's images. */
  imageVariant: number;
  steps: DemoStep[];
  /** Where the steps leave the application. */
  state: ApplicationState | 'none';
}

export const DEMO_NETWORK_SIZE = 400;
// Chosen among the first few hundred for a tree where each of the six leads a real team.
const SEED = 166;

const fixed = [
  { phone: '13800000001', displayName: '张记茶庄', legal: '张建国', male: true, trade: 4, region: 0, parent: null, capacity: 16 },
  { phone: '13800000002', displayName: '李家面馆', legal: '李秀英', male: false, trade: 0, region: 1, parent: null, capacity: 12 },
  { phone: '13800000003', displayName: '王氏水果', legal: '王海峰', male: true, trade: 2, region: 0, parent: 0, capacity: 6 },
  { phone: '13800000004', displayName: '赵记五金', legal: '赵志强', male: true, trade: 6, region: 0, parent: 0, capacity: 5 },
  { phone: '13800000005', displayName: '陈家烘焙', legal: '陈丽华', male: false, trade: 3, region: 1, parent: 1, capacity: 8 },
  { phone: '13800000006', displayName: '刘氏便利店', legal: '刘晓东', male: true, trade: 1, region: 2, parent: null, capacity: 6 },
] as const;

/** The members `seed-demo` always creates (the top of the demo network). */
export const demoMembers = fixed.map(({ phone, displayName }) => ({ phone, displayName }));

const words = (s: string) => s.split(' ');
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严武戴莫孔汤'];
const MALE = words('伟 强 磊 军 勇 杰 涛 明 超 刚 建国 志强 海峰 晓东 建华 鹏 辉 浩 俊杰 国庆 德明 文斌 永刚 宇航 子豪 振华 立新 春生 家豪 长青');
const FEMALE = words('芳 娜 敏 静 丽 艳 娟 霞 秀英 桂英 秀兰 玉兰 海燕 丹 萍 玲 春梅 婷 雪 佳怡 丽华 晓燕 美玲 雅琴 慧敏 淑珍 红梅 凤英 金花 思琪');
const BRANDS = words('鑫源 福满 惠民 顺发 聚源 佳佳 阳光 好邻居 金百合 新时代 一品 老街 味之道 万家 小巷');
const TRADES: { category: string; shops: string[]; weight: number }[] = [
  { category: '餐饮', shops: words('面馆 饺子馆 小吃店 川菜馆 烧烤店 火锅店 快餐店 米粉店 包子铺 麻辣烫'), weight: 5 },
  { category: '零售', shops: words('便利店 超市 百货店 烟酒店 杂货铺'), weight: 3 },
  { category: '生鲜果蔬', shops: words('水果店 生鲜店 蔬菜店 鲜肉铺'), weight: 2 },
  { category: '烘焙甜品', shops: words('烘焙坊 蛋糕店 甜品店'), weight: 1 },
  { category: '茶饮咖啡', shops: words('茶庄 奶茶店 咖啡馆 茶叶行'), weight: 2 },
  { category: '美容美发', shops: words('理发店 美发沙龙 美甲店 美容院'), weight: 2 },
  { category: '五金建材', shops: words('五金店 建材行 灯具店 水暖店'), weight: 1 },
  { category: '服装鞋帽', shops: words('服装店 鞋店 童装店'), weight: 1 },
  { category: '母婴用品', shops: words('母婴店 童趣馆'), weight: 1 },
  { category: '汽车服务', shops: words('汽车美容店 汽修店 洗车行'), weight: 1 },
  { category: '生活服务', shops: words('干洗店 照相馆 图文打印店 家政服务部'), weight: 1 },
  { category: '数码通讯', shops: words('手机店 数码店 电脑维修店'), weight: 1 },
];
/** province, city, then districts as "name:行政区划代码:roads". */
const REGIONS: [string, string, ...string[]][] = [
  ['浙江省', '杭州市', '西湖区:330106:文三路 教工路 古墩路 天目山路', '拱墅区:330105:湖墅南路 莫干山路 大关路', '上城区:330102:解放路 清泰街 望江路'],
  ['四川省', '成都市', '武侯区:510107:科华北路 玉林南路 武侯祠大街', '锦江区:510104:东大街 天仙桥北路 水井街', '金牛区:510106:营门口路 沙湾路 金府路'],
  ['湖南省', '长沙市', '岳麓区:430104:麓山南路 桐梓坡路 枫林一路', '芙蓉区:430102:五一大道 韶山北路 八一路', '天心区:430103:黄兴南路 书院路 劳动西路'],
  ['河南省', '郑州市', '金水区:410105:花园路 经三路 农业路', '二七区:410103:大学路 兴华南街 航海中路'],
  ['湖北省', '武汉市', '洪山区:420111:珞喻路 雄楚大道 卓刀泉路', '江汉区:420103:解放大道 新华路 青年路'],
  ['安徽省', '合肥市', '蜀山区:340104:长江西路 黄山路 潜山路', '包河区:340111:马鞍山路 望江东路 徽州大道'],
];
const BANKS: [string, string][] = [
  ['中国工商银行', '622202'], ['中国建设银行', '621700'], ['中国农业银行', '622848'], ['中国银行', '621661'], ['交通银行', '622262'],
  ['招商银行', '621483'], ['中国邮政储蓄银行', '621799'], ['兴业银行', '622909'], ['平安银行', '622155'],
];
const REJECTIONS: { reason: string; fix: (m: Person) => DemoStep }[] = [
  { reason: '营业执照照片模糊，无法辨认注册号，请重新拍摄上传', fix: () => ({ do: 'upload', kinds: ['licence'] }) },
  { reason: '门头照片与经营地址不符，请上传店铺门头实拍照片', fix: () => ({ do: 'upload', kinds: ['storefront'] }) },
  { reason: '结算账户名须与经营者姓名或商户名称一致', fix: (m) => ({ do: 'save', fields: { bankAccountName: m.form.legalName } }) },
  { reason: '身份证国徽面照片不完整，请保证四角都在画面内', fix: () => ({ do: 'upload', kinds: ['id_back'] }) },
];
const ALL_FILES: FileKind[] = ['licence', 'id_front', 'id_back', 'storefront'];

export type Rng = ReturnType<typeof rngOf>;
/** A small seeded PRNG (mulberry32) with the draws the demo data needs: the same stream on every machine. */
export function rngOf(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const weighted = (weights: readonly number[]) => {
    let r = next() * weights.reduce((s, w) => s + w, 0);
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]!) < 0) return i;
    return weights.length - 1;
  };
  const digits = (n: number) => Array.from({ length: n }, () => int(10)).join('');
  return { next, int, pick, weighted, digits, chance: (p: number) => next() < p };
}

interface Person {
  region: number;
  form: ApplicationInput;
}

/** Someone's shop: name, licence, legal person, address and settlement account, all well-formed. */
function person(rng: Rng, used: Set<string>, input: { phone: string; region: number; displayName?: string; legal?: string; male?: boolean; trade?: number }): Person & { displayName: string } {
  const [province, city, ...districts] = REGIONS[input.region]!;
  const [district, code, roads] = rng.pick(districts).split(':') as [string, string, string];
  const trade = TRADES[input.trade ?? rng.weighted(TRADES.map((t) => t.weight))]!;
  let displayName = input.displayName;
  while (!displayName || used.has(displayName)) {
    const shop = rng.pick(trade.shops);
    displayName = rng.chance(0.7) ? `${rng.pick(SURNAMES)}${rng.pick(['记', '家', '氏', '姐', '哥'])}${shop}` : `${rng.pick(BRANDS)}${shop}`;
  }
  used.add(displayName);
  const male = input.male ?? rng.chance(0.55);
  // 张记面馆 is usually run by a 张.
  const surname = SURNAMES.includes(displayName[0]!) && rng.chance(0.6) ? displayName[0]! : rng.pick(SURNAMES);
  const legalName = input.legal ?? `${surname}${rng.pick(male ? MALE : FEMALE)}`;
  let licenceNo = '';
  while (!licenceNo || used.has(licenceNo)) {
    const body = `92${code}MA${Array.from({ length: 7 }, () => rng.pick([...'0123456789ABCDEFGHJKLMNPQRTUWXY'])).join('')}`;
    licenceNo = body + usccCheckChar(body)!;
  }
  used.add(licenceNo);
  let idNumber = '';
  while (!idNumber || used.has(idNumber)) {
    const birth = new Date(Date.UTC(1966 + rng.int(34), 0, 1 + rng.int(365)));
    const body = `${code}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${rng.digits(2)}${2 * rng.int(5) + (male ? 1 : 0)}`;
    idNumber = body + idCheckChar(body)!;
  }
  used.add(idNumber);
  const [bank, bin] = rng.pick(BANKS);
  const businessName = `${city}${district}${displayName}`;
  return {
    region: input.region,
    displayName,
    form: {
      businessName,
      licenceNo,
      legalName,
      idNumber,
      contactPhone: rng.chance(0.8) ? input.phone : `1${rng.pick(['35', '39', '58', '86', '88'])}${rng.digits(8)}`,
      address: `${province}${city}${district}${rng.pick(words(roads))}${1 + rng.int(399)}号${rng.pick(['', '1楼', '临街商铺', '一层商铺', '底商'])}`,
      category: trade.category,
      // Most sole traders settle to the operator's own card; the rest to the shop's account.
      bankAccountName: rng.chance(0.7) ? legalName : businessName,
      bankName: `${bank}${city.replace('市', '')}${district.replace('区', '')}支行`,
      bankAccountNo: withLuhn(`${bin}${rng.digits(12)}`),
    },
  };
}

function withLuhn(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/** The steps that take a fresh application to `state`, optionally through one rejection first. */
function stepsTo(rng: Rng, state: ApplicationState | 'none', p: Person, rejectedOnce: boolean): DemoStep[] {
  if (state === 'none') return [];
  if (state === 'draft') {
    // Half-filled forms: what people leave behind when they stop halfway.
    const keys = (Object.keys(p.form) as (keyof ApplicationInput)[]).filter((k, i) => i < 2 || rng.chance(0.45));
    const fields = Object.fromEntries(keys.map((k) => [k, p.form[k]]));
    const kinds = ALL_FILES.filter(() => rng.chance(0.35));
    return [{ do: 'save', fields }, ...(kinds.length ? [{ do: 'upload' as const, kinds }] : [])];
  }
  const rejection = state === 'rejected' || rejectedOnce ? rng.pick(REJECTIONS) : null;
  // The account-name rejection needs a form that deserves it: settled to somebody else's card.
  const form = rejection?.reason.startsWith('结算账户名') ? { ...p.form, bankAccountName: `${rng.pick(SURNAMES)}${rng.pick(FEMALE)}` } : p.form;
  const steps: DemoStep[] = [{ do: 'save', fields: form }, { do: 'upload', kinds: ALL_FILES }, { do: 'submit' }];
  if (rejection) steps.push({ do: 'review', decision: 'rejected', reason: rejection.reason });
  if (state === 'rejected') return steps;
  if (rejection) steps.push(rejection.fix(p), { do: 'submit' });
  if (state === 'submitted') return steps;
  steps.push({ do: 'review', decision: 'approved', reason: null });
  if (state === 'approved') return steps;
  steps.push({ do: 'order' });
  if (state === 'fee_pending') return steps;
  return [...steps, { do: 'pay' }];
}

const VIAS = ['invite_link', 'invite_code', 'staff_assign'] as const;
const STATES = ['none', 'draft', 'submitted', 'rejected', 'approved', 'fee_pending', 'active'] as const;

/** Registration IPs from the documentation ranges (RFC 5737), one per member. */
const ipOf = (i: number) => (i < 254 ? `198.51.100.${i + 1}` : `203.0.113.${i - 253}`);

export function planDemoNetwork(size = DEMO_NETWORK_SIZE, seed = SEED): DemoMember[] {
  const rng = rngOf(seed);
  const used = new Set<string>();
  const people: (Person & { displayName: string })[] = [];
  const parent: (number | null)[] = [];
  const room: number[] = []; // invitations a member has yet to make
  const directs: number[] = [];
  const burst = 6; // the newest few: one IP, several on one device, for the risk checks

  for (const f of fixed) {
    people.push(person(rng, used, { phone: f.phone, region: f.region, displayName: f.displayName, legal: f.legal, male: f.male, trade: f.trade }));
    parent.push(f.parent);
    room.push(f.capacity);
    directs.push(0);
    if (f.parent !== null) {
      room[f.parent]!--;
      directs[f.parent]!++;
    }
  }
  for (let i = fixed.length; i < size; i++) {
    // Inviters are picked by the invitations they have left: a few prolific
    // promoters, many members who never invite anyone.
    let p: number;
    if (i > size - burst) p = parent[size - burst]!; // the burst signed up through one inviter's link
    else if (room.some((r) => r > 0)) p = rng.weighted(room.map((r) => Math.max(r, 0)));
    else p = i - 1 - rng.int(Math.min(i, 40));
    room[p]!--;
    directs[p]!++;
    parent.push(p);
    const u = rng.next();
    room.push(u < 0.5 ? 0 : u < 0.72 ? 1 : u < 0.84 ? 2 : u < 0.91 ? 3 : Math.min(30, 4 + Math.floor(2 / (1 - rng.next()) ** 0.9)));
    directs.push(0);
    // Invited members mostly live near their inviter.
    const region = rng.chance(0.85) ? people[p]!.region : rng.int(REGIONS.length);
    people.push(person(rng, used, { phone: phoneOf(i), region }));
  }

  const plan: DemoMember[] = people.map((m, i) => {
    const age = 1 - i / size; // 1 = among the first to register
    let state: (typeof STATES)[number];
    if (i < fixed.length) state = 'active';
    else if (i >= size - burst) state = (['submitted', 'draft', 'submitted', 'none', 'submitted', 'draft'] as const)[i - (size - burst)]!;
    else if (directs[i]! >= 2) state = rng.chance(0.85) ? 'active' : rng.pick(['approved', 'fee_pending', 'submitted'] as const);
    else state = STATES[rng.weighted([0.22 + 0.25 * (1 - age), 0.07 + 0.1 * (1 - age), 0.03 + 0.05 * (1 - age), 0.04, 0.03, 0.04, 0.12 + 0.4 * age])]!;
    return {
      phone: phoneOf(i),
      displayName: m.displayName,
      parent: parent[i]!,
      via: i < fixed.length ? 'invite_link' : VIAS[rng.weighted([65, 30, 5])]!,
      ip: i >= size - burst ? '192.0.2.66' : ipOf(i),
      deviceId: i >= size - 4 ? 'a3f1c9e07b2d4e58' : rng.digits(16),
      imageVariant: i % 8,
      steps: [],
      state,
    };
  });

  // Two submissions for the review queue to question: a licence already used by
  // an active shop, and a legal person who already runs one.
  const queued = [...plan.keys()].filter((i) => plan[i]!.state === 'submitted' && i > size / 2 && i < size - burst);
  const active = [...plan.keys()].filter((i) => plan[i]!.state === 'active' && i >= fixed.length);
  const [dupLicence, dupId] = [queued[0], queued[2]];
  if (dupLicence !== undefined) people[dupLicence]!.form.licenceNo = people[active[3]!]!.form.licenceNo;
  if (dupId !== undefined) {
    const other = people[active[7]!]!.form;
    Object.assign(people[dupId]!.form, { legalName: other.legalName, idNumber: other.idNumber, bankAccountName: other.legalName });
  }
  for (const [i, m] of plan.entries()) {
    // A few have been turned down once and come back with the fix.
    const rejectedOnce = i >= fixed.length && ['submitted', 'approved', 'active'].includes(m.state) && rng.chance(0.08);
    m.steps = stepsTo(rng, m.state, people[i]!, rejectedOnce);
  }
  return plan;
}

const phoneOf = (i: number) => `1380000${String(i + 1).padStart(4, '0')}`;

/**
 * A small PNG standing in for a photo of a licence, an ID card or a shop
 * front: flat drawn shapes, recognisable for what they stand for, ~1.2 KiB each.
 */
export function demoImage(kind: FileKind, variant: number): Buffer {
  const [w, h] = [240, 160];
  const px = Buffer.alloc(w * h * 3);
  const rect = (x: number, y: number, rw: number, rh: number, c: readonly number[]) => {
    for (let yy = Math.max(0, y); yy < Math.min(h, y + rh); yy++)
      for (let xx = Math.max(0, x); xx < Math.min(w, x + rw); xx++) px.set(c, (yy * w + xx) * 3);
  };
  const disc = (cx: number, cy: number, r: number, c: readonly number[]) => {
    for (let y = cy - r; y <= cy + r; y++) for (let x = cx - r; x <= cx + r; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) rect(x, y, 1, 1, c);
  };
  const rng = rngOf(variant * 31 + kind.length);
  const lines = (x: number, y: number, n: number, maxW: number) => {
    for (let i = 0; i < n; i++) rect(x, y + i * 12, 30 + rng.int(maxW - 30), 5, [120, 120, 120]);
  };
  const paper = [250, 246, 236];
  if (kind === 'licence') {
    rect(0, 0, w, h, [200, 60, 50]);
    rect(6, 6, w - 12, h - 12, paper);
    rect(80, 16, 80, 10, [60, 60, 60]);
    lines(20, 40, 8, 140);
    disc(196, 124, 20, [200, 40, 40]);
    disc(196, 124, 16, paper);
  } else if (kind === 'id_front' || kind === 'id_back') {
    rect(0, 0, w, h, [60, 64, 70]);
    rect(12, 14, w - 24, h - 28, [214, 230, 242]);
    if (kind === 'id_front') {
      rect(160, 30, 56, 70, [170, 180, 190]);
      disc(188, 56, 14, [110, 100, 95]);
      lines(24, 30, 6, 110);
      rect(24, 114, 190, 8, [90, 90, 90]);
    } else {
      disc(48, 50, 22, [210, 40, 40]);
      disc(48, 50, 12, [240, 200, 60]);
      rect(90, 36, 110, 12, [60, 60, 60]);
      lines(60, 96, 3, 150);
    }
  } else {
    const signs = [[200, 40, 40], [30, 110, 200], [40, 150, 80], [230, 140, 30], [130, 60, 160], [20, 140, 150], [180, 30, 90], [90, 90, 90]] as const;
    rect(0, 0, w, h, [196, 222, 240]);
    rect(0, 30, w, h - 30, [228, 222, 210]);
    rect(20, 38, w - 40, 30, signs[variant % signs.length]!);
    rect(40, 48, w - 80, 10, [250, 250, 240]);
    rect(90, 80, 60, 80, [80, 70, 60]);
    rect(24, 84, 50, 46, [160, 200, 225]);
    rect(166, 84, 50, 46, [160, 200, 225]);
  }
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) px.copy(raw, y * (w * 3 + 1) + 1, y * w * 3, (y + 1) * w * 3);
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body) >>> 0, body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const idat = zlib.deflateSync(raw);
  // Flat shapes compress to very little: a comment keeps the file above the upload minimum (1 KiB).
  const note = Buffer.from(`Comment\0Shanglian demo image (seed-demo): ${kind}`.padEnd(Math.max(0, 1200 - idat.length), ' '), 'latin1');
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('tEXt', note), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}
