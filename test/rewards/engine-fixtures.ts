import type { Fen } from '../../src/lib/money.js';
import { type PerformanceSnapshot, type Person, type RewardEvent, type Trigger, zeroPerformance } from '../../src/modules/rewards/definitions.js';
import { type Decision, type EngineInput, type EngineResult, type Payout, runEngine } from '../../src/modules/rewards/engine.js';
import { type RuleSet, ruleSetInput } from '../../src/modules/rewards/rule-set.js';

/**
 * Fixtures of the reward engine's hand-computed scenarios (engine-*.test.ts):
 * a four-level ladder, people, events and rule sets from JSON. Every amount in
 * those tests is worked out by hand in the comment next to it, in fen.
 */

/** The ladder: rank, rate. */
export const L = {
  basic: { levelId: 11, levelName: '普通', rank: 1, ratePpm: 20_000 }, // 2 %
  silver: { levelId: 12, levelName: '银牌', rank: 2, ratePpm: 40_000 }, // 4 %
  gold: { levelId: 13, levelName: '金牌', rank: 3, ratePpm: 80_000 }, // 8 %
  diamond: { levelId: 14, levelName: '钻石', rank: 4, ratePpm: 100_000 }, // 10 %
} as const;
export type LevelKey = keyof typeof L;

/** Performance high enough for any threshold in the condition cases. */
export const rich: PerformanceSnapshot = {
  personalThisMonth: 10_000_000n,
  personalLastMonth: 10_000_000n,
  personalLifetime: 10_000_000n,
  teamThisMonth: 10_000_000n,
  teamLastMonth: 10_000_000n,
  teamLifetime: 10_000_000n,
};

export function person(memberId: number, level: LevelKey, opts: { active?: boolean; perf?: Partial<PerformanceSnapshot> } = {}): Person {
  return { memberId, ...L[level], active: opts.active ?? true, performance: { ...zeroPerformance, ...opts.perf } };
}

export const DAY = '2025-03-15';
export const MONTH = '2025-03-01';

export function event(kind: Trigger, baseFen: Fen, occurredAt = new Date('2025-03-15T04:00:00Z')): RewardEvent {
  return { id: 501, kind, baseFen, memberId: 1, occurredAt, day: DAY, month: MONTH };
}

export type Json = Record<string, unknown>;

/** A rule set from JSON (fen as strings), with version 7; every ceiling 100 % unless given. */
export function ruleSet(over: Json = {}): RuleSet {
  const json: Json = {
    reach: 3,
    freezeDays: 7,
    ceilings: { onboarding_fee_paid: 1_000_000, level_purchased: 1_000_000, transaction_settled: 1_000_000 },
    memberCaps: { dailyFen: null, monthlyFen: null },
    rules: [],
    profitShare: { enabled: false, conditions: [], peer: { enabled: false, ppm: 0, minRank: 1 } },
    ...over,
  };
  return { ...ruleSetInput.parse(json), version: 7 };
}

export function rule(id: string, over: Json): Json {
  return { id, name: `奖-${id}`, trigger: 'onboarding_fee_paid', recipient: { code: 'ancestor', args: { generation: 1 } }, amount: { fixedFen: '0', ppm: 0 }, ...over };
}

export const profitShare = (peer: { ppm: number; minRank: number } | null = null, conditions: Json[] = []) => ({
  enabled: true,
  conditions,
  peer: peer ? { enabled: true, ...peer } : { enabled: false, ppm: 0, minRank: 1 },
});

export function run(set: RuleSet, ev: RewardEvent, member: Person, ancestors: Person[], usage: [string, Fen][] = []): { input: EngineInput; result: EngineResult } {
  const input: EngineInput = { event: ev, member, ancestors, ruleSet: set, usage: new Map(usage) };
  return { input, result: runEngine(input) };
}

/** Payouts as [memberId, generation, amount] for compact comparison. */
export const brief = (payouts: Payout[]) => payouts.map((p) => [p.memberId, p.generation, p.amountFen]);
export const reasons = (decisions: Decision[]) => decisions.map((d) => [d.memberId, d.generation, d.reason]);
export const sum = (payouts: Payout[]) => payouts.reduce((s, p) => s + p.amountFen, 0n);

/** Member 1 is the event's member; 2, 3, 4 its ancestors at generations 1, 2, 3. */

// ---------------------------------------------------------------- recipients and amounts
