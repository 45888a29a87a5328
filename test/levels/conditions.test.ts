import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Condition,
  type ConditionSet,
  conditionSetInput,
  describeCondition,
  encodeConditionSet,
  evaluateCondition,
  evaluateConditionSet,
  type LevelFacts,
} from '../../src/modules/levels/conditions.js';
import { directsMayLift, downgradeTarget, figureWatch, highestReachable, type Ladder, leastDirectsToRise, type Level, purchasePrice, readsTeamFigures, smallestPurchase, teamDrivenLadder } from '../../src/modules/levels/ladder.js';
import type { MonthFigures } from '../../src/modules/performance/figures.service.js';

const month = (m: string, personalNet: bigint, teamNet: bigint): MonthFigures => ({
  month: m,
  personalSettled: personalNet,
  personalRefunded: 0n,
  personalNet,
  personalSales: 0,
  teamNet,
  teamSettled: teamNet,
  teamRefunded: 0n,
  teamActive: 0,
});

/** Facts from a few numbers: this/last month and lifetime, personal and team, direct members (by rank). */
function facts(f: { p?: bigint; t?: bigint; lp?: bigint; lt?: bigint; life?: bigint; lifeTeam?: bigint; directs?: number; atRank?: Record<number, number> } = {}): LevelFacts {
  const thisMonth = month('2026-05-01', f.p ?? 0n, f.t ?? 0n);
  const lastMonth = month('2026-04-01', f.lp ?? 0n, f.lt ?? 0n);
  return {
    performance: {
      thisMonth,
      lastMonth,
      lifetime: { personalNet: f.life ?? thisMonth.personalNet + lastMonth.personalNet, teamNet: f.lifeTeam ?? thisMonth.teamNet + lastMonth.teamNet },
      increment: { personal: thisMonth.personalNet - lastMonth.personalNet, team: thisMonth.teamNet - lastMonth.teamNet },
    },
    directMembers: f.directs ?? 0,
    // Ranks 1–6 are all the tests' ladders have; the loader likewise fills every rank asked about.
    directMembersAtRank: new Map([1, 2, 3, 4, 5, 6].map((r) => [r, f.atRank?.[r] ?? 0])),
  };
}

const personal = (period: 'this_month' | 'last_month' | 'lifetime', minFen: bigint): Condition => ({ kind: 'personal_performance', period, minFen });
const team = (period: 'this_month' | 'last_month' | 'lifetime', minFen: bigint, includeSelf = false): Condition => ({ kind: 'team_performance', period, minFen, includeSelf });
const directs = (min: number, minLevelRank: number | null = null): Condition => ({ kind: 'direct_members', min, minLevelRank });
const increment = (scope: 'personal' | 'team', minFen: bigint): Condition => ({ kind: 'increment', scope, minFen });
const all = (...conditions: Condition[]): ConditionSet => ({ mode: 'all', conditions });
const any = (...conditions: Condition[]): ConditionSet => ({ mode: 'any', conditions });
const none: ConditionSet = { mode: 'all', conditions: [] };

describe('each condition kind', () => {
  it('personal performance reads this month, last month or lifetime, and reports current and target', () => {
    const f = facts({ p: 500n, lp: 2_000n, life: 9_000n });
    expect(evaluateCondition(personal('this_month', 500n), f)).toMatchObject({ holds: true, current: 500n, target: 500n, unit: 'fen' });
    expect(evaluateCondition(personal('this_month', 501n), f)).toMatchObject({ holds: false, current: 500n, target: 501n });
    expect(evaluateCondition(personal('last_month', 2_000n), f).holds).toBe(true);
    expect(evaluateCondition(personal('lifetime', 9_001n), f)).toMatchObject({ holds: false, current: 9_000n });
  });

  it('team performance excludes the member unless includeSelf', () => {
    const f = facts({ p: 300n, t: 700n });
    expect(evaluateCondition(team('this_month', 1_000n), f)).toMatchObject({ holds: false, current: 700n });
    expect(evaluateCondition(team('this_month', 1_000n, true), f)).toMatchObject({ holds: true, current: 1_000n });
    expect(evaluateCondition(team('last_month', 1n), f).holds).toBe(false);
    expect(evaluateCondition(team('lifetime', 1_000n, true), facts({ life: 400n, lifeTeam: 600n })).holds).toBe(true);
  });

  it('direct members count all directs, or only those at a minimum level rank', () => {
    const f = facts({ directs: 7, atRank: { 2: 3, 3: 1 } });
    expect(evaluateCondition(directs(7), f)).toMatchObject({ holds: true, current: 7n, target: 7n, unit: 'members' });
    expect(evaluateCondition(directs(8), f).holds).toBe(false);
    expect(evaluateCondition(directs(3, 2), f)).toMatchObject({ holds: true, current: 3n });
    expect(evaluateCondition(directs(2, 3), f)).toMatchObject({ holds: false, current: 1n });
  });

  it('a direct-member count the facts lack is an error, not a silent zero', () => {
    expect(() => evaluateCondition(directs(1, 9), facts({ atRank: { 2: 3 } }))).toThrow(/rank ≥ 9/);
  });

  it('increment is this month minus last month, personal or team, and can be negative', () => {
    const f = facts({ p: 1_500n, lp: 1_000n, t: 100n, lt: 400n });
    expect(evaluateCondition(increment('personal', 500n), f)).toMatchObject({ holds: true, current: 500n });
    expect(evaluateCondition(increment('team', 0n), f)).toMatchObject({ holds: false, current: -300n });
  });
});

describe('all / any', () => {
  const f = facts({ p: 100n, directs: 2 });
  it('all needs every condition, any needs one', () => {
    expect(evaluateConditionSet(all(personal('this_month', 100n), directs(3)), f, false).holds).toBe(false);
    expect(evaluateConditionSet(any(personal('this_month', 100n), directs(3)), f, false).holds).toBe(true);
    expect(evaluateConditionSet(any(personal('this_month', 101n), directs(3)), f, false).holds).toBe(false);
    const r = evaluateConditionSet(all(personal('this_month', 100n), directs(2)), f, false);
    expect(r.holds).toBe(true);
    expect(r.results.map((x) => x.holds)).toEqual([true, true]);
  });

  it('an empty set means what the caller says (upgrade: never; keep: nothing to keep)', () => {
    expect(evaluateConditionSet(none, f, false).holds).toBe(false);
    expect(evaluateConditionSet({ mode: 'any', conditions: [] }, f, true).holds).toBe(true);
  });

  it('matches the definition for random sets and facts', () => {
    const fen = fc.bigInt({ min: -10_000n, max: 10_000n });
    const condition = fc.oneof(
      fc.record({ kind: fc.constant('personal_performance' as const), period: fc.constantFrom('this_month' as const, 'last_month' as const, 'lifetime' as const), minFen: fc.bigInt({ min: 0n, max: 10_000n }) }),
      fc.record({ kind: fc.constant('team_performance' as const), period: fc.constantFrom('this_month' as const, 'last_month' as const, 'lifetime' as const), minFen: fc.bigInt({ min: 0n, max: 10_000n }), includeSelf: fc.boolean() }),
      fc.record({ kind: fc.constant('direct_members' as const), min: fc.nat(10), minLevelRank: fc.constantFrom(null, 2, 3) }),
      fc.record({ kind: fc.constant('increment' as const), scope: fc.constantFrom('personal' as const, 'team' as const), minFen: fc.bigInt({ min: 0n, max: 10_000n }) }),
    );
    fc.assert(
      fc.property(fc.constantFrom('all' as const, 'any' as const), fc.array(condition, { minLength: 1, maxLength: 5 }), fen, fen, fen, fen, fc.nat(10), fc.nat(10), (mode, conditions, p, t, lp, lt, d, d2) => {
        const f = facts({ p, t, lp, lt, directs: d + d2, atRank: { 2: d, 3: Math.min(d, d2) } });
        const r = evaluateConditionSet({ mode, conditions }, f, false);
        const each = conditions.map((c) => evaluateCondition(c, f));
        for (const e of each) expect(e.holds).toBe(e.current >= e.target);
        expect(r.holds).toBe(mode === 'all' ? each.every((e) => e.holds) : each.some((e) => e.holds));
      }),
      { numRuns: 500 },
    );
  });
});

describe('the JSON form', () => {
  it('round-trips, with money as fen strings and includeSelf / minLevelRank filled in', () => {
    const parsed = conditionSetInput.parse({ mode: 'any', conditions: [{ kind: 'team_performance', period: 'lifetime', minFen: '123' }, { kind: 'direct_members', min: 2 }] });
    expect(parsed.conditions).toEqual([team('lifetime', 123n, false), directs(2, null)]);
    expect(conditionSetInput.parse(encodeConditionSet(parsed))).toEqual(parsed);
  });

  it('refuses negative amounts and counts, fractions and unknown kinds or fields', () => {
    for (const bad of [
      { kind: 'personal_performance', period: 'this_month', minFen: '-1' },
      { kind: 'personal_performance', period: 'this_month', minFen: 1.5 },
      { kind: 'direct_members', min: -1 },
      { kind: 'direct_members', min: 1, minLevelRank: 0 },
      { kind: 'magic', min: 1 },
      { kind: 'increment', scope: 'team', minFen: '1', extra: true },
    ]) {
      expect(conditionSetInput.safeParse({ mode: 'all', conditions: [bad] }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('reads in words', () => {
    const name = (rank: number) => (rank === 2 ? '银牌' : undefined);
    expect(describeCondition(personal('last_month', 1_000_000n), name)).toBe('上月个人业绩不低于 ¥10000.00');
    expect(describeCondition(team('this_month', 50n, true), name)).toBe('本月团队业绩（含本人）不低于 ¥0.50');
    expect(describeCondition(directs(3, 2), name)).toBe('银牌及以上的直推成员不少于 3 人');
    expect(describeCondition(increment('team', 100n), name)).toBe('本月团队业绩比上月增长不低于 ¥1.00');
  });
});

// ---------------------------------------------------------------- decisions on the ladder

const level = (id: number, rank: number, over: Partial<Level> = {}): Level => ({
  id,
  name: `L${rank}`,
  rank,
  priceFen: BigInt(rank - 1) * 1_000n,
  rateProfitSharePpm: (rank - 1) * 10_000,
  upgrade: none,
  keep: none,
  enabled: true,
  ...over,
});
const ladderOf = (...levels: Level[]): Ladder => ({ version: 1, levels: [...levels].sort((a, b) => a.rank - b.rank) });

describe('the highest level reachable by performance', () => {
  const ladder = ladderOf(
    level(1, 1),
    level(2, 2, { upgrade: all(personal('this_month', 100n)) }),
    level(3, 3, { upgrade: all(personal('this_month', 1_000n)) }),
    level(4, 4, { upgrade: all(team('this_month', 5_000n), directs(2, 3)) }),
    level(5, 5, { upgrade: any(personal('lifetime', 1_000_000n)), enabled: false }),
  );
  const at = (rank: number) => ladder.levels.find((l) => l.rank === rank)!;

  it('climbs several levels at once when the higher conditions hold', () => {
    expect(highestReachable(ladder, at(1), facts({ p: 1_000n }))?.level.id).toBe(3);
    expect(highestReachable(ladder, at(1), facts({ p: 100n }))?.level.id).toBe(2);
  });

  it('does not need the levels in between to hold', () => {
    expect(highestReachable(ladder, at(1), facts({ t: 5_000n, directs: 2, atRank: { 3: 2 } }))?.level.id).toBe(4);
  });

  it('never lowers, skips disabled levels and levels without performance conditions', () => {
    expect(highestReachable(ladder, at(3), facts({ p: 100n }))).toBeNull();
    expect(highestReachable(ladder, at(4), facts({ life: 10_000_000n }))).toBeNull();
    expect(highestReachable(ladder, at(1), facts())).toBeNull();
  });

  it('equals the naive choice for random facts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.bigInt({ min: 0n, max: 2_000n }), fc.bigInt({ min: 0n, max: 6_000n }), fc.nat(4), (rank, p, t, d) => {
        const f = facts({ p, t, directs: d, atRank: { 3: d } });
        const got = highestReachable(ladder, at(rank), f);
        const naive = ladder.levels.filter((l) => l.enabled && l.rank > rank && l.upgrade.conditions.length > 0 && evaluateConditionSet(l.upgrade, f, false).holds).at(-1);
        expect(got?.level.id ?? null).toBe(naive?.id ?? null);
      }),
    );
  });
});

describe('whether a new direct member can lift its parent', () => {
  const ladder = ladderOf(
    level(1, 1),
    level(2, 2, { upgrade: any(personal('this_month', 100n), directs(3)) }),
    level(3, 3, { upgrade: all(directs(2, 2)) }),
    level(4, 4, { upgrade: all(directs(9)), enabled: false }),
  );
  it('only when a count just reached its minimum, or the newcomer is at a level a condition counts', () => {
    expect(directsMayLift(ladder, 1, 3, 1)).toBe(true);
    expect(directsMayLift(ladder, 1, 2, 1)).toBe(false);
    expect(directsMayLift(ladder, 1, 4, 1)).toBe(false);
    expect(directsMayLift(ladder, 1, 4, 2)).toBe(true);
    expect(directsMayLift(ladder, 2, 3, 1)).toBe(false);
    expect(directsMayLift(ladder, 3, 9, 3)).toBe(false);
  });
});

describe('the upgrade screen\'s direct-member thresholds', () => {
  const ladder = ladderOf(
    level(1, 1),
    level(2, 2, { upgrade: any(personal('this_month', 100n), directs(3)) }),
    level(3, 3, { upgrade: all(directs(5, 2), team('this_month', 1_000n)) }),
    level(4, 4, { upgrade: all(directs(9)), enabled: false }),
    level(5, 5, { upgrade: all(directs(20), personal('lifetime', 1n)) }),
    level(6, 6),
  );
  const least = new Map(leastDirectsToRise(ladder).map((l) => [l.levelId, l.directs]));

  it('is the least count some level above could accept, with figures taken as met', () => {
    // Level 2 accepts on figures alone (an "any" set), so nobody below it is dropped.
    expect(least.get(null)).toBe(0);
    expect(least.get(1)).toBe(0);
    // From level 2: level 3 needs 5 direct members (at rank 2 or above), level 5 needs 20; disabled level 4 does not count.
    expect(least.get(2)).toBe(5);
    expect(least.get(3)).toBe(20);
    expect(least.get(4)).toBe(20);
  });

  it('is null where no level above accepts by performance', () => {
    expect(least.get(5)).toBeNull();
    expect(least.get(6)).toBeNull();
  });

  it('for a change of team figures alone, counts only the levels whose conditions read team figures', () => {
    const teamView = teamDrivenLadder(ladder);
    expect(ladder.levels.map((l) => readsTeamFigures(l.upgrade))).toEqual([false, false, true, false, false, false]);
    // Levels keep their ranks and places; those not reading team figures cannot be reached by performance.
    expect(teamView.levels.map((l) => [l.rank, l.enabled, l.upgrade.conditions.length])).toEqual([[1, true, 0], [2, true, 0], [3, true, 2], [4, false, 0], [5, true, 0], [6, true, 0]]);
    const teamLeast = new Map(leastDirectsToRise(teamView).map((l) => [l.levelId, l.directs]));
    // Level 2 accepts on personal figures, which a team-only change does not move: below it, level 3's 5 direct members are needed.
    expect(teamLeast.get(null)).toBe(5);
    expect(teamLeast.get(1)).toBe(5);
    expect(teamLeast.get(2)).toBe(5);
    // Above level 3 nothing reads team figures (level 5 reads lifetime personal figures).
    expect(teamLeast.get(3)).toBeNull();
    // The team's increment reads team figures too.
    expect(readsTeamFigures(all(increment('team', 1n)))).toBe(true);
    expect(readsTeamFigures(all(increment('personal', 1n), directs(1)))).toBe(false);
  });

  it('never drops a member some level above accepts, for random counts and figures', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 4, 5, 6), fc.nat(30), fc.nat(30), fc.bigInt({ min: 0n, max: 2_000n }), fc.bigInt({ min: 0n, max: 2_000n }), (id, d, atTwo, p, t) => {
        const f = facts({ p, t, life: p, directs: d, atRank: { 2: Math.min(atTwo, d) } });
        const reached = highestReachable(ladder, ladder.levels.find((l) => l.id === id)!, f);
        if (reached) expect(d).toBeGreaterThanOrEqual(least.get(id)!);
      }),
    );
  });
});

describe('the figures a performance batch watches for upgrades', () => {
  it('are the thresholds of every performance condition of the enabled levels, by period and figure', () => {
    const ladder = ladderOf(
      level(1, 1),
      level(2, 2, { upgrade: any(personal('this_month', 100n), directs(3), personal('last_month', 7n)) }),
      level(3, 3, { upgrade: all(directs(5, 2), team('this_month', 1_000n), team('lifetime', 9_000n, true)) }),
      level(4, 4, { upgrade: all(personal('lifetime', 555n)), enabled: false }),
      level(5, 5, { upgrade: all(team('lifetime', 20_000n), personal('lifetime', 1n), team('this_month', 3_000n, true)) }),
    );
    // Last month's figures do not move in a batch of this month; a disabled level is nobody's next level.
    expect(figureWatch(ladder)).toEqual({
      thisMonth: { personal: [100n], team: [1_000n], teamWithSelf: [3_000n] },
      lifetime: { personal: [1n], team: [20_000n], teamWithSelf: [9_000n] },
    });
  });

  it('is everything when a level reads an increment (it needs last month\'s figure, which a batch does not carry)', () => {
    expect(figureWatch(ladderOf(level(1, 1), level(2, 2, { upgrade: all(personal('this_month', 1n)) }), level(3, 3, { upgrade: any(increment('team', 5n)) })))).toBe('everything');
    expect(figureWatch(ladderOf(level(1, 1), level(2, 2, { upgrade: all(increment('personal', 5n)), enabled: false })))).toEqual({
      thisMonth: { personal: [], team: [], teamWithSelf: [] },
      lifetime: { personal: [], team: [], teamWithSelf: [] },
    });
  });
});

describe('where a downgrade lands', () => {
  const ladder = ladderOf(
    level(1, 1),
    level(2, 2, { keep: all(personal('this_month', 100n)) }),
    level(3, 3, { keep: all(personal('this_month', 1_000n)) }),
    level(4, 4, { keep: all(team('this_month', 5_000n)) }),
    level(6, 6, { enabled: false }),
  );
  const at = (rank: number) => ladder.levels.find((l) => l.rank === rank)!;

  it('a member whose keep conditions hold stays', () => {
    expect(downgradeTarget(ladder, at(4), facts({ t: 5_000n }), null)).toBeNull();
  });

  it('goes to the highest lower level whose keep conditions hold', () => {
    expect(downgradeTarget(ladder, at(4), facts({ p: 1_000n }), null)?.id).toBe(3);
    expect(downgradeTarget(ladder, at(4), facts({ p: 100n }), null)?.id).toBe(2);
    expect(downgradeTarget(ladder, at(4), facts(), null)?.id).toBe(1);
  });

  it('never below the level bought within the protection window', () => {
    expect(downgradeTarget(ladder, at(4), facts(), at(3))?.id).toBe(3);
    expect(downgradeTarget(ladder, at(3), facts(), at(3))).toBeNull();
    // A floor below where the keep conditions land does not pull the member further down.
    expect(downgradeTarget(ladder, at(4), facts({ p: 1_000n }), at(2))?.id).toBe(3);
  });

  it('the lowest level has nowhere to go', () => {
    expect(downgradeTarget(ladderOf(level(1, 1, { keep: all(personal('this_month', 1n)) })), level(1, 1, { keep: all(personal('this_month', 1n)) }), facts(), null)).toBeNull();
  });
});

describe('what a member pays for a level', () => {
  const silver = level(2, 2, { priceFen: 99_900n });
  const gold = level(3, 3, { priceFen: 299_900n });
  it('the price, or the difference from the current level when the operator says so', () => {
    expect(purchasePrice(level(1, 1, { priceFen: 0n }), gold, false)).toBe(299_900n);
    expect(purchasePrice(silver, gold, false)).toBe(299_900n);
    expect(purchasePrice(silver, gold, true)).toBe(200_000n);
  });
  it('nothing for levels at or below the current one, disabled, not for sale, or without a positive difference', () => {
    expect(purchasePrice(gold, silver, false)).toBeNull();
    expect(purchasePrice(gold, gold, false)).toBeNull();
    expect(purchasePrice(silver, { ...gold, enabled: false }, false)).toBeNull();
    expect(purchasePrice(silver, { ...gold, priceFen: 0n }, false)).toBeNull();
    expect(purchasePrice({ ...silver, priceFen: 400_000n }, gold, true)).toBeNull();
  });
  it('the smallest purchase counts every level a member may hold, disabled ones too', () => {
    // 金牌(旧) is disabled but still held: paying the difference, its holders pay ¥1.00 for 金牌.
    const ladder = ladderOf(level(1, 1, { priceFen: 0n }), { ...silver, priceFen: 10_000n }, level(4, 3, { priceFen: 49_900n, enabled: false }), level(5, 4, { priceFen: 50_000n }));
    expect(smallestPurchase(ladder, true)).toBe(100n);
    expect(smallestPurchase(ladder, false)).toBe(10_000n);
    expect(smallestPurchase(ladderOf(level(1, 1, { priceFen: 0n })), true)).toBeNull();
  });
});
