import { describe, expect, it } from 'vitest';
import { type Fen, mulPpm } from '../../src/lib/money.js';
import type { PerformanceSnapshot, Person, RewardEvent, Trigger } from '../../src/modules/rewards/definitions.js';
import { type Decision, type EngineInput, type EngineResult, type Payout, runEngine, usageKey, verdictsFor } from '../../src/modules/rewards/engine.js';
import { type RuleSet, ruleSetInput, validateRuleSet, type ValidationContext, worstCases } from '../../src/modules/rewards/rule-set.js';

/**
 * Hand-computed scenarios of the reward engine (SPEC §6, §7, §9): every
 * amount below is worked out by hand in the comment next to it, in fen.
 */

// ---------------------------------------------------------------- fixtures

/** The ladder: rank, rate. */
const L = {
  basic: { levelId: 11, levelName: '普通', rank: 1, ratePpm: 20_000 }, // 2 %
  silver: { levelId: 12, levelName: '银牌', rank: 2, ratePpm: 40_000 }, // 4 %
  gold: { levelId: 13, levelName: '金牌', rank: 3, ratePpm: 80_000 }, // 8 %
  diamond: { levelId: 14, levelName: '钻石', rank: 4, ratePpm: 100_000 }, // 10 %
} as const;
type LevelKey = keyof typeof L;

const zeroPerformance: PerformanceSnapshot = {
  personalThisMonth: 0n,
  personalLastMonth: 0n,
  personalLifetime: 0n,
  teamThisMonth: 0n,
  teamLastMonth: 0n,
  teamLifetime: 0n,
};

/** Performance high enough for any threshold in the condition cases. */
const rich: PerformanceSnapshot = {
  personalThisMonth: 10_000_000n,
  personalLastMonth: 10_000_000n,
  personalLifetime: 10_000_000n,
  teamThisMonth: 10_000_000n,
  teamLastMonth: 10_000_000n,
  teamLifetime: 10_000_000n,
};

function person(memberId: number, level: LevelKey, opts: { active?: boolean; perf?: Partial<PerformanceSnapshot> } = {}): Person {
  return { memberId, ...L[level], active: opts.active ?? true, performance: { ...zeroPerformance, ...opts.perf } };
}

const DAY = '2025-03-15';
const MONTH = '2025-03-01';

function event(kind: Trigger, baseFen: Fen, occurredAt = new Date('2025-03-15T04:00:00Z')): RewardEvent {
  return { id: 501, kind, baseFen, memberId: 1, occurredAt, day: DAY, month: MONTH };
}

type Json = Record<string, unknown>;

/** A rule set from JSON (fen as strings), with version 7; every ceiling 100 % unless given. */
function ruleSet(over: Json = {}): RuleSet {
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

function rule(id: string, over: Json): Json {
  return { id, name: `奖-${id}`, trigger: 'onboarding_fee_paid', recipient: { code: 'ancestor', args: { generation: 1 } }, amount: { fixedFen: '0', ppm: 0 }, ...over };
}

const profitShare = (peer: { ppm: number; minRank: number } | null = null, conditions: Json[] = []) => ({
  enabled: true,
  conditions,
  peer: peer ? { enabled: true, ...peer } : { enabled: false, ppm: 0, minRank: 1 },
});

function run(set: RuleSet, ev: RewardEvent, member: Person, ancestors: Person[], usage: [string, Fen][] = []): { input: EngineInput; result: EngineResult } {
  const input: EngineInput = { event: ev, member, ancestors, ruleSet: set, usage: new Map(usage) };
  return { input, result: runEngine(input) };
}

/** Payouts as [memberId, generation, amount] for compact comparison. */
const brief = (payouts: Payout[]) => payouts.map((p) => [p.memberId, p.generation, p.amountFen]);
const reasons = (decisions: Decision[]) => decisions.map((d) => [d.memberId, d.generation, d.reason]);
const sum = (payouts: Payout[]) => payouts.reduce((s, p) => s + p.amountFen, 0n);

// Member 1 is the event's member; 2, 3, 4 its ancestors at generations 1, 2, 3.

// ---------------------------------------------------------------- recipients and amounts

describe('recipient: ancestor (one generation)', () => {
  const set = ruleSet({
    rules: [rule('gen2', { name: '间推入驻奖', recipient: { code: 'ancestor', args: { generation: 2 } }, amount: { fixedFen: '1000' }, conditions: [{ code: 'active' }] })],
  });

  it('pays exactly the generation-2 ancestor the fixed amount, nobody else', () => {
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'gold'), person(3, 'basic'), person(4, 'diamond')]);
    expect(brief(result.payouts)).toEqual([[3, 2, 1000n]]);
    const [p] = result.payouts;
    expect(p!.source).toEqual({ kind: 'rule', ruleId: 'gen2', ruleName: '间推入驻奖' });
    expect(p!.grossFen).toBe(1000n);
    expect(p!.cuts).toEqual([]);
    expect(p!.text).toContain('间推');
    expect(p!.text).toContain('间推入驻奖');
    expect(p!.text).toContain('(v7)');
    expect(p!.text).toContain('固定 ¥10.00');
    expect(reasons(result.decisions)).toEqual([[3, 2, 'paid']]);
    expect(result.totalFen).toBe(1000n);
    expect(result.version).toBe(7);
    expect(result.eventId).toBe(501);
  });

  it('if that ancestor fails a condition nobody is paid (not a nearer or farther one)', () => {
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'gold'), person(3, 'basic', { active: false }), person(4, 'diamond')]);
    expect(result.payouts).toEqual([]);
    expect(result.totalFen).toBe(0n);
    expect(reasons(result.decisions)).toEqual([[3, 2, 'conditions']]);
    expect(result.decisions[0]!.conditions).toEqual([expect.objectContaining({ code: 'active', holds: false })]);
    expect(result.decisions[0]!.text).toContain('未激活');
  });

  it('no ancestor at that generation: decision no_ancestor', () => {
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'gold')]);
    expect(result.payouts).toEqual([]);
    expect(reasons(result.decisions)).toEqual([[null, 2, 'no_ancestor']]);
  });
});

describe('recipient: nearest_ancestor_with_level', () => {
  // Rank ≥ 3 (金牌) and team this month ≥ ¥1,000; 1.5 % of ¥1,000.00 = 1500 fen.
  const set = ruleSet({
    rules: [
      rule('city', {
        name: '市级代理奖',
        trigger: 'level_purchased',
        recipient: { code: 'nearest_ancestor_with_level', args: { minRank: 3 } },
        amount: { ppm: 15_000 },
        conditions: [{ code: 'min_team_performance', args: { period: 'this_month', minFen: '100000' } }],
      }),
    ],
  });
  const ev = event('level_purchased', 100_000n);

  it('skips a nearer ancestor of too low a rank and a nearer gold one failing a condition; pays the next one that passes both', () => {
    const ancestors = [
      person(2, 'silver', { perf: { teamThisMonth: 900_000n } }), // rank 2 < 3
      person(3, 'gold', { perf: { teamThisMonth: 99_999n } }), // rank ok, team ¥999.99 < ¥1,000
      person(4, 'diamond', { perf: { teamThisMonth: 100_000n } }), // passes (equal is enough)
    ];
    const { result } = run(set, ev, person(1, 'basic'), ancestors);
    expect(brief(result.payouts)).toEqual([[4, 3, 1500n]]);
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'conditions'],
      [3, 2, 'conditions'],
      [4, 3, 'paid'],
    ]);
    const [d2, d3] = result.decisions;
    expect(d2!.conditions.find((c) => c.code === 'recipient_rank')!.holds).toBe(false);
    expect(d3!.conditions.find((c) => c.code === 'recipient_rank')!.holds).toBe(true);
    expect(d3!.conditions.find((c) => c.code === 'min_team_performance')!.holds).toBe(false);
    const text = result.payouts[0]!.text;
    expect(text).toContain('第3代');
    expect(text).toContain('市级代理奖');
    expect(text).toContain('(v7)');
    expect(text).toContain('¥1000.00 × 1.5%');
  });

  it('stops at the first one that passes: a farther qualifying ancestor is not looked at', () => {
    const ancestors = [person(2, 'gold', { perf: { teamThisMonth: 100_000n } }), person(3, 'diamond', { perf: { teamThisMonth: 100_000n } })];
    const { result } = run(set, ev, person(1, 'basic'), ancestors);
    expect(brief(result.payouts)).toEqual([[2, 1, 1500n]]);
    expect(reasons(result.decisions)).toEqual([[2, 1, 'paid']]);
    expect(result.payouts[0]!.text).toContain('直推');
  });

  it('nobody qualifies within reach: nobody paid', () => {
    const ancestors = [person(2, 'basic'), person(3, 'silver'), person(4, 'gold', { perf: { teamThisMonth: 5n } })];
    const { result } = run(set, ev, person(1, 'basic'), ancestors);
    expect(result.payouts).toEqual([]);
    expect(reasons(result.decisions).map((r) => r[2])).toEqual(['conditions', 'conditions', 'conditions']);
  });
});

describe('recipient: each_ancestor, amount fixed + ppm with flooring', () => {
  // ¥1.00 fixed + 15 % of ¥3.33: 100 + floor(333 × 150000 / 1e6) = 100 + floor(49.95) = 149.
  const each = (reach: number) =>
    ruleSet({
      reach,
      rules: [
        rule('team', {
          name: '团队奖',
          trigger: 'level_purchased',
          recipient: { code: 'each_ancestor' },
          amount: { fixedFen: '100', ppm: 150_000 },
          conditions: [{ code: 'min_personal_performance', args: { period: 'last_month', minFen: '5000' } }],
        }),
      ],
    });
  const ancestors = [
    person(2, 'basic', { perf: { personalLastMonth: 5000n } }),
    person(3, 'basic', { perf: { personalLastMonth: 4999n } }),
    person(4, 'basic', { perf: { personalLastMonth: 10_000n } }),
  ];

  it('pays every ancestor within reach that meets the conditions', () => {
    expect(100n + mulPpm(333n, 150_000)).toBe(149n);
    const { result } = run(each(3), event('level_purchased', 333n), person(1, 'basic'), ancestors);
    expect(brief(result.payouts)).toEqual([
      [2, 1, 149n],
      [4, 3, 149n],
    ]);
    expect(result.payouts.every((p) => p.fixedFen === 100n && p.ratePpm === 150_000 && p.grossFen === 149n)).toBe(true);
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'paid'],
      [3, 2, 'conditions'],
      [4, 3, 'paid'],
    ]);
    expect(result.payouts[0]!.text).toContain('直推');
    expect(result.payouts[0]!.text).toContain('¥1.00 + ¥3.33 × 15%');
    expect(result.payouts[0]!.text).toContain('= ¥1.49');
    expect(result.payouts[1]!.text).toContain('第3代');
    expect(result.totalFen).toBe(298n);
  });

  it('reach 2: the third ancestor is never paid, not even by each_ancestor, and is not looked at', () => {
    const { input, result } = run(each(2), event('level_purchased', 333n), person(1, 'basic'), ancestors);
    expect(brief(result.payouts)).toEqual([[2, 1, 149n]]);
    expect(result.decisions.some((d) => d.memberId === 4)).toBe(false);
    expect(verdictsFor(result, input, 4)).toEqual({ position: expect.stringContaining('超出 2 代范围') as unknown, decisions: [] });
  });

  it('reach 1 and ancestor(3): the rule is beyond reach', () => {
    const set = ruleSet({ reach: 1, rules: [rule('far', { recipient: { code: 'ancestor', args: { generation: 3 } }, amount: { fixedFen: '500' } })] });
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), ancestors);
    expect(result.payouts).toEqual([]);
    expect(reasons(result.decisions)).toEqual([[null, null, 'beyond_reach']]);
  });

  it('a ppm amount that floors to zero pays nothing and adds nothing to usage', () => {
    // 0.1 % of 999 fen = 0.999 → 0. (The engine files this under cut_to_zero although no limit cut it.)
    const set = ruleSet({ rules: [rule('tiny', { amount: { ppm: 1_000 } })] });
    const { result } = run(set, event('onboarding_fee_paid', 999n), person(1, 'basic'), [person(2, 'basic')]);
    expect(result.payouts).toEqual([]);
    expect(result.totalFen).toBe(0n);
    expect(result.added.size).toBe(0);
    expect(result.decisions.map((d) => [d.memberId, d.paid, d.amountFen])).toEqual([[2, false, 0n]]);
  });

  it('ppm only: floor(base × ppm / 1e6)', () => {
    // 3.5 % of 99,999 fen = 3499.965 → 3499.
    const set = ruleSet({ rules: [rule('p', { amount: { ppm: 35_000 } })] });
    const { result } = run(set, event('onboarding_fee_paid', 99_999n), person(1, 'basic'), [person(2, 'basic')]);
    expect(brief(result.payouts)).toEqual([[2, 1, 3499n]]);
    expect(result.payouts[0]!.text).toContain('¥999.99 × 3.5%');
  });
});

// ---------------------------------------------------------------- conditions

describe('each condition kind (boundary holds, one fen / one rank less fails)', () => {
  type Case = { name: string; condition: Json; pass: Partial<Person> & { perf?: Partial<PerformanceSnapshot> }; fail: Partial<Person> & { perf?: Partial<PerformanceSnapshot> } };
  const cases: Case[] = [
    { name: 'active', condition: { code: 'active' }, pass: { active: true }, fail: { active: false } },
    { name: 'min_level_rank', condition: { code: 'min_level_rank', args: { rank: 2 } }, pass: { ...L.silver }, fail: { ...L.basic } },
    ...(['this_month', 'last_month', 'lifetime'] as const).flatMap((period) => {
      const p = { this_month: 'ThisMonth', last_month: 'LastMonth', lifetime: 'Lifetime' }[period];
      return [
        {
          name: `min_personal_performance ${period}`,
          condition: { code: 'min_personal_performance', args: { period, minFen: '50000' } },
          // The other periods are rich: only the one named counts.
          pass: { perf: { ...rich, [`personal${p}`]: 50_000n } },
          fail: { perf: { ...rich, [`personal${p}`]: 49_999n } },
        },
        {
          name: `min_team_performance ${period}`,
          condition: { code: 'min_team_performance', args: { period, minFen: '50000' } },
          pass: { perf: { ...rich, [`team${p}`]: 50_000n } },
          fail: { perf: { ...rich, [`team${p}`]: 49_999n } },
        },
      ];
    }),
    {
      name: 'min_increment personal',
      condition: { code: 'min_increment', args: { scope: 'personal', minFen: '2000' } },
      pass: { perf: { personalThisMonth: 3000n, personalLastMonth: 1000n, teamThisMonth: 0n, teamLastMonth: 9_000n } },
      fail: { perf: { personalThisMonth: 2999n, personalLastMonth: 1000n, teamThisMonth: 9_000n, teamLastMonth: 0n } },
    },
    {
      name: 'min_increment team',
      condition: { code: 'min_increment', args: { scope: 'team', minFen: '2000' } },
      pass: { perf: { teamThisMonth: 3000n, teamLastMonth: 1000n, personalThisMonth: 0n, personalLastMonth: 9_000n } },
      fail: { perf: { teamThisMonth: 2999n, teamLastMonth: 1000n, personalThisMonth: 9_000n, personalLastMonth: 0n } },
    },
  ];

  function withOverrides(o: Case['pass']): Person {
    const { perf, ...rest } = o;
    return { ...person(2, 'basic'), ...rest, memberId: 2, performance: { ...zeroPerformance, ...perf } };
  }

  it.each(cases)('$name', ({ name, condition, pass, fail }) => {
    const set = ruleSet({ rules: [rule('c', { name: '条件奖', amount: { fixedFen: '300' }, conditions: [condition] })] });
    const code = condition.code as string;
    const ok = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [withOverrides(pass)]).result;
    expect(brief(ok.payouts), name).toEqual([[2, 1, 300n]]);
    expect(ok.decisions[0]!.conditions).toEqual([expect.objectContaining({ code, holds: true })]);
    const no = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [withOverrides(fail)]).result;
    expect(no.payouts, name).toEqual([]);
    expect(reasons(no.decisions)).toEqual([[2, 1, 'conditions']]);
    expect(no.decisions[0]!.conditions).toEqual([expect.objectContaining({ code, holds: false })]);
    expect(no.decisions[0]!.text).toContain('未满足');
  });

  it('min_base_amount reads the event amount', () => {
    // ¥5.00 fixed when the purchase is at least ¥100.00.
    const set = ruleSet({
      rules: [rule('big', { trigger: 'transaction_settled', amount: { fixedFen: '500' }, conditions: [{ code: 'min_base_amount', args: { minFen: '10000' } }] })],
    });
    const ok = run(set, event('transaction_settled', 10_000n), person(1, 'basic'), [person(2, 'basic')]).result;
    expect(brief(ok.payouts)).toEqual([[2, 1, 500n]]);
    const no = run(set, event('transaction_settled', 9_999n), person(1, 'basic'), [person(2, 'basic')]).result;
    expect(no.payouts).toEqual([]);
    expect(reasons(no.decisions)).toEqual([[2, 1, 'conditions']]);
    expect(no.decisions[0]!.conditions).toEqual([expect.objectContaining({ code: 'min_base_amount', holds: false })]);
  });

  it('several conditions: all must hold, and every verdict is reported', () => {
    const set = ruleSet({
      rules: [rule('two', { amount: { fixedFen: '300' }, conditions: [{ code: 'active' }, { code: 'min_level_rank', args: { rank: 3 } }] })],
    });
    const no = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'silver')]).result;
    expect(no.payouts).toEqual([]);
    expect(no.decisions[0]!.conditions.map((c) => [c.code, c.holds])).toEqual([
      ['active', true],
      ['min_level_rank', false],
    ]);
  });

  it('a rule without an active condition pays an inactive ancestor (only profit share requires activity by itself)', () => {
    const set = ruleSet({ rules: [rule('any', { amount: { fixedFen: '300' } })] });
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic', { active: false })]);
    expect(brief(result.payouts)).toEqual([[2, 1, 300n]]);
  });
});

// ---------------------------------------------------------------- effective window, enabled, trigger

describe('effective window', () => {
  // 2025-03-01T00:00+08:00 = 2025-02-28T16:00Z; 2025-04-01T00:00+08:00 = 2025-03-31T16:00Z.
  const set = ruleSet({
    rules: [rule('march', { name: '三月活动', amount: { fixedFen: '800' }, effectiveFrom: '2025-03-01T00:00:00+08:00', effectiveUntil: '2025-04-01T00:00:00+08:00' })],
  });
  const at = (iso: string) => run(set, event('onboarding_fee_paid', 19_900n, new Date(iso)), person(1, 'basic'), [person(2, 'basic')]).result;

  it('before effectiveFrom: not_in_effect', () => {
    const r = at('2025-02-28T15:59:59.999Z');
    expect(r.payouts).toEqual([]);
    expect(reasons(r.decisions)).toEqual([[null, null, 'not_in_effect']]);
    expect(r.decisions[0]!.text).toContain('三月活动');
    expect(r.decisions[0]!.text).toContain('(v7)');
  });
  it('at effectiveFrom: in effect', () => {
    expect(brief(at('2025-02-28T16:00:00.000Z').payouts)).toEqual([[2, 1, 800n]]);
  });
  it('just before effectiveUntil: in effect', () => {
    expect(brief(at('2025-03-31T15:59:59.999Z').payouts)).toEqual([[2, 1, 800n]]);
  });
  it('at effectiveUntil: not_in_effect', () => {
    const r = at('2025-03-31T16:00:00.000Z');
    expect(r.payouts).toEqual([]);
    expect(reasons(r.decisions)).toEqual([[null, null, 'not_in_effect']]);
  });

  it('disabled rules and rules of another trigger are not looked at', () => {
    const s = ruleSet({
      rules: [rule('off', { amount: { fixedFen: '800' }, enabled: false }), rule('other', { trigger: 'level_purchased', amount: { fixedFen: '800' } })],
    });
    const { result } = run(s, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')]);
    expect(result.payouts).toEqual([]);
    expect(result.decisions).toEqual([]);
  });
});

// ---------------------------------------------------------------- profit share (§7)

describe('profit share (级差)', () => {
  const A = 1_000_000n; // ¥10,000.00

  it('member at 2 %, ancestors at 2 % / 4 % / 8 %: 0, 2 %, 4 %', () => {
    const set = ruleSet({ profitShare: profitShare() });
    const { result } = run(set, event('transaction_settled', A), person(1, 'basic'), [person(2, 'basic'), person(3, 'silver'), person(4, 'gold')]);
    // (4 % − 2 %) × 1,000,000 = 20,000; (8 % − 4 %) × 1,000,000 = 40,000.
    expect(brief(result.payouts)).toEqual([
      [3, 2, 20_000n],
      [4, 3, 40_000n],
    ]);
    expect(result.payouts.map((p) => p.source.kind)).toEqual(['profit_share', 'profit_share']);
    expect(result.payouts.map((p) => p.ratePpm)).toEqual([20_000, 40_000]);
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'no_differential'],
      [3, 2, 'paid'],
      [4, 3, 'paid'],
    ]);
    expect(result.payouts[0]!.text).toContain('级差分润(v7)');
    expect(result.payouts[0]!.text).toContain('间推');
    expect(result.payouts[0]!.text).toContain('（4% − 2%）');
    expect(result.payouts[1]!.text).toContain('第3代');
    expect(result.payouts[1]!.text).toContain('（8% − 4%）');
  });

  it('floors each differential to the fen', () => {
    // 333,333 × 2 % = 6666.66 → 6666; 333,333 × 4 % = 13333.32 → 13333.
    const set = ruleSet({ profitShare: profitShare() });
    const { result } = run(set, event('transaction_settled', 333_333n), person(1, 'basic'), [person(2, 'basic'), person(3, 'silver'), person(4, 'gold')]);
    expect(brief(result.payouts)).toEqual([
      [3, 2, 6666n],
      [4, 3, 13_333n],
    ]);
  });

  it('an inactive ancestor is skipped and its differential rolls up to the next eligible one', () => {
    const set = ruleSet({ profitShare: profitShare() });
    // 4 % ancestor inactive → 8 % ancestor gets 8 − 2 = 6 % = 60,000; 10 % ancestor gets 2 % = 20,000.
    const { result } = run(set, event('transaction_settled', A), person(1, 'basic'), [person(2, 'silver', { active: false }), person(3, 'gold'), person(4, 'diamond')]);
    expect(brief(result.payouts)).toEqual([
      [3, 2, 60_000n],
      [4, 3, 20_000n],
    ]);
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'ineligible'],
      [3, 2, 'paid'],
      [4, 3, 'paid'],
    ]);
    expect(result.decisions[0]!.conditions).toEqual([expect.objectContaining({ code: 'active', holds: false })]);
    expect(result.payouts[0]!.text).toContain('（8% − 2%）');
  });

  it('an ancestor failing a profit-share condition (min_increment) is skipped likewise', () => {
    const set = ruleSet({ profitShare: profitShare(null, [{ code: 'min_increment', args: { scope: 'team', minFen: '100000' } }]) });
    const ancestors = [
      person(2, 'silver', { perf: { teamThisMonth: 150_000n, teamLastMonth: 100_000n } }), // increment 50,000 < 100,000
      person(3, 'gold', { perf: { teamThisMonth: 300_000n, teamLastMonth: 200_000n } }), // increment 100,000: holds
    ];
    const { result } = run(set, event('transaction_settled', A), person(1, 'basic'), ancestors);
    expect(brief(result.payouts)).toEqual([[3, 2, 60_000n]]);
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'ineligible'],
      [3, 2, 'paid'],
    ]);
    expect(result.decisions[0]!.conditions.map((c) => [c.code, c.holds])).toEqual([
      ['active', true],
      ['min_increment', false],
    ]);
  });

  it("the member's own rate is consumed: lower and equal rates above it get nothing", () => {
    const set = ruleSet({ profitShare: profitShare() });
    // Member at 8 %: 4 % and 8 % ancestors get nothing; the 10 % one gets 2 % = 20,000.
    const { result } = run(set, event('transaction_settled', A), person(1, 'gold'), [person(2, 'silver'), person(3, 'gold'), person(4, 'diamond')]);
    expect(brief(result.payouts)).toEqual([[4, 3, 20_000n]]);
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'no_differential'],
      [3, 2, 'no_differential'],
      [4, 3, 'paid'],
    ]);
    expect(result.payouts.some((p) => p.memberId === 1)).toBe(false);
  });

  it('after a differential, a lower-rate ancestor above gets nothing', () => {
    const set = ruleSet({ profitShare: profitShare() });
    const { result } = run(set, event('transaction_settled', A), person(1, 'basic'), [person(2, 'gold'), person(3, 'silver'), person(4, 'diamond')]);
    // 8 − 2 = 6 % → 60,000; 4 % ≤ 8 %: nothing; 10 − 8 = 2 % → 20,000.
    expect(brief(result.payouts)).toEqual([
      [2, 1, 60_000n],
      [4, 3, 20_000n],
    ]);
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'paid'],
      [3, 2, 'no_differential'],
      [4, 3, 'paid'],
    ]);
  });

  it('only on transaction_settled, and only when enabled', () => {
    const on = ruleSet({ profitShare: profitShare() });
    expect(run(on, event('level_purchased', A), person(1, 'basic'), [person(2, 'gold')]).result.payouts).toEqual([]);
    const off = ruleSet();
    expect(run(off, event('transaction_settled', A), person(1, 'basic'), [person(2, 'gold')]).result.payouts).toEqual([]);
  });

  it('reach limits the walk', () => {
    const set = ruleSet({ reach: 1, profitShare: profitShare() });
    const { result } = run(set, event('transaction_settled', A), person(1, 'basic'), [person(2, 'basic'), person(3, 'gold')]);
    expect(result.payouts).toEqual([]);
    expect(reasons(result.decisions)).toEqual([[2, 1, 'no_differential']]);
  });
});

describe('peer bonus (平级奖)', () => {
  const A = 1_000_000n;
  // 0.5 % of 1,000,000 = 5,000.

  it('the first eligible ancestor at the member level gets it; a second one: peer_taken; the peer payout comes after the profit share', () => {
    const set = ruleSet({ profitShare: profitShare({ ppm: 5_000, minRank: 2 }) });
    const { result } = run(set, event('transaction_settled', A), person(1, 'silver'), [person(2, 'silver'), person(3, 'silver'), person(4, 'gold')]);
    // Gold: 8 − 4 = 4 % = 40,000. Peer: member 2.
    expect(brief(result.payouts)).toEqual([
      [4, 3, 40_000n],
      [2, 1, 5_000n],
    ]);
    expect(result.payouts.map((p) => p.source.kind)).toEqual(['profit_share', 'peer_bonus']);
    expect(result.decisions.map((d) => [d.source.kind, d.memberId, d.reason])).toEqual([
      ['peer_bonus', 3, 'peer_taken'],
      ['profit_share', 3, 'no_differential'],
      ['profit_share', 4, 'paid'],
      ['peer_bonus', 2, 'paid'],
    ]);
    const peer = result.payouts[1]!;
    expect(peer.text).toContain('平级奖(v7)');
    expect(peer.text).toContain('直推');
    expect(peer.text).toContain('0.5%');
  });

  it('a same-level ancestor below minRank does not get it; after a differential, top is the new level and the next ancestor at it is the peer', () => {
    const set = ruleSet({ profitShare: profitShare({ ppm: 5_000, minRank: 2 }) });
    // Member basic (rank 1). Ancestor 1 basic: rank 1 < 2 → no peer. Ancestor 2 silver: 2 % = 20,000, top = silver.
    // Ancestor 3 silver: equals top, rank 2 ≥ 2 → peer 5,000.
    const { result } = run(set, event('transaction_settled', A), person(1, 'basic'), [person(2, 'basic'), person(3, 'silver'), person(4, 'silver')]);
    expect(brief(result.payouts)).toEqual([
      [3, 2, 20_000n],
      [4, 3, 5_000n],
    ]);
    expect(result.payouts[1]!.source.kind).toBe('peer_bonus');
    expect(result.decisions.map((d) => [d.source.kind, d.memberId, d.reason])).toEqual([
      ['peer_bonus', 2, 'conditions'],
      ['profit_share', 2, 'no_differential'],
      ['profit_share', 3, 'paid'],
      ['peer_bonus', 4, 'paid'],
    ]);
    expect(result.payouts[1]!.text).toContain('第3代');
  });

  it('an ancestor at the member level above a differential is not a peer (top moved on)', () => {
    const set = ruleSet({ profitShare: profitShare({ ppm: 5_000, minRank: 1 }) });
    // Member basic; ancestor 1 gold (6 % = 60,000, top = gold); ancestor 2 basic ≠ top: nothing; ancestor 3 gold = top → peer.
    const { result } = run(set, event('transaction_settled', A), person(1, 'basic'), [person(2, 'gold'), person(3, 'basic'), person(4, 'gold')]);
    expect(brief(result.payouts)).toEqual([
      [2, 1, 60_000n],
      [4, 3, 5_000n],
    ]);
    expect(result.payouts.map((p) => p.source.kind)).toEqual(['profit_share', 'peer_bonus']);
  });

  it('an ineligible ancestor at the top level is not the peer: the next eligible one is', () => {
    const set = ruleSet({ profitShare: profitShare({ ppm: 5_000, minRank: 1 }) });
    const { result } = run(set, event('transaction_settled', A), person(1, 'silver'), [person(2, 'silver', { active: false }), person(3, 'silver')]);
    expect(brief(result.payouts)).toEqual([[3, 2, 5_000n]]);
    expect(result.payouts[0]!.source.kind).toBe('peer_bonus');
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'ineligible'],
      [3, 2, 'paid'],
    ]);
  });

  it('peer bonus floors: 333,333 × 0.5 % = 1666.665 → 1666', () => {
    const set = ruleSet({ profitShare: profitShare({ ppm: 5_000, minRank: 1 }) });
    const { result } = run(set, event('transaction_settled', 333_333n), person(1, 'gold'), [person(2, 'gold')]);
    expect(brief(result.payouts)).toEqual([[2, 1, 1666n]]);
  });

  it('disabled peer: nobody gets it', () => {
    const set = ruleSet({ profitShare: { ...profitShare(), peer: { enabled: false, ppm: 5_000, minRank: 1 } } });
    const { result } = run(set, event('transaction_settled', A), person(1, 'gold'), [person(2, 'gold')]);
    expect(result.payouts).toEqual([]);
    expect(reasons(result.decisions)).toEqual([[2, 1, 'no_differential']]);
  });
});

// ---------------------------------------------------------------- caps (§6) and the ceiling (§9)

describe('caps', () => {
  const direct = (caps: Json, fixedFen = '1000') => rule('direct', { name: '直推奖', amount: { fixedFen }, caps });

  it('rule daily cap partly used: the payout is cut to the room left (rule_daily_cap)', () => {
    const set = ruleSet({ rules: [direct({ dailyFen: '2500', monthlyFen: null })] });
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], [[usageKey(2, 'rule:direct', DAY), 2000n]]);
    expect(brief(result.payouts)).toEqual([[2, 1, 500n]]);
    const p = result.payouts[0]!;
    expect(p.grossFen).toBe(1000n);
    expect(p.cuts).toEqual([{ kind: 'rule_daily_cap', fen: 500n, roomFen: 500n }]);
    expect(p.text).toContain('本规则日封顶扣减 ¥5.00');
    expect(p.text).toContain('实得 ¥5.00');
    expect(p.text).toContain('直推奖');
    expect(result.added).toEqual(
      new Map([
        [usageKey(2, 'rule:direct', DAY), 500n],
        [usageKey(2, 'rule:direct', MONTH), 500n],
        [usageKey(2, 'total', DAY), 500n],
        [usageKey(2, 'total', MONTH), 500n],
      ]),
    );
  });

  it('rule monthly cap reads the month key, not the day key', () => {
    const set = ruleSet({ rules: [direct({ dailyFen: null, monthlyFen: '3000' })] });
    const usage: [string, Fen][] = [
      [usageKey(2, 'rule:direct', DAY), 999_999n], // no daily cap: irrelevant
      [usageKey(2, 'rule:direct', MONTH), 2700n],
    ];
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], usage);
    expect(brief(result.payouts)).toEqual([[2, 1, 300n]]);
    expect(result.payouts[0]!.cuts).toEqual([{ kind: 'rule_monthly_cap', fen: 700n, roomFen: 300n }]);
    expect(result.payouts[0]!.text).toContain('本规则月封顶');
  });

  it("another member's or another rule's usage does not count", () => {
    const set = ruleSet({ rules: [direct({ dailyFen: '1000', monthlyFen: null })] });
    const usage: [string, Fen][] = [
      [usageKey(3, 'rule:direct', DAY), 1000n],
      [usageKey(2, 'rule:other', DAY), 1000n],
      [usageKey(2, 'rule:direct', '2025-03-14'), 1000n],
    ];
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], usage);
    expect(brief(result.payouts)).toEqual([[2, 1, 1000n]]);
    expect(result.payouts[0]!.cuts).toEqual([]);
  });

  it('member monthly cap across everything (每月收益封顶)', () => {
    const set = ruleSet({ memberCaps: { dailyFen: null, monthlyFen: '10000' }, rules: [direct({ dailyFen: null, monthlyFen: null })] });
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], [[usageKey(2, 'total', MONTH), 9700n]]);
    expect(brief(result.payouts)).toEqual([[2, 1, 300n]]);
    expect(result.payouts[0]!.cuts).toEqual([{ kind: 'member_monthly_cap', fen: 700n, roomFen: 300n }]);
    expect(result.payouts[0]!.text).toContain('每月收益封顶');
  });

  it('member daily cap (每日收益封顶) also limits profit share', () => {
    const set = ruleSet({ memberCaps: { dailyFen: '5000', monthlyFen: null }, profitShare: profitShare() });
    // 4 % − 2 % of 1,000,000 = 20,000; room 5,000 − 1,000 = 4,000.
    const { result } = run(set, event('transaction_settled', 1_000_000n), person(1, 'basic'), [person(2, 'silver')], [[usageKey(2, 'total', DAY), 1000n]]);
    expect(brief(result.payouts)).toEqual([[2, 1, 4000n]]);
    expect(result.payouts[0]!.cuts).toEqual([{ kind: 'member_daily_cap', fen: 16_000n, roomFen: 4000n }]);
    expect(result.payouts[0]!.text).toContain('每日收益封顶');
  });

  it('cap already exhausted: no payout, decision cut_to_zero', () => {
    const set = ruleSet({ memberCaps: { dailyFen: '5000', monthlyFen: null }, rules: [direct({ dailyFen: null, monthlyFen: null })] });
    for (const used of [5000n, 7000n]) {
      const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], [[usageKey(2, 'total', DAY), used]]);
      expect(result.payouts).toEqual([]);
      expect(result.totalFen).toBe(0n);
      expect(reasons(result.decisions)).toEqual([[2, 1, 'cut_to_zero']]);
      expect(result.decisions[0]!.paid).toBe(false);
      expect(result.decisions[0]!.amountFen).toBe(0n);
      expect(result.decisions[0]!.text).toContain('每日收益封顶');
      expect(result.decisions[0]!.text).toContain('已达上限');
      expect(result.added.size).toBe(0);
    }
  });

  it('rule cap exhausted: cut_to_zero for that rule only; another rule still pays', () => {
    const set = ruleSet({
      rules: [direct({ dailyFen: '1000', monthlyFen: null }), rule('bonus', { name: '额外奖', amount: { fixedFen: '200' } })],
    });
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], [[usageKey(2, 'rule:direct', DAY), 1000n]]);
    expect(brief(result.payouts)).toEqual([[2, 1, 200n]]);
    expect(result.decisions.map((d) => [d.source.kind === 'rule' ? d.source.ruleId : d.source.kind, d.reason])).toEqual([
      ['bonus', 'paid'],
      ['direct', 'cut_to_zero'],
    ]);
  });

  it('two payouts to the same member in one event both count against the member cap', () => {
    const set = ruleSet({
      memberCaps: { dailyFen: '1000', monthlyFen: null },
      rules: [
        rule('first', { name: '第一奖', priority: 1, amount: { fixedFen: '600' } }),
        rule('second', { name: '第二奖', priority: 2, amount: { fixedFen: '600' } }),
        rule('third', { name: '第三奖', priority: 3, amount: { fixedFen: '600' } }),
      ],
    });
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')]);
    expect(brief(result.payouts)).toEqual([
      [2, 1, 600n],
      [2, 1, 400n],
    ]);
    expect(result.payouts[1]!.cuts).toEqual([{ kind: 'member_daily_cap', fen: 200n, roomFen: 400n }]);
    expect(result.decisions.map((d) => d.reason)).toEqual(['paid', 'paid', 'cut_to_zero']);
    expect(result.added.get(usageKey(2, 'total', DAY))).toBe(1000n);
    expect(result.added.get(usageKey(2, 'total', MONTH))).toBe(1000n);
    expect(result.added.get(usageKey(2, 'rule:first', DAY))).toBe(600n);
    expect(result.added.get(usageKey(2, 'rule:second', DAY))).toBe(400n);
    expect(result.added.has(usageKey(2, 'rule:third', DAY))).toBe(false);
  });

  it('each_ancestor with a rule cap: caps are per recipient', () => {
    const set = ruleSet({ rules: [rule('each', { recipient: { code: 'each_ancestor' }, amount: { fixedFen: '1000' }, caps: { dailyFen: '1500', monthlyFen: null } })] });
    const usage: [string, Fen][] = [
      [usageKey(2, 'rule:each', DAY), 1500n],
      [usageKey(3, 'rule:each', DAY), 1000n],
    ];
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic'), person(3, 'basic'), person(4, 'basic')], usage);
    expect(brief(result.payouts)).toEqual([
      [3, 2, 500n],
      [4, 3, 1000n],
    ]);
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'cut_to_zero'],
      [3, 2, 'paid'],
      [4, 3, 'paid'],
    ]);
  });
});

describe('per-event ceiling at run time', () => {
  // Transaction of ¥1,000.00 (100,000 fen) with a 10 % ceiling: 10,000 fen for the whole event.
  // Listed out of order on purpose: application is by priority, then id.
  const set = ruleSet({
    ceilings: { onboarding_fee_paid: 1_000_000, level_purchased: 1_000_000, transaction_settled: 100_000 },
    rules: [
      rule('b_third', { name: '乙奖', trigger: 'transaction_settled', priority: 2, recipient: { code: 'ancestor', args: { generation: 2 } }, amount: { ppm: 10_000 } }),
      rule('a_second', { name: '甲奖', trigger: 'transaction_settled', priority: 2, amount: { fixedFen: '1500' } }),
      rule('z_first', { name: '团队奖', trigger: 'transaction_settled', priority: 1, recipient: { code: 'each_ancestor' }, amount: { ppm: 20_000 } }),
    ],
    profitShare: profitShare({ ppm: 5_000, minRank: 1 }),
  });

  it('rules by priority then id, then profit share nearest first, then peer; the crossing payout is cut to fit, later ones are zero', () => {
    const { result } = run(set, event('transaction_settled', 100_000n), person(1, 'basic'), [person(2, 'silver'), person(3, 'gold'), person(4, 'gold')]);
    expect(result.ceilingFen).toBe(10_000n);
    // z_first: 2 % × 3 = 2,000 each (6,000; room 4,000). a_second: 1,500 to gen 1 (room 2,500).
    // b_third: 1 % = 1,000 to gen 2 (room 1,500). Profit share gen 1: 4 − 2 = 2 % = 2,000 → cut to 1,500 (room 0).
    // Profit share gen 2: 8 − 4 = 4 % = 4,000 → 0. Peer (gen 3, gold = top): 500 → 0.
    expect(result.payouts.map((p) => [p.source.kind === 'rule' ? p.source.ruleId : p.source.kind, p.memberId, p.amountFen])).toEqual([
      ['z_first', 2, 2000n],
      ['z_first', 3, 2000n],
      ['z_first', 4, 2000n],
      ['a_second', 2, 1500n],
      ['b_third', 3, 1000n],
      ['profit_share', 2, 1500n],
    ]);
    const crossing = result.payouts[5]!;
    expect(crossing.grossFen).toBe(2000n);
    expect(crossing.cuts).toEqual([{ kind: 'ceiling', fen: 500n, roomFen: 1500n }]);
    expect(crossing.text).toContain('单笔发放上限扣减 ¥5.00');
    expect(crossing.text).toContain('实得 ¥15.00');
    expect(result.payouts.slice(0, 5).every((p) => p.cuts.length === 0)).toBe(true);
    expect(result.totalFen).toBe(10_000n);
    expect(sum(result.payouts)).toBe(10_000n);

    const zeros = result.decisions.filter((d) => d.reason === 'cut_to_zero');
    expect(zeros.map((d) => [d.source.kind, d.memberId, d.generation])).toEqual([
      ['profit_share', 3, 2],
      ['peer_bonus', 4, 3],
    ]);
    for (const z of zeros) {
      expect(z.text).toContain('单笔发放上限');
      expect(z.paid).toBe(false);
    }
    // Nothing was added for the payouts cut to zero.
    expect(result.added.get(usageKey(4, 'total', DAY))).toBe(2000n);
    expect(result.added.get(usageKey(3, 'total', DAY))).toBe(3000n);
  });

  it('a payout cut by a member cap leaves the ceiling room to the later ones', () => {
    const capped = { ...set, memberCaps: { dailyFen: 500n, monthlyFen: null } };
    const { result } = run(capped, event('transaction_settled', 100_000n), person(1, 'basic'), [person(2, 'silver'), person(3, 'gold'), person(4, 'gold')]);
    // Every member gets at most 500 in the day: 2 → 500 (z_first), 3 → 500, 4 → 500; everything else cut to zero by the cap.
    expect(result.payouts.map((p) => [p.memberId, p.amountFen])).toEqual([
      [2, 500n],
      [3, 500n],
      [4, 500n],
    ]);
    expect(result.totalFen).toBe(1500n);
    expect(result.payouts.every((p) => p.cuts.every((c) => c.kind === 'member_daily_cap'))).toBe(true);
  });

  it('a zero ceiling pays nothing at all', () => {
    const zero = { ...set, ceilings: { ...set.ceilings, transaction_settled: 0 } };
    const { result } = run(zero, event('transaction_settled', 100_000n), person(1, 'basic'), [person(2, 'silver'), person(3, 'gold'), person(4, 'gold')]);
    expect(result.ceilingFen).toBe(0n);
    expect(result.payouts).toEqual([]);
    // 3 + 1 + 1 rule payouts, 2 differentials, 1 peer bonus.
    expect(result.decisions.filter((d) => d.reason === 'cut_to_zero').length).toBe(8);
  });
});

// ---------------------------------------------------------------- verdictsFor

describe('verdictsFor', () => {
  const set = ruleSet({
    reach: 2,
    rules: [
      rule('gen2', { name: '间推奖', trigger: 'transaction_settled', recipient: { code: 'ancestor', args: { generation: 2 } }, amount: { fixedFen: '100' }, conditions: [{ code: 'active' }] }),
      rule('later', { name: '未来奖', trigger: 'transaction_settled', amount: { fixedFen: '100' }, effectiveFrom: '2030-01-01T00:00:00+08:00' }),
    ],
    profitShare: profitShare(),
  });
  const ancestors = [person(2, 'silver'), person(3, 'gold', { active: false }), person(4, 'diamond')];
  const { input, result } = run(set, event('transaction_settled', 100_000n), person(1, 'basic'), ancestors);

  it('the event member itself: no decisions, its position says why', () => {
    const v = verdictsFor(result, input, 1);
    expect(v.decisions).toEqual([]);
    expect(v.position).toContain('事件本人');
  });

  it('a non-ancestor: no decisions', () => {
    const v = verdictsFor(result, input, 99);
    expect(v.decisions).toEqual([]);
    expect(v.position).toContain('不在');
  });

  it('an ancestor beyond reach: no decisions', () => {
    const v = verdictsFor(result, input, 4);
    expect(v.decisions).toEqual([]);
    expect(v.position).toContain('第 3 代上级');
  });

  it('an ancestor within reach: its own decisions and those about no one in particular', () => {
    const v = verdictsFor(result, input, 3);
    expect(v.position).toBe('间推');
    expect(v.decisions.map((d) => [d.source.kind, d.memberId, d.reason])).toEqual([
      ['rule', 3, 'conditions'], // gen2: inactive
      ['rule', null, 'not_in_effect'], // later
      ['profit_share', 3, 'ineligible'],
    ]);
    const g1 = verdictsFor(result, input, 2);
    expect(g1.position).toBe('直推');
    expect(g1.decisions.map((d) => [d.source.kind, d.memberId, d.reason])).toEqual([
      ['rule', null, 'not_in_effect'],
      ['profit_share', 2, 'paid'],
    ]);
    expect(g1.decisions[1]!.amountFen).toBe(2000n);
  });
});

// ---------------------------------------------------------------- validation and worst case (§9)

describe('validateRuleSet and worstCases', () => {
  const ctx: ValidationContext = {
    ranks: Object.values(L).map((l) => ({ rank: l.rank, ratePpm: l.ratePpm, enabled: true })),
    minBaseFen: { onboarding_fee_paid: 19_900n, level_purchased: 99_900n },
  };
  const ceilings = (transaction_settled: number) => ({ onboarding_fee_paid: 300_000, level_purchased: 300_000, transaction_settled });
  const worstOf = (set: RuleSet, t: Trigger) => worstCases(set, ctx).find((w) => w.trigger === t)!;

  it('refuses a set whose worst case exceeds a ceiling, naming the ppm', () => {
    // each_ancestor 1 % × 3 = 30,000 + profit share spread 10 % − 2 % = 80,000 + peer 5,000 = 115,000 > 100,000.
    const set = ruleSet({
      ceilings: ceilings(100_000),
      rules: [rule('each', { trigger: 'transaction_settled', recipient: { code: 'each_ancestor' }, amount: { ppm: 10_000 } })],
      profitShare: profitShare({ ppm: 5_000, minRank: 2 }),
    });
    const w = worstOf(set, 'transaction_settled');
    expect(w.ppm).toBe(115_000);
    expect(w.ceilingPpm).toBe(100_000);
    const { problems } = validateRuleSet(set, ctx);
    expect(problems).toEqual([{ path: 'ceilings.transaction_settled', message: expect.stringContaining('115000 ppm') as unknown }]);
    expect(problems[0]!.message).toContain('100000 ppm');
    // At exactly the ceiling it is accepted.
    expect(validateRuleSet({ ...set, ceilings: ceilings(115_000) }, ctx).problems).toEqual([]);
  });

  it('refuses a fixed amount on transaction_settled without min_base_amount (unbounded)', () => {
    const set = ruleSet({ ceilings: ceilings(1_000_000), rules: [rule('fix', { name: '固定奖', trigger: 'transaction_settled', amount: { fixedFen: '1000' } })] });
    const w = worstOf(set, 'transaction_settled');
    expect(w.ppm).toBeNull();
    expect(w.unbounded).toContain('固定奖');
    const { problems } = validateRuleSet(set, ctx);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('ceilings.transaction_settled');
    expect(problems[0]!.message).toContain('单笔金额不低于');
  });

  it('accepts it with min_base_amount: worst case ceil(fixed × 1e6 / minBase) per recipient', () => {
    // ceil(1000 × 1e6 / 30,000) = ceil(33,333.3) = 33,334 ppm; each_ancestor with reach 3: × 3 = 100,002; plus 5,000 ppm of its own.
    const one = ruleSet({
      ceilings: ceilings(33_334),
      rules: [rule('fix', { trigger: 'transaction_settled', amount: { fixedFen: '1000' }, conditions: [{ code: 'min_base_amount', args: { minFen: '30000' } }] })],
    });
    expect(worstOf(one, 'transaction_settled').ppm).toBe(33_334);
    expect(validateRuleSet(one, ctx).problems).toEqual([]);
    expect(validateRuleSet({ ...one, ceilings: ceilings(33_333) }, ctx).problems.map((p) => p.message)).toEqual([expect.stringContaining('33334 ppm')]);

    const each = ruleSet({
      ceilings: ceilings(200_000),
      rules: [
        rule('fix', {
          trigger: 'transaction_settled',
          recipient: { code: 'each_ancestor' },
          amount: { fixedFen: '1000', ppm: 5_000 },
          conditions: [{ code: 'min_base_amount', args: { minFen: '30000' } }],
        }),
      ],
    });
    expect(worstOf(each, 'transaction_settled').ppm).toBe((33_334 + 5_000) * 3);
    expect(validateRuleSet(each, ctx).problems).toEqual([]);
  });

  it("a fixed amount on a fee trigger is measured against the trigger's smallest amount (or the rule's, if larger)", () => {
    // ceil(1000 × 1e6 / 19,900) = ceil(50,251.25…) = 50,252.
    const fee = ruleSet({ ceilings: ceilings(1_000_000), rules: [rule('fee', { amount: { fixedFen: '1000' } })] });
    expect(worstOf(fee, 'onboarding_fee_paid').ppm).toBe(50_252);
    const own = ruleSet({ ceilings: ceilings(1_000_000), rules: [rule('fee', { amount: { fixedFen: '1000' }, conditions: [{ code: 'min_base_amount', args: { minFen: '50000' } }] })] });
    expect(worstOf(own, 'onboarding_fee_paid').ppm).toBe(20_000);
  });

  it('refuses an ancestor generation beyond the reach', () => {
    const set = ruleSet({ reach: 2, rules: [rule('far', { name: '远代奖', recipient: { code: 'ancestor', args: { generation: 3 } }, amount: { fixedFen: '100' } })] });
    const { problems } = validateRuleSet(set, ctx);
    expect(problems).toContainEqual({ path: 'rules.0.recipient', message: expect.stringContaining('超出了 2 代') as unknown });
  });

  it('zod rejects an unknown condition code and a reach of 4', () => {
    const base = {
      reach: 3,
      freezeDays: 7,
      ceilings: ceilings(100_000),
      memberCaps: { dailyFen: null, monthlyFen: null },
      rules: [] as Json[],
      profitShare: { enabled: false, peer: { enabled: false, ppm: 0, minRank: 1 } },
    };
    expect(ruleSetInput.safeParse(base).success).toBe(true);
    const unknown = ruleSetInput.safeParse({ ...base, rules: [rule('x', { amount: { fixedFen: '1' }, conditions: [{ code: 'vip_only' }] })] });
    expect(unknown.success).toBe(false);
    expect(unknown.error!.issues.map((i) => i.message).join('\n')).toContain('unknown condition "vip_only"');
    const badArgs = ruleSetInput.safeParse({ ...base, rules: [rule('x', { amount: { fixedFen: '1' }, conditions: [{ code: 'min_level_rank', args: { rank: 0 } }] })] });
    expect(badArgs.success).toBe(false);
    expect(ruleSetInput.safeParse({ ...base, reach: 4 }).success).toBe(false);
    expect(ruleSetInput.safeParse({ ...base, reach: 0 }).success).toBe(false);
    expect(ruleSetInput.safeParse({ ...base, rules: [rule('x', { amount: { fixedFen: '1.5' } })] }).success).toBe(false);
  });
});
