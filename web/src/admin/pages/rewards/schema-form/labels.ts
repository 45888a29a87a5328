/**
 * Words for the fields the schemas describe. The schemas carry structure and
 * constraints but no zh-CN labels, so labels live here by property name
 * (or by dotted path where the same name means different things). A field
 * missing here still renders, under its own name.
 */
type Words = { zh: string; en: string; helpZh?: string; helpEn?: string };

const fields: Record<string, Words> = {
  id: { zh: '规则编号', en: 'Rule ID', helpZh: '跨版本保持不变，封顶与统计按编号累计', helpEn: 'Stays the same across versions; caps and statistics follow it' },
  name: { zh: '规则名称', en: 'Name' },
  description: { zh: '说明（会员可见）', en: 'Description (shown to members)' },
  trigger: { zh: '触发事件', en: 'Trigger' },
  recipient: { zh: '发放对象', en: 'Recipient', helpZh: '在分润代数以内的上级中选择谁获得奖励', helpEn: 'Who among the ancestors within reach is paid' },
  amount: { zh: '发放金额', en: 'Amount', helpZh: '固定金额与比例可同时设置，两者相加发放', helpEn: 'A fixed amount and a rate may both be set; they are added' },
  fixedFen: { zh: '固定金额', en: 'Fixed amount' },
  'amount.ppm': { zh: '按事件金额比例', en: 'Share of the event amount' },
  conditions: { zh: '领取条件', en: 'Conditions', helpZh: '获得者需满足全部条件', helpEn: 'The recipient must meet all of them' },
  caps: { zh: '本规则封顶', en: 'Caps of this rule', helpZh: '每位会员从本规则获得的上限，留空为不限', helpEn: 'What one member can earn from this rule; empty = no cap' },
  dailyFen: { zh: '每日封顶', en: 'Daily cap' },
  monthlyFen: { zh: '每月封顶', en: 'Monthly cap' },
  priority: { zh: '优先级', en: 'Priority', helpZh: '数字越小越先计算；相同时按编号', helpEn: 'Lower runs first; then by ID' },
  enabled: { zh: '启用', en: 'Enabled' },
  effectiveFrom: { zh: '生效开始', en: 'Effective from', helpZh: '留空表示立即生效', helpEn: 'Empty = from now on' },
  effectiveUntil: { zh: '生效结束', en: 'Effective until', helpZh: '留空表示长期有效', helpEn: 'Empty = no end' },
  reach: { zh: '分润代数', en: 'Reach', helpZh: '关系奖励最多向上几代（1–3 代）', helpEn: 'How many upline generations payouts reach (1–3)' },
  freezeDays: { zh: '冻结天数', en: 'Freeze days', helpZh: '奖励入账后冻结多少天才可提现', helpEn: 'Days a payout stays frozen before it can be withdrawn' },
  ceilings: { zh: '单笔发放上限', en: 'Per-event ceilings', helpZh: '一笔事件的全部奖励合计不超过事件金额的该比例', helpEn: 'All payouts of one event together stay within this share of its amount' },
  memberCaps: { zh: '会员收益封顶', en: 'Member earnings caps', helpZh: '每位会员全部奖励合计的每日/每月上限，留空为不限', helpEn: "A member's total earnings per day / month; empty = no cap" },
  profitShare: { zh: '级差分润', en: 'Profit share', helpZh: '交易结算时，上级按自身与下级的分润比例差获得分润', helpEn: "On settled transactions, ancestors earn the difference between their rate and their downline's" },
  'profitShare.enabled': { zh: '启用级差分润', en: 'Profit share on' },
  'profitShare.conditions': { zh: '分润条件', en: 'Conditions', helpZh: '除已激活外的额外条件', helpEn: 'Besides being active' },
  peer: { zh: '平级奖', en: 'Peer bonus', helpZh: '上级与下级同级、拿不到级差时的奖励', helpEn: 'Paid when an ancestor is at the same level and gets no differential' },
  'profitShare.peer.enabled': { zh: '启用平级奖', en: 'Peer bonus on' },
  'profitShare.peer.ppm': { zh: '平级奖比例', en: 'Peer bonus rate' },
  'profitShare.peer.minRank': { zh: '最低等级', en: 'Minimum level' },
  generation: { zh: '代数', en: 'Generation', helpZh: '1 = 直推上级，2 = 间推上级，3 = 第 3 代', helpEn: '1 = direct, 2 = indirect, 3 = third generation' },
  minRank: { zh: '最低等级', en: 'Minimum level' },
  rank: { zh: '等级', en: 'Level' },
  period: { zh: '统计周期', en: 'Period' },
  minFen: { zh: '金额不低于', en: 'At least' },
  scope: { zh: '范围', en: 'Scope' },
  onboarding_fee_paid: { zh: '入驻费', en: 'Entry fee' },
  level_purchased: { zh: '等级购买', en: 'Level purchase' },
  transaction_settled: { zh: '交易结算', en: 'Settled transaction' },
};

const enums: Record<string, Record<string, { zh: string; en: string }>> = {
  period: { this_month: { zh: '本月', en: 'This month' }, last_month: { zh: '上月', en: 'Last month' }, lifetime: { zh: '累计', en: 'Lifetime' } },
  scope: { personal: { zh: '个人', en: 'Personal' }, team: { zh: '团队', en: 'Team' } },
  trigger: {
    onboarding_fee_paid: { zh: '入驻费', en: 'Entry fee paid' },
    level_purchased: { zh: '等级购买', en: 'Level purchased' },
    transaction_settled: { zh: '交易结算', en: 'Transaction settled' },
  },
};

/** Patterns the schemas carry, explained. */
const patterns: Record<string, Words> = {
  id: { zh: '只能使用小写字母、数字、_ 或 -，最多 40 个字符', en: 'Lowercase letters, digits, _ or -, at most 40 characters' },
};

type T = (zh: string, en: string) => string;

/** `path` is the dotted path without list indexes, e.g. "profitShare.peer.ppm". */
export function fieldWords(path: string, t: T): { label: string; help?: string } {
  const key = path.split('.').at(-1) ?? path;
  const w = fields[path] ?? fields[key];
  if (!w) return { label: key };
  return { label: t(w.zh, w.en), help: w.helpZh ? t(w.helpZh, w.helpEn ?? w.helpZh) : undefined };
}

export function enumWords(key: string, value: string, t: T, extra?: Record<string, Record<string, string>>): string {
  const w = enums[key]?.[value];
  if (w) return t(w.zh, w.en);
  return extra?.[key]?.[value] ?? value;
}

export function patternMessage(key: string, t: T): string {
  const w = patterns[key];
  return w ? t(w.zh, w.en) : t('格式不正确', 'Invalid format');
}
