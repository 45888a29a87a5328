import { z } from 'zod';
import { type Fen, formatYuan, nonNegativeFen } from '../../lib/money.js';

/**
 * The building blocks of a reward rule as registered definitions: each has a
 * code, a zod schema of its arguments, a check (or a selection) over plain
 * data, and words for members. The admin console renders its forms from
 * these (GET /api/admin/rewards/definitions), and adding a kind of condition
 * is adding one entry here — the engine does not change.
 */

export const triggers = ['onboarding_fee_paid', 'level_purchased', 'transaction_settled'] as const;
export type Trigger = (typeof triggers)[number];

export const triggerNames: Record<Trigger, string> = {
  onboarding_fee_paid: '入驻费',
  level_purchased: '等级购买',
  transaction_settled: '交易结算',
};

export const MAX_REACH = 3;
export type Generation = 1 | 2 | 3;
export const positionNames: Record<Generation, string> = { 1: '直推', 2: '间推', 3: '第3代' };

/** Performance figures the conditions read (net of refunds), fen. */
export interface PerformanceSnapshot {
  personalThisMonth: Fen;
  personalLastMonth: Fen;
  personalLifetime: Fen;
  teamThisMonth: Fen;
  teamLastMonth: Fen;
  teamLifetime: Fen;
}

/** Figures of a member without any (and what a snapshot stored without figures reads as). */
export const zeroPerformance: PerformanceSnapshot = {
  personalThisMonth: 0n,
  personalLastMonth: 0n,
  personalLifetime: 0n,
  teamThisMonth: 0n,
  teamLastMonth: 0n,
  teamLifetime: 0n,
};

/** A member as the engine sees it when an event is processed. */
export interface Person {
  memberId: number;
  levelId: number;
  levelName: string;
  rank: number;
  ratePpm: number;
  /** Account active and onboarding completed (entry fee paid). */
  active: boolean;
  performance: PerformanceSnapshot;
}

export interface RewardEvent {
  /** The outbox event id: the event's identity everywhere. */
  id: number;
  kind: Trigger;
  baseFen: Fen;
  memberId: number;
  occurredAt: Date;
  /** Platform-time-zone day (YYYY-MM-DD) and month (YYYY-MM-01) of occurredAt: the periods of caps. */
  day: string;
  month: string;
}

export interface ConditionVerdict {
  code: string;
  holds: boolean;
  /** In words, e.g. "本月团队业绩 ¥1,200.00 ≥ ¥1,000.00". */
  text: string;
}

export interface ConditionDefinition<A> {
  code: string;
  label: { zh: string; en: string };
  args: z.ZodType<A>;
  /** Reads performance figures: the shell loads them only when some condition does. */
  readsPerformance: boolean;
  check(args: A, who: Person, event: RewardEvent): ConditionVerdict;
  /** For members, in words. */
  describe(args: A, rankName: (rank: number) => string): string;
}

const periodSchema = z.enum(['this_month', 'last_month', 'lifetime']);
type Period = z.infer<typeof periodSchema>;
const periodNames: Record<Period, string> = { this_month: '本月', last_month: '上月', lifetime: '累计' };
const yuan = (fen: Fen) => `¥${formatYuan(fen)}`;

function figure(p: PerformanceSnapshot, scope: 'personal' | 'team', period: Period): Fen {
  if (scope === 'personal') return period === 'this_month' ? p.personalThisMonth : period === 'last_month' ? p.personalLastMonth : p.personalLifetime;
  return period === 'this_month' ? p.teamThisMonth : period === 'last_month' ? p.teamLastMonth : p.teamLifetime;
}

const verdict = (code: string, holds: boolean, text: string): ConditionVerdict => ({ code, holds, text: `${text}${holds ? '' : '（未满足）'}` });
const define = <A>(d: ConditionDefinition<A>) => d as ConditionDefinition<unknown>;

export const conditionDefinitions: readonly ConditionDefinition<unknown>[] = [
  define({
    code: 'active',
    label: { zh: '已激活（已缴入驻费且账户正常）', en: 'Active (entry fee paid, account in good standing)' },
    args: z.object({}).strict(),
    readsPerformance: false,
    check: (_a, who) => verdict('active', who.active, who.active ? '已激活' : '未激活'),
    describe: () => '您已激活',
  }),
  define({
    code: 'min_level_rank',
    label: { zh: '最低等级', en: 'Minimum level' },
    args: z.object({ rank: z.number().int().min(1).max(1_000_000) }).strict(),
    readsPerformance: false,
    check: (a: { rank: number }, who) => verdict('min_level_rank', who.rank >= a.rank, `等级「${who.levelName}」(${who.rank}) ≥ ${a.rank}`),
    describe: (a: { rank: number }, rankName) => `您的等级不低于「${rankName(a.rank)}」`,
  }),
  define({
    code: 'min_personal_performance',
    label: { zh: '个人业绩不低于', en: 'Personal performance at least' },
    args: z.object({ period: periodSchema, minFen: nonNegativeFen }).strict(),
    readsPerformance: true,
    check: (a: { period: Period; minFen: Fen }, who) => {
      const v = figure(who.performance, 'personal', a.period);
      return verdict('min_personal_performance', v >= a.minFen, `${periodNames[a.period]}个人业绩 ${yuan(v)} ≥ ${yuan(a.minFen)}`);
    },
    describe: (a: { period: Period; minFen: Fen }) => `${periodNames[a.period]}个人业绩不低于 ${yuan(a.minFen)}`,
  }),
  define({
    code: 'min_team_performance',
    label: { zh: '团队业绩不低于', en: 'Team performance at least' },
    args: z.object({ period: periodSchema, minFen: nonNegativeFen }).strict(),
    readsPerformance: true,
    check: (a: { period: Period; minFen: Fen }, who) => {
      const v = figure(who.performance, 'team', a.period);
      return verdict('min_team_performance', v >= a.minFen, `${periodNames[a.period]}团队业绩 ${yuan(v)} ≥ ${yuan(a.minFen)}`);
    },
    describe: (a: { period: Period; minFen: Fen }) => `${periodNames[a.period]}团队业绩不低于 ${yuan(a.minFen)}`,
  }),
  define({
    code: 'min_increment',
    label: { zh: '月度增量不低于', en: 'Monthly increment at least' },
    args: z.object({ scope: z.enum(['personal', 'team']), minFen: nonNegativeFen }).strict(),
    readsPerformance: true,
    check: (a: { scope: 'personal' | 'team'; minFen: Fen }, who) => {
      const v = figure(who.performance, a.scope, 'this_month') - figure(who.performance, a.scope, 'last_month');
      return verdict('min_increment', v >= a.minFen, `${a.scope === 'personal' ? '个人' : '团队'}月度增量 ${yuan(v)} ≥ ${yuan(a.minFen)}`);
    },
    describe: (a: { scope: 'personal' | 'team'; minFen: Fen }) => `${a.scope === 'personal' ? '个人' : '团队'}本月业绩比上月增加不少于 ${yuan(a.minFen)}`,
  }),
  define({
    code: 'min_base_amount',
    label: { zh: '单笔金额不低于（事件）', en: 'Event amount at least' },
    args: z.object({ minFen: nonNegativeFen }).strict(),
    readsPerformance: false,
    check: (a: { minFen: Fen }, _who, event) => verdict('min_base_amount', event.baseFen >= a.minFen, `单笔金额 ${yuan(event.baseFen)} ≥ ${yuan(a.minFen)}`),
    describe: (a: { minFen: Fen }) => `单笔金额不低于 ${yuan(a.minFen)}`,
  }),
];

export const conditionByCode = new Map(conditionDefinitions.map((d) => [d.code, d]));

/** Who a rule may pay, among the ancestors within reach (nearest first). */
export interface RecipientDefinition<A> {
  code: string;
  label: { zh: string; en: string };
  args: z.ZodType<A>;
  /** The generations it looks at, nearest first (within reach). */
  generations(args: A, reach: number): Generation[];
  /** Whether it stops at the first ancestor that passes (one payout at most). */
  firstOnly: boolean;
  /** An extra requirement on the person besides the rule's conditions, with its verdict. */
  requirement?(args: A, who: Person): ConditionVerdict;
  describe(args: A, rankName: (rank: number) => string, reach: number): string;
  /** Ancestors it may pay at most (the worst case of a rule set). */
  maxRecipients(args: A, reach: number): number;
}

const gens = (reach: number) => ([1, 2, 3] as Generation[]).filter((g) => g <= reach);
const defineRecipient = <A>(d: RecipientDefinition<A>) => d as RecipientDefinition<unknown>;

export const recipientDefinitions: readonly RecipientDefinition<unknown>[] = [
  defineRecipient({
    code: 'ancestor',
    label: { zh: '指定代数的上级', en: 'The ancestor of one generation' },
    args: z.object({ generation: z.number().int().min(1).max(MAX_REACH) }).strict(),
    generations: (a: { generation: number }, reach) => (a.generation <= reach ? [a.generation as Generation] : []),
    firstOnly: true,
    describe: (a: { generation: number }) => `您是其${positionNames[a.generation as Generation]}上级`,
    maxRecipients: (a: { generation: number }, reach) => (a.generation <= reach ? 1 : 0),
  }),
  defineRecipient({
    code: 'nearest_ancestor_with_level',
    label: { zh: '最近的达到等级的上级', en: 'The nearest ancestor at a level or higher' },
    args: z.object({ minRank: z.number().int().min(1).max(1_000_000) }).strict(),
    generations: (_a, reach) => gens(reach),
    firstOnly: true,
    requirement: (a: { minRank: number }, who) => verdict('recipient_rank', who.rank >= a.minRank, `等级「${who.levelName}」(${who.rank}) ≥ ${a.minRank}`),
    describe: (a: { minRank: number }, rankName, reach) => `您是其${reach}代以内最近的「${rankName(a.minRank)}」及以上等级上级`,
    maxRecipients: () => 1,
  }),
  defineRecipient({
    code: 'each_ancestor',
    label: { zh: '3代以内的每个上级', en: 'Each ancestor within reach' },
    args: z.object({}).strict(),
    generations: (_a, reach) => gens(reach),
    firstOnly: false,
    describe: (_a, _rankName, reach) => `您是其${reach}代以内的上级`,
    maxRecipients: (_a, reach) => reach,
  }),
];

export const recipientByCode = new Map(recipientDefinitions.map((d) => [d.code, d]));

/** ppm as a percentage, without trailing zeros: 5000 → "0.5%". */
export function formatPpm(ppm: number): string {
  const whole = Math.trunc(ppm / 10_000);
  const frac = (ppm % 10_000).toString().padStart(4, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}%` : `${whole}%`;
}
