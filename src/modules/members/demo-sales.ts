import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import type { FieldCipher } from '../../lib/crypto.js';
import { AppError } from '../../lib/errors.js';
import type { Fen } from '../../lib/money.js';
import { zonedMidnight } from '../../lib/zoned-time.js';
import { systemAuditContext } from '../audit/audit.service.js';
import { bindMerchant, createChannel, getChannel } from '../channels/channels.service.js';
import { ingestRecords, MAX_BATCH, type PushRecord } from '../channels/ingest.service.js';
import { shiftMonth } from '../performance/performance.service.js';
import { type DemoMember, type Rng, rngOf } from './demo-network.js';

/**
 * A year of sales at the active demo shops, planned as data (pure and seeded,
 * like the network) and delivered the way a channel partner delivers them:
 * a push channel, merchant references bound to members, and batches of
 * records through the ingest service. Ingest writes the outbox events; the
 * server's consumers turn them into rewards and performance, month by month
 * of the sale, exactly as for pushed sales.
 */

export const DEMO_CHANNEL_ID = 'demo';
export const DEMO_CHANNEL_NAME = '演示收单通道';
/** Written into the channel's config, so a channel somebody else called "demo" is never used. */
const SEEDED_BY = 'seed-demo';
const SALES_SEED = 20_261;
export const DEMO_SALES_MONTHS = 12;
/** A shop's sales in a month before its weight, the season and the network's growth; tuned for about 6,000 in all. */
const BASE_SALES = 2.9;
export const MIN_DEMO_SALE_FEN = 2_000n;
export const MAX_DEMO_SALE_FEN = 300_000n;
const REFUND_SHARE = 0.018;

/** What a shop of each trade sells in one payment: a typical ticket (yuan) and how spread out, and how often. */
const TRADES: Record<string, { median: number; spread: number; frequency: number }> = {
  餐饮: { median: 48, spread: 0.6, frequency: 1.5 },
  零售: { median: 60, spread: 0.7, frequency: 1.3 },
  生鲜果蔬: { median: 45, spread: 0.6, frequency: 1.3 },
  烘焙甜品: { median: 55, spread: 0.7, frequency: 1.1 },
  茶饮咖啡: { median: 90, spread: 0.9, frequency: 1.0 },
  美容美发: { median: 150, spread: 0.8, frequency: 0.8 },
  五金建材: { median: 260, spread: 1.0, frequency: 0.6 },
  服装鞋帽: { median: 280, spread: 0.7, frequency: 0.7 },
  母婴用品: { median: 170, spread: 0.8, frequency: 0.8 },
  汽车服务: { median: 380, spread: 0.9, frequency: 0.6 },
  生活服务: { median: 70, spread: 0.8, frequency: 0.9 },
  数码通讯: { median: 450, spread: 0.9, frequency: 0.5 },
};
const DEFAULT_TRADE = TRADES['零售']!;
/** The six fixed members run the busiest shops (张记茶庄 first). */
const FIXED_WEIGHTS = [6, 4, 2.5, 2.5, 3, 2.5];
/** Calendar months, January first: a quiet Spring Festival, busy holidays and year end. */
const SEASON = [1.1, 0.78, 0.95, 1, 1.02, 1, 0.96, 0.97, 1.02, 1.1, 1.06, 1.15];
/** Hours of the day: breakfast, lunch and dinner peaks, nothing at night. */
const HOURS = [0, 0, 0, 0, 0, 0, 0.1, 0.5, 1.1, 1.3, 1.5, 2.5, 2.8, 1.8, 1.2, 1.2, 1.4, 2.1, 2.6, 2.4, 1.7, 1.1, 0.5, 0.15];

export interface DemoMerchant {
  phone: string;
  /** The acquirer's merchant number: 898 + the district code + the phone's last six digits. */
  ref: string;
}

/** One record as the channel pushes it, and when it happened (for ordering). */
export interface DemoSale extends PushRecord {
  at: number;
}

const formOf = (m: DemoMember) => {
  const step = m.steps.find((s) => s.do === 'save');
  return step?.do === 'save' ? step.fields : {};
};

export function demoMerchantOf(m: DemoMember): DemoMerchant {
  const district = formOf(m).licenceNo?.slice(2, 8) ?? '330106';
  return { phone: m.phone, ref: `898${district}${m.phone.slice(-6)}` };
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
function localDay(at: Date, timeZone: string): string {
  let f = dayFormatters.get(timeZone);
  if (!f) dayFormatters.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(at);
}

/** A standard normal draw (Box-Muller). */
const normal = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

/** A payment in fen: log-normal around the trade's ticket (drawn again outside ¥20-¥3,000), mostly whole yuan or jiao like real prices. */
function amountOf(rng: Rng, trade: { median: number; spread: number }): bigint {
  let fen = 0n;
  while (fen < MIN_DEMO_SALE_FEN || fen > MAX_DEMO_SALE_FEN) fen = BigInt(Math.floor(trade.median * Math.exp(trade.spread * normal(rng)) * 100));
  const style = rng.int(100);
  if (style < 55) return fen - (fen % 100n);
  if (style < 80) return fen - (fen % 10n);
  return fen;
}

/**
 * The sales and refunds of the active demo members (`sellers`, by phone) in
 * the 12 calendar months up to the day before `anchor` (the current month
 * up to yesterday), in time order. Each member's records come from its own
 * seeded stream, so the ids (DEMO-<last four digits of the phone>-<n>, a
 * refund adds -R) and contents depend only on the plan, the anchor and the
 * time zone: a later run re-plans the same records and pushes only what is
 * missing.
 */
export function planDemoSales(plan: readonly DemoMember[], sellers: ReadonlySet<string>, anchor: Date, timeZone: string): DemoSale[] {
  // The window ends with the last whole day before the anchor (yesterday), and spans 12 calendar months up to it.
  const today = localDay(anchor, timeZone);
  const yesterday = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1, Number(today.slice(8, 10)) - 1)).toISOString().slice(0, 10);
  const lastMonth = `${yesterday.slice(0, 7)}-01`;
  const midnights = new Map<string, number>();
  const midnight = (day: string) => {
    let t = midnights.get(day);
    if (t === undefined) midnights.set(day, (t = zonedMidnight(day, timeZone).getTime()));
    return t;
  };
  const out: DemoSale[] = [];
  for (const [index, m] of plan.entries()) {
    if (!sellers.has(m.phone)) continue;
    const rng = rngOf((SALES_SEED ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    const fixed = index < FIXED_WEIGHTS.length;
    const trade = TRADES[formOf(m).category ?? ''] ?? DEFAULT_TRADE;
    const weight = (fixed ? FIXED_WEIGHTS[index]! : Math.exp(0.7 * normal(rng))) * trade.frequency;
    // Months ago the shop started taking payments here: the earlier half of the network was already
    // selling before the window opens, later members started in the months since.
    const started = fixed ? DEMO_SALES_MONTHS + 6 : Math.max(0, Math.floor(((DEMO_SALES_MONTHS - 1) * 2 * (plan.length - index)) / plan.length + (rng.next() - 0.7) * 4 + 0.5));
    const start = Math.min(DEMO_SALES_MONTHS - 1, started);
    const merchant = demoMerchantOf(m).ref;
    const id = `DEMO-${m.phone.slice(-4)}`;
    let seq = 0;
    for (let ago = start; ago >= 0; ago--) {
      const month = shiftMonth(lastMonth, -ago);
      const [y, mo] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
      const length = new Date(Date.UTC(y, mo, 0)).getUTCDate();
      const days = ago === 0 ? Number(yesterday.slice(8, 10)) : length;
      // Recent months are busier (the network grows); a new shop takes two months to get going.
      const growth = 0.5 + (0.5 * (DEMO_SALES_MONTHS - 1 - ago)) / (DEMO_SALES_MONTHS - 1);
      const ramp = [0.4, 0.75][started - ago] ?? 1;
      const expected = BASE_SALES * weight * growth * ramp * SEASON[mo - 1]! * (days / length) * (0.75 + 0.5 * rng.next());
      const count = Math.floor(expected + rng.next());
      // Weekends are busier.
      const dayWeights = Array.from({ length: days }, (_, d) => ([0, 6].includes(new Date(Date.UTC(y, mo - 1, d + 1)).getUTCDay()) ? 1.3 : 1));
      for (let k = 0; k < count; k++) {
        const day = `${month.slice(0, 8)}${String(1 + rng.weighted(dayWeights)).padStart(2, '0')}`;
        const at = midnight(day) + (rng.weighted(HOURS) * 3600 + rng.int(3600)) * 1000 + rng.int(1000);
        const amount = amountOf(rng, trade);
        const txnId = `${id}-${String(++seq).padStart(4, '0')}`;
        out.push({ at, channel_txn_id: txnId, merchant_ref: merchant, amount_fen: amount.toString(), status: 'settled', occurred_at: new Date(at).toISOString() });
        if (!rng.chance(REFUND_SHARE)) continue;
        // A refund a little later: whole, or part of it (a returned item), never more than the sale.
        const refundAt = at + (1800 + rng.int(6 * 86_400)) * 1000;
        const refund = rng.chance(0.6) ? amount : (amount * BigInt(20 + rng.int(61))) / 100n;
        if (refundAt >= anchor.getTime() || refund < 1n) continue;
        out.push({ at: refundAt, channel_txn_id: `${txnId}-R`, merchant_ref: merchant, amount_fen: refund.toString(), status: 'refunded', occurred_at: new Date(refundAt).toISOString(), original_txn_id: txnId });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at || (a.channel_txn_id < b.channel_txn_id ? -1 : 1));
}

/**
 * The demo push channel, created on the first run. Its creation time anchors
 * the plan, so every later run plans the same year of sales.
 */
async function demoChannel(db: Db, cipher: FieldCipher): Promise<Date> {
  const audit = systemAuditContext(SEEDED_BY);
  let channel = await getChannel(db, cipher, DEMO_CHANNEL_ID);
  if (!channel) {
    // Nobody pushes with this secret (seed-demo calls the service directly); rotate it in the console to push more.
    const secret = crypto.randomBytes(24).toString('base64url');
    channel = await createChannel(db, cipher, audit, { id: DEMO_CHANNEL_ID, kind: 'push', name: DEMO_CHANNEL_NAME, enabled: true, config: { seededBy: SEEDED_BY }, secrets: { pushSecrets: [secret] } });
  }
  if (channel.kind !== 'push' || channel.config.seededBy !== SEEDED_BY) {
    throw new AppError('CONFLICT', `seed-demo: a channel "${DEMO_CHANNEL_ID}" exists that seed-demo did not create; it leaves it alone`);
  }
  const [row] = await queryRows<{ created_at: string | Date }>(db, sql`select created_at from channels where id = ${DEMO_CHANNEL_ID}`);
  return new Date(row!.created_at);
}

/**
 * Binds each active demo member's merchant number on the demo channel and
 * pushes the planned records that are not stored yet, in time order and in
 * batches as a partner would. Returns how many records were pushed.
 */
export async function seedDemoSales(db: Db, cipher: FieldCipher, timeZone: string, plan: readonly DemoMember[], ids: ReadonlyMap<string, number>): Promise<number> {
  const memberIds = [...ids.values()];
  if (memberIds.length === 0) return 0;
  // Only members whose entry fee is paid (the application is active) sell.
  const active = await queryRows<{ id: number | string }>(db, sql`
    select a.member_id as id from onboarding_applications a join members m on m.id = a.member_id
    where a.state = 'active' and m.status = 'active' and a.member_id = any(${`{${memberIds.join(',')}}`}::bigint[])`);
  const activeIds = new Set(active.map((r) => Number(r.id)));
  const sellers = plan.filter((m) => activeIds.has(ids.get(m.phone) ?? -1));
  if (sellers.length === 0) return 0;

  const anchor = await demoChannel(db, cipher);
  const bound = new Set(
    (await queryRows<{ merchant_ref: string }>(db, sql`select merchant_ref from channel_merchants where channel_id = ${DEMO_CHANNEL_ID}`)).map((r) => r.merchant_ref),
  );
  const audit = systemAuditContext(SEEDED_BY);
  for (const m of sellers) {
    const { ref } = demoMerchantOf(m);
    if (!bound.has(ref)) await bindMerchant(db, audit, DEMO_CHANNEL_ID, ref, ids.get(m.phone)!);
  }

  const stored = new Set(
    (await queryRows<{ channel_txn_id: string }>(db, sql`select channel_txn_id from channel_transactions where channel_id = ${DEMO_CHANNEL_ID}`)).map((r) => r.channel_txn_id),
  );
  const missing = planDemoSales(plan, new Set(sellers.map((m) => m.phone)), anchor, timeZone).filter((r) => !stored.has(r.channel_txn_id));
  for (let i = 0; i < missing.length; i += MAX_BATCH) {
    const batch = missing.slice(i, i + MAX_BATCH).map(({ at: _at, ...record }) => record);
    const results = await ingestRecords(db, DEMO_CHANNEL_ID, batch);
    const refused = results.find((r) => r.result !== 'accepted');
    if (refused) throw new AppError('INTERNAL', `seed-demo: demo sale ${refused.channel_txn_id} was not accepted (${refused.result}${refused.message ? `: ${refused.message}` : ''})`);
  }
  return missing.length;
}

export interface DemoSalesSummary {
  sales: number;
  salesFen: Fen;
  refunds: number;
  refundsFen: Fen;
  merchants: number;
  /** Calendar months (platform time zone) with sales, and the first and last of them as YYYY-MM. */
  months: number;
  firstMonth: string | null;
  lastMonth: string | null;
}

/** The demo members' sales on the demo channel, as stored. */
export async function describeDemoSales(db: Db, memberIds: number[], timeZone: string): Promise<DemoSalesSummary> {
  const [r] = await queryRows<{ sales: number; sales_fen: string; refunds: number; refunds_fen: string; merchants: number; months: number; first: string | null; last: string | null }>(db, sql`
    select count(*) filter (where status = 'settled')::int as sales,
      coalesce(sum(amount) filter (where status = 'settled'), 0)::text as sales_fen,
      count(*) filter (where status = 'refunded')::int as refunds,
      coalesce(sum(amount) filter (where status = 'refunded'), 0)::text as refunds_fen,
      count(distinct member_id)::int as merchants,
      count(distinct to_char(occurred_at at time zone ${timeZone}, 'YYYY-MM')) filter (where status = 'settled')::int as months,
      to_char(min(occurred_at) filter (where status = 'settled') at time zone ${timeZone}, 'YYYY-MM') as first,
      to_char(max(occurred_at) filter (where status = 'settled') at time zone ${timeZone}, 'YYYY-MM') as last
    from channel_transactions
    where channel_id = ${DEMO_CHANNEL_ID} and state = 'applied' and member_id = any(${`{${memberIds.join(',')}}`}::bigint[])`);
  return {
    sales: Number(r!.sales),
    salesFen: BigInt(r!.sales_fen),
    refunds: Number(r!.refunds),
    refundsFen: BigInt(r!.refunds_fen),
    merchants: Number(r!.merchants),
    months: Number(r!.months),
    firstMonth: r!.first,
    lastMonth: r!.last,
  };
}
