import { describe, expect, it } from 'vitest';
import { mulPpm } from '../../src/lib/money.js';
import { type PerformanceSnapshot, type Person, zeroPerformance } from '../../src/modules/rewards/definitions.js';
import { verdictsFor } from '../../src/modules/rewards/engine.js';
import { L, rich, person, event, type Json, ruleSet, rule, profitShare, run, brief, reasons } from './engine-fixtures.js';

/**
 * Hand-computed scenarios of the reward engine: recipients, amounts, conditions, effective windows and verdicts (SPEC §6).
 */

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
    // The others in reach are told the rule is not theirs (an answer to "why was I not paid").
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'other_generation'],
      [4, 3, 'other_generation'],
      [3, 2, 'paid'],
    ]);
    expect(result.decisions[0]!.text).toBe('规则「间推入驻奖」(v7)只发给间推上级，不发给直推');
    expect(result.totalFen).toBe(1000n);
    expect(result.version).toBe(7);
    expect(result.eventId).toBe(501);
  });

  it('if that ancestor fails a condition nobody is paid (not a nearer or farther one)', () => {
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'gold'), person(3, 'basic', { active: false }), person(4, 'diamond')]);
    expect(result.payouts).toEqual([]);
    expect(result.totalFen).toBe(0n);
    expect(reasons(result.decisions).filter(([, , r]) => r !== 'other_generation')).toEqual([[3, 2, 'conditions']]);
    const failed = result.decisions.find((d) => d.reason === 'conditions')!;
    expect(failed.conditions).toEqual([expect.objectContaining({ code: 'active', holds: false })]);
    expect(failed.text).toContain('未激活');
  });

  it('no ancestor at that generation: decision no_ancestor', () => {
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'gold')]);
    expect(result.payouts).toEqual([]);
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'other_generation'],
      [null, 2, 'no_ancestor'],
    ]);
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
    // The farther one is told a nearer ancestor took it.
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'paid'],
      [3, 2, 'nearer_paid'],
    ]);
    expect(result.decisions[1]!.text).toBe('规则「市级代理奖」(v7)只发给最近一位符合条件的上级，本次已由直推领取');
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
    // Every candidate is also checked for being active (SPEC §3); a rule listing that condition gets it once.
    expect(ok.decisions[0]!.conditions).toEqual(code === 'active' ? [expect.objectContaining({ code, holds: true })] : [expect.objectContaining({ code: 'active', holds: true }), expect.objectContaining({ code, holds: true })]);
    const no = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [withOverrides(fail)]).result;
    expect(no.payouts, name).toEqual([]);
    expect(reasons(no.decisions)).toEqual([[2, 1, 'conditions']]);
    expect(no.decisions[0]!.conditions.filter((c) => !c.holds)).toEqual([expect.objectContaining({ code, holds: false })]);
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
    expect(no.decisions[0]!.conditions).toEqual([expect.objectContaining({ code: 'active', holds: true }), expect.objectContaining({ code: 'min_base_amount', holds: false })]);
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

  it('only active members earn (SPEC §3): a rule without an active condition still skips an inactive ancestor, and says so', () => {
    const set = ruleSet({ rules: [rule('any', { amount: { fixedFen: '300' } })] });
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic', { active: false })]);
    expect(result.payouts).toEqual([]);
    expect(reasons(result.decisions)).toEqual([[2, 1, 'conditions']]);
    expect(result.decisions[0]!.conditions.map((c) => [c.code, c.holds])).toEqual([['active', false]]);
    expect(result.decisions[0]!.text).toContain('未激活');
  });

  it('a nearest-with-level rule passes over an inactive ancestor of the right rank to the next active one', () => {
    const set = ruleSet({ rules: [rule('city', { name: '市级代理奖', trigger: 'level_purchased', recipient: { code: 'nearest_ancestor_with_level', args: { minRank: 3 } }, amount: { ppm: 5_000 } })] });
    const { result } = run(set, event('level_purchased', 100_000n), person(1, 'basic'), [person(2, 'gold', { active: false }), person(3, 'gold')]);
    expect(brief(result.payouts)).toEqual([[3, 2, 500n]]);
    expect(reasons(result.decisions)).toEqual([
      [2, 1, 'conditions'],
      [3, 2, 'paid'],
    ]);
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
      ['rule', 2, 'other_generation'], // gen2 pays the 间推 only
      ['rule', null, 'not_in_effect'],
      ['profit_share', 2, 'paid'],
    ]);
    expect(g1.decisions[2]!.amountFen).toBe(2000n);
  });
});
