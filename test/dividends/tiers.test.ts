import { describe, expect, it } from 'vitest';
import { type MemberMonthFacts, poolOf, qualifiedDirectsKey, qualify, split, tierSetInput, type Tier } from '../../src/modules/dividends/tiers.js';

const tier = (conditions: Record<string, unknown>, extra: Record<string, unknown> = {}): Tier => tierSetInput.parse({ tiers: [{ id: 't1', name: '测试档', poolPpm: 10_000, conditions, ...extra }] }).tiers[0]!;
const facts = (f: Partial<MemberMonthFacts> & { directs?: Record<string, number> }): MemberMonthFacts => ({
  memberId: 1,
  personalFen: f.personalFen ?? 0n,
  teamFen: f.teamFen ?? 0n,
  teamLastMonthFen: f.teamLastMonthFen ?? 0n,
  qualifiedDirects: new Map(Object.entries(f.directs ?? {})),
});

describe('dividend qualification (SPEC §8)', () => {
  it('team, personal, qualified directs and team increment, each at its boundary, with evidence in words', () => {
    const t = tier({ minTeamFen: '500000', minPersonalFen: '10000', qualifiedDirects: { min: 2, minLevelRank: 3 }, minTeamIncrementFen: '100000' });
    const key = qualifiedDirectsKey(t.conditions.qualifiedDirects!);
    const exact = qualify(t, facts({ teamFen: 500_000n, personalFen: 10_000n, teamLastMonthFen: 400_000n, directs: { [key]: 2 } }));
    expect(exact.qualifies).toBe(true);
    expect(exact.evidence.map((e) => [e.code, e.holds, e.actual, e.required])).toEqual([
      ['team', true, '500000', '500000'],
      ['personal', true, '10000', '10000'],
      ['qualified_directs', true, '2', '2'],
      ['team_increment', true, '100000', '100000'],
    ]);
    expect(exact.evidence[0]!.text).toBe('团队业绩 ¥5000.00，要求 ≥ ¥5000.00');
    expect(exact.evidence[2]!.text).toBe('合格直推（等级序号 ≥ 3）2 人，要求 ≥ 2 人');
    // One fen or one member short on any condition fails the tier, and the evidence says which.
    for (const [change, code] of [
      [{ teamFen: 499_999n, teamLastMonthFen: 399_999n }, 'team'],
      [{ personalFen: 9_999n }, 'personal'],
      [{ directs: { [key]: 1 } }, 'qualified_directs'],
      [{ teamLastMonthFen: 400_001n }, 'team_increment'],
    ] as const) {
      const passing: Parameters<typeof facts>[0] = { teamFen: 500_000n, personalFen: 10_000n, teamLastMonthFen: 400_000n, directs: { [key]: 2 } };
      const r = qualify(t, facts({ ...passing, ...change }));
      expect(r.qualifies).toBe(false);
      expect(r.evidence.filter((e) => !e.holds).map((e) => e.code)).toEqual([code]);
    }
  });

  it('a negative increment (a shrinking team) fails a zero-increment condition', () => {
    const t = tier({ minTeamIncrementFen: '0' });
    expect(qualify(t, facts({ teamFen: 100n, teamLastMonthFen: 101n })).qualifies).toBe(false);
    expect(qualify(t, facts({ teamFen: 101n, teamLastMonthFen: 101n })).qualifies).toBe(true);
  });

  it('facts missing a qualified-direct count are a loader bug, not zero', () => {
    expect(() => qualify(tier({ qualifiedDirects: { min: 1, minPersonalFen: '100' } }), facts({}))).toThrow(/lack qualified direct members/);
  });
});

describe('pools and shares', () => {
  it('pool = floor(volume × ppm / 1,000,000); shares floored; the remainder is what is left', () => {
    expect(poolOf(123_456_789n, 10_000)).toBe(1_234_567n);
    expect(poolOf(99n, 10_000)).toBe(0n);
    expect(poolOf(-5_000n, 10_000)).toBe(0n);
    expect(split(1_000n, 3)).toEqual({ shareFen: 333n, remainderFen: 1n });
    expect(split(1_000n, 1)).toEqual({ shareFen: 1_000n, remainderFen: 0n });
    // No qualifiers: nobody is paid and the whole pool stays with the platform.
    expect(split(1_000n, 0)).toEqual({ shareFen: 0n, remainderFen: 1_000n });
    // Shares × qualifiers + remainder is always the pool.
    for (const [pool, n] of [[7n, 2], [1_000_001n, 7], [5n, 9]] as const) {
      const s = split(pool, n);
      expect(s.shareFen * BigInt(n) + s.remainderFen).toBe(pool);
      expect(s.remainderFen < BigInt(n)).toBe(true);
    }
  });
});

describe('tier validation', () => {
  it('refuses tiers without conditions, duplicate ids, pools over 30% in total, and a qualified-direct rule that says nothing', () => {
    const base = { name: 'x', poolPpm: 10_000, conditions: { minTeamFen: '1' } };
    expect(tierSetInput.safeParse({ tiers: [{ ...base, id: 'a', conditions: {} }] }).success).toBe(false);
    expect(tierSetInput.safeParse({ tiers: [{ ...base, id: 'a' }, { ...base, id: 'a' }] }).success).toBe(false);
    expect(tierSetInput.safeParse({ tiers: [{ ...base, id: 'a', poolPpm: 200_000 }, { ...base, id: 'b', poolPpm: 100_001 }] }).success).toBe(false);
    expect(tierSetInput.safeParse({ tiers: [{ ...base, id: 'a', conditions: { qualifiedDirects: { min: 1 } } }] }).success).toBe(false);
    expect(tierSetInput.safeParse({ tiers: [{ ...base, id: 'a' }, { ...base, id: 'b', poolPpm: 200_000, enabled: false }] }).success).toBe(true);
  });
});
