/**
 * The shapes the dividend and settlement APIs answer with (fen as digit
 * strings, rates as ppm), and the words the console uses for them.
 */

export interface QualifiedDirects {
  min: number;
  minLevelRank: number | null;
  minPersonalFen: string | null;
}

export interface TierConditions {
  minTeamFen: string | null;
  minPersonalFen: string | null;
  qualifiedDirects: QualifiedDirects | null;
  /** May be negative: "the team may shrink by at most …". */
  minTeamIncrementFen: string | null;
}

export interface Tier {
  id: string;
  name: string;
  poolPpm: number;
  enabled: boolean;
  conditions: TierConditions;
}

export interface TiersView {
  version: number;
  note: string | null;
  savedAt: string;
  tiers: Tier[];
  descriptions: string[];
}

export interface TierVersionItem {
  version: number;
  note: string | null;
  savedAt: string;
  tiers: number;
}

export interface SettlementSettings {
  version: number;
  statisticsDay: number;
  statisticsTime: string;
  payByDay: number;
  approvalRequired: boolean;
  payInto: 'available' | 'frozen';
  freezeDays: number;
}

export type RunState = 'collecting' | 'preview' | 'approved' | 'paying' | 'paid' | 'cancelled';

export interface RunProgress {
  stage?: 'statistics' | 'preview' | 'payment' | 'done';
  done?: number;
  total?: number;
  startedAt?: string;
  updatedAt?: string;
}

export interface RunTier {
  tierId: string;
  name: string;
  poolPpm: number;
  poolFen: string;
  qualifiers: number;
  shareFen: string;
  remainderFen: string;
  paidFen: string;
  paidAt: string | null;
}

export interface Run {
  id: number;
  month: string;
  state: RunState;
  tiersVersion: number;
  volumeFen: string | null;
  payInto: 'available' | 'frozen';
  approvalRequired: boolean;
  progress: RunProgress;
  createdAt: string;
  previewAt: string | null;
  approvedAt: string | null;
  paidAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  payBy: string;
  late: boolean;
  tiers: RunTier[];
}

export interface Evidence {
  code: 'team' | 'personal' | 'qualified_directs' | 'team_increment' | string;
  holds: boolean;
  actual: string;
  required: string;
  text: string;
}

export interface Qualifier {
  tierId: string;
  memberId: number;
  displayName: string;
  phone: string;
  levelRank: number | null;
  shareFen: string;
  paid: boolean;
  evidence: Evidence[];
}

type T = (zh: string, en: string) => string;

/** A state's words and Tag colour. */
export function runStateMeta(state: RunState, t: T): { label: string; color: string } {
  switch (state) {
    case 'collecting':
      return { label: t('统计中', 'Collecting'), color: 'processing' };
    case 'preview':
      return { label: t('预览', 'Preview'), color: 'gold' };
    case 'approved':
      return { label: t('已审批', 'Approved'), color: 'cyan' };
    case 'paying':
      return { label: t('发放中', 'Paying'), color: 'blue' };
    case 'paid':
      return { label: t('已发放', 'Paid'), color: 'success' };
    case 'cancelled':
      return { label: t('已取消', 'Cancelled'), color: 'default' };
  }
}

export function payIntoLabel(payInto: 'available' | 'frozen', t: T): string {
  return payInto === 'frozen' ? t('冻结余额', 'Frozen balance') : t('可用余额', 'Available balance');
}

/** States in which the run's progress moves by itself, so the page polls. */
export const busyStates: readonly RunState[] = ['collecting', 'paying'];

/** States from which a run may still be cancelled (never once payment began). */
export const cancellableStates: readonly RunState[] = ['collecting', 'preview', 'approved'];

/** The payout day the run must be paid by: `payBy` is the end of that day, so the day is the instant just before. */
export function payByDay(payBy: string): string {
  return new Date(new Date(payBy).getTime() - 1).toISOString();
}

export const sumFen = (values: string[]): string => values.reduce((n, v) => n + BigInt(v), 0n).toString();

/** Total paid out when the run pays: every qualifier's equal share. */
export function runPayoutFen(run: Run): string {
  return sumFen(run.tiers.map((x) => (BigInt(x.shareFen) * BigInt(x.qualifiers)).toString()));
}

export function runPoolFen(run: Run): string {
  return sumFen(run.tiers.map((x) => x.poolFen));
}

export function runQualifiers(run: Run): number {
  return run.tiers.reduce((n, x) => n + x.qualifiers, 0);
}
