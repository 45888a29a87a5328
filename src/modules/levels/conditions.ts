import { z } from 'zod';
import { formatYuan, type Fen, nonNegativeFen } from '../../lib/money.js';
import type { PerformanceFacts } from '../performance/figures.service.js';

/**
 * Level conditions (SPEC §4) as data, and the pure evaluator over a member's
 * facts. No database here: the same evaluation decides upgrades, downgrades
 * and the "progress to the next level" a member reads, and is tested on
 * plain objects.
 */

export const periods = ['this_month', 'last_month', 'lifetime'] as const;
export type Period = (typeof periods)[number];

export type Condition =
  | { kind: 'personal_performance'; period: Period; minFen: Fen }
  | { kind: 'team_performance'; period: Period; minFen: Fen; includeSelf: boolean }
  | { kind: 'direct_members'; min: number; minLevelRank: number | null }
  | { kind: 'increment'; scope: 'personal' | 'team'; minFen: Fen };
export type ConditionKind = Condition['kind'];

export interface ConditionSet {
  mode: 'all' | 'any';
  conditions: Condition[];
}

export const emptyConditionSet = (): ConditionSet => ({ mode: 'all', conditions: [] });

const count = z.number().int().min(0).max(1_000_000);

/** A condition as JSON (API bodies and stored ladders): money as fen strings, bigint after parsing. */
export const conditionInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('personal_performance'), period: z.enum(periods), minFen: nonNegativeFen }).strict(),
  z
    .object({
      kind: z.literal('team_performance'),
      period: z.enum(periods),
      minFen: nonNegativeFen,
      includeSelf: z.boolean().default(false).describe("count the member's own performance in the team figure"),
    })
    .strict(),
  z
    .object({
      kind: z.literal('direct_members'),
      min: count,
      minLevelRank: z.number().int().min(1).max(1_000_000).nullish().transform((v) => v ?? null).describe('count only direct members at this level rank or higher'),
    })
    .strict(),
  z.object({ kind: z.literal('increment'), scope: z.enum(['personal', 'team']), minFen: nonNegativeFen.describe('this month − last month, at least') }).strict(),
]);

export const conditionSetInput = z
  .object({
    mode: z.enum(['all', 'any']),
    conditions: z.array(conditionInput).max(20),
  })
  .strict();

/** The JSON form of a condition (what is stored and what responses carry). */
export const conditionJson = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('personal_performance'), period: z.enum(periods), minFen: z.string() }),
  z.object({ kind: z.literal('team_performance'), period: z.enum(periods), minFen: z.string(), includeSelf: z.boolean() }),
  z.object({ kind: z.literal('direct_members'), min: z.number(), minLevelRank: z.number().nullable() }),
  z.object({ kind: z.literal('increment'), scope: z.enum(['personal', 'team']), minFen: z.string() }),
]);
export const conditionSetJson = z.object({ mode: z.enum(['all', 'any']), conditions: z.array(conditionJson) });
export type ConditionJson = z.infer<typeof conditionJson>;
export type ConditionSetJson = z.infer<typeof conditionSetJson>;

export function encodeCondition(c: Condition): ConditionJson {
  switch (c.kind) {
    case 'personal_performance':
      return { kind: c.kind, period: c.period, minFen: c.minFen.toString() };
    case 'team_performance':
      return { kind: c.kind, period: c.period, minFen: c.minFen.toString(), includeSelf: c.includeSelf };
    case 'direct_members':
      return { kind: c.kind, min: c.min, minLevelRank: c.minLevelRank };
    case 'increment':
      return { kind: c.kind, scope: c.scope, minFen: c.minFen.toString() };
  }
}
export const encodeConditionSet = (s: ConditionSet): ConditionSetJson => ({ mode: s.mode, conditions: s.conditions.map(encodeCondition) });
export const decodeConditionSet = (stored: unknown): ConditionSet => conditionSetInput.parse(stored);

// ---------------------------------------------------------------- facts and evaluation

/** Everything a condition reads about one member. */
export interface LevelFacts {
  performance: PerformanceFacts;
  /** All direct members (直推). */
  directMembers: number;
  /** Direct members whose level rank is ≥ the key, for every rank a condition asks about. */
  directMembersAtRank: ReadonlyMap<number, number>;
}

export interface ConditionResult {
  condition: Condition;
  holds: boolean;
  current: bigint;
  target: bigint;
  unit: 'fen' | 'members';
}

export interface ConditionSetResult {
  mode: 'all' | 'any';
  holds: boolean;
  results: ConditionResult[];
}

function periodFigures(facts: PerformanceFacts, period: Period): { personal: Fen; team: Fen } {
  switch (period) {
    case 'this_month':
      return { personal: facts.thisMonth.personalNet, team: facts.thisMonth.teamNet };
    case 'last_month':
      return { personal: facts.lastMonth.personalNet, team: facts.lastMonth.teamNet };
    case 'lifetime':
      return { personal: facts.lifetime.personalNet, team: facts.lifetime.teamNet };
  }
}

export function evaluateCondition(c: Condition, facts: LevelFacts): ConditionResult {
  let current: bigint;
  let target: bigint;
  let unit: ConditionResult['unit'] = 'fen';
  switch (c.kind) {
    case 'personal_performance':
      current = periodFigures(facts.performance, c.period).personal;
      target = c.minFen;
      break;
    case 'team_performance': {
      const f = periodFigures(facts.performance, c.period);
      current = c.includeSelf ? f.team + f.personal : f.team;
      target = c.minFen;
      break;
    }
    case 'direct_members': {
      unit = 'members';
      target = BigInt(c.min);
      if (c.minLevelRank === null) current = BigInt(facts.directMembers);
      else {
        const n = facts.directMembersAtRank.get(c.minLevelRank);
        // A missing count would silently read as zero: the loader must fetch every rank the ladder asks about.
        if (n === undefined) throw new Error(`facts lack direct members at rank ≥ ${c.minLevelRank}`);
        current = BigInt(n);
      }
      break;
    }
    case 'increment':
      current = c.scope === 'personal' ? facts.performance.increment.personal : facts.performance.increment.team;
      target = c.minFen;
      break;
  }
  return { condition: c, holds: current >= target, current, target, unit };
}

/**
 * Evaluates a set. An empty set has no meaning of its own: for upgrades it
 * means "never by performance" (false), for keep conditions "nothing to keep"
 * (true), so the caller says which.
 */
export function evaluateConditionSet(set: ConditionSet, facts: LevelFacts, whenEmpty: boolean): ConditionSetResult {
  const results = set.conditions.map((c) => evaluateCondition(c, facts));
  const holds = results.length === 0 ? whenEmpty : set.mode === 'all' ? results.every((r) => r.holds) : results.some((r) => r.holds);
  return { mode: set.mode, holds, results };
}

/** Every level rank that some condition of these sets counts direct members at. */
export function ranksAskedAbout(sets: Iterable<ConditionSet>): number[] {
  const ranks = new Set<number>();
  for (const s of sets) for (const c of s.conditions) if (c.kind === 'direct_members' && c.minLevelRank !== null) ranks.add(c.minLevelRank);
  return [...ranks].sort((a, b) => a - b);
}

// ---------------------------------------------------------------- in words (zh-CN, for members)

const periodWords: Record<Period, string> = { this_month: '本月', last_month: '上月', lifetime: '累计' };
const yuan = (fen: Fen) => `¥${formatYuan(fen)}`;

export function describeCondition(c: Condition, levelNameOfRank: (rank: number) => string | undefined): string {
  switch (c.kind) {
    case 'personal_performance':
      return `${periodWords[c.period]}个人业绩不低于 ${yuan(c.minFen)}`;
    case 'team_performance':
      return `${periodWords[c.period]}团队业绩${c.includeSelf ? '（含本人）' : ''}不低于 ${yuan(c.minFen)}`;
    case 'direct_members':
      return c.minLevelRank === null
        ? `直推成员不少于 ${c.min} 人`
        : `${levelNameOfRank(c.minLevelRank) ?? `等级 ${c.minLevelRank}`}及以上的直推成员不少于 ${c.min} 人`;
    case 'increment':
      return `本月${c.scope === 'personal' ? '个人' : '团队'}业绩比上月增长不低于 ${yuan(c.minFen)}`;
  }
}

export function describeConditionSet(s: ConditionSet, levelNameOfRank: (rank: number) => string | undefined): { summary: string; items: string[] } {
  const items = s.conditions.map((c) => describeCondition(c, levelNameOfRank));
  if (items.length === 0) return { summary: '', items };
  if (items.length === 1) return { summary: items[0]!, items };
  return { summary: `${s.mode === 'all' ? '同时满足' : '满足任一'}：${items.join('；')}`, items };
}
