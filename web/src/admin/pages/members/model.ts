/**
 * The shapes the member APIs answer with (fen as digit strings, rates as
 * ppm) and the words the console uses for their codes.
 */

type T = (zh: string, en: string) => string;

export type MemberStatus = 'active' | 'suspended' | 'closed';

export interface AdminMember {
  id: number;
  /** In full for staff; the console masks it where it is only for recognising the person. */
  phone: string;
  displayName: string;
  status: MemberStatus;
  createdAt: string;
  /** Set while a login lock is in force. */
  lockedUntil: string | null;
  registrationIp: string | null;
  registrationDeviceId: string | null;
}

export interface LevelRef {
  id: number;
  name: string;
  rank: number;
  rateProfitSharePpm: number;
}

export interface MemberLevel {
  memberId: number;
  month: string;
  level: LevelRef & { enabled: boolean };
  since: string | null;
  cause: string | null;
  next: {
    level: LevelRef & { priceFen: string };
    byPerformance: boolean;
    mode: 'all' | 'any';
    summary: string;
    reached: boolean;
    conditions: { text: string; holds: boolean; current: string; target: string; unit: 'fen' | 'members' }[];
  } | null;
}

export interface LadderLevel extends LevelRef {
  enabled: boolean;
  priceFen: string;
}

export interface LevelChange {
  id: number;
  from: { id: number; name: string } | null;
  to: { id: number; name: string };
  cause: string;
  actorKind: string;
  actorId?: number | null;
  reason: string | null;
  orderId: number | null;
  at: string;
}

export interface TeamSummary {
  direct: number;
  indirect: number;
  total: number;
  perGeneration: { generation: number; count: number }[];
}

export interface TreeView {
  memberId: number;
  depth: number;
  /** From the top of the network down to the direct inviter. */
  upline: { memberId: number; displayName: string; generationsUp: number }[];
  team: TeamSummary;
}

export interface TeamMember {
  memberId: number;
  displayName: string;
  phone: string;
  status: string;
  generation: number;
  directCount: number;
  boundAt: string;
  level: { rank: number; name: string } | null;
}

export interface Binding {
  fromParentId: number | null;
  toParentId: number | null;
  via: string;
  actorKind: string;
  actorId: number | null;
  reason: string | null;
  at: string;
}

export interface Wallet {
  frozenFen: string;
  availableFen: string;
  withdrawingFen: string;
  debtFen: string;
  canWithdraw: boolean;
}

export interface StatementLine {
  id: number;
  at: string;
  type: string;
  typeLabel: string;
  account: string;
  accountLabel: string;
  amountFen: string;
  balanceAfterFen: string;
  debtRepaidFen: string;
  sourceType: string;
  sourceId: string;
  entryId: number;
  memo: string | null;
  /** For reward lines: each payout of the entry in words. */
  explanations: string[];
}

export interface RewardLine {
  id: number;
  eventId: number;
  trigger: string;
  /** rule | profit_share | peer */
  kind: string;
  ruleId: string | null;
  version: number;
  generation: number;
  position: string;
  baseFen: string;
  ratePpm: number;
  fixedFen: string;
  grossFen: string;
  amountFen: string;
  /** Caps that cut the payout; the line's text says them in words. */
  cuts: { kind: string; fen: string; roomFen: string }[];
  text: string;
  entryId: number;
  occurredAt: string;
  clawedBack: boolean;
}

export interface PerformanceMonth {
  month: string;
  personalSettledFen: string;
  personalRefundedFen: string;
  personalNetFen: string;
  personalSales: number;
  teamNetFen: string;
  teamWithSelfFen: string;
  teamActive: number;
  personalIncrementFen: string | null;
  teamIncrementFen: string | null;
}

const statusWords: Record<string, { zh: string; en: string; color: string }> = {
  active: { zh: '正常', en: 'Active', color: 'success' },
  suspended: { zh: '已暂停', en: 'Suspended', color: 'warning' },
  closed: { zh: '已注销', en: 'Closed', color: 'default' },
};

export function statusLabel(t: T, status: string): string {
  const w = statusWords[status];
  return w ? t(w.zh, w.en) : status;
}

export function statusColor(status: string): string {
  return statusWords[status]?.color ?? 'default';
}

const viaWords: Record<string, [string, string]> = {
  invite_code: ['填写邀请码', 'Invite code'],
  invite_link: ['邀请链接 / 海报', 'Invite link / poster'],
  staff_assign: ['员工指定上级', 'Assigned by staff'],
  staff_move: ['员工调整上级', 'Moved by staff'],
  root: ['顶层会员', 'Top of the network'],
};

export function viaLabel(t: T, via: string): string {
  const w = viaWords[via];
  return w ? t(w[0], w[1]) : via;
}

const causeWords: Record<string, [string, string, string]> = {
  purchase: ['购买升级', 'Purchased', 'gold'],
  performance: ['业绩达标', 'Performance', 'green'],
  downgrade: ['降级', 'Downgrade', 'orange'],
  staff: ['人工调整', 'Set by staff', 'purple'],
};

export function causeLabel(t: T, cause: string): string {
  const w = causeWords[cause];
  return w ? t(w[0], w[1]) : cause;
}

export function causeColor(cause: string): string {
  return causeWords[cause]?.[2] ?? 'default';
}

/** The statement's entry types, for its filter (the server labels each line too). */
export const entryTypes: { value: string; zh: string; en: string }[] = [
  { value: 'reward', zh: '奖励', en: 'Reward' },
  { value: 'credit', zh: '奖励入账', en: 'Credit' },
  { value: 'release', zh: '冻结期满解冻', en: 'Release' },
  { value: 'clawback', zh: '退款追回', en: 'Clawback' },
  { value: 'withdrawal_request', zh: '提现申请', en: 'Withdrawal request' },
  { value: 'withdrawal_reject', zh: '提现驳回退回', en: 'Withdrawal rejected' },
  { value: 'withdrawal_paid', zh: '提现到账', en: 'Withdrawal paid' },
  { value: 'withdrawal_failed', zh: '提现失败退回', en: 'Withdrawal failed' },
  { value: 'adjustment', zh: '调整', en: 'Adjustment' },
];

const triggerWords: Record<string, [string, string]> = {
  onboarding_fee_paid: ['入驻费', 'Entry fee'],
  level_purchased: ['等级购买', 'Level purchase'],
  transaction_settled: ['交易结算', 'Settled sale'],
};

export function triggerLabel(t: T, trigger: string): string {
  const w = triggerWords[trigger];
  return w ? t(w[0], w[1]) : trigger;
}
