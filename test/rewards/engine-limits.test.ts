import { describe, expect, it } from 'vitest';
import type { Fen } from '../../src/lib/money.js';
import type { Trigger } from '../../src/modules/rewards/definitions.js';
import { usageKey } from '../../src/modules/rewards/engine.js';
import { type RuleSet, ruleSetInput, validateRuleSet, type ValidationContext, worstCases } from '../../src/modules/rewards/rule-set.js';
import { L, person, DAY, MONTH, event, type Json, ruleSet, rule, profitShare, run, brief, reasons, sum } from './engine-fixtures.js';

/**
 * Hand-computed scenarios of the reward engine: caps, the per-event ceiling, and rule-set validation with worst cases (SPEC §6, §9).
 */

describe('caps', () => {
  const direct = (caps: Json, fixedFen = '1000') => rule('direct', { name: '直推奖', amount: { fixedFen }, caps });

  it('on the 1st of a month the day and the month are separate periods: a daily cap counts the day only', () => {
    // A month is written as its first day; on the 1st the two once shared one key and were counted twice.
    const set = ruleSet({ rules: [direct({ dailyFen: '2500', monthlyFen: '100000' })], memberCaps: { dailyFen: '2500', monthlyFen: '100000' } });
    const first = { ...event('onboarding_fee_paid', 19_900n, new Date('2025-03-01T04:00:00Z')), day: MONTH };
    const usage: [string, Fen][] = [
      [usageKey(2, 'rule:direct', 'day', MONTH), 1000n],
      [usageKey(2, 'rule:direct', 'month', MONTH), 1000n],
      [usageKey(2, 'total', 'day', MONTH), 1000n],
      [usageKey(2, 'total', 'month', MONTH), 1000n],
    ];
    const { result } = run(set, first, person(1, 'basic'), [person(2, 'basic')], usage);
    // 1,000 paid today + 1,000 now = 2,000 ≤ 2,500: nothing cut.
    expect(brief(result.payouts)).toEqual([[2, 1, 1000n]]);
    expect(result.payouts[0]!.cuts).toEqual([]);
  });

  it('rule daily cap partly used: the payout is cut to the room left (rule_daily_cap)', () => {
    const set = ruleSet({ rules: [direct({ dailyFen: '2500', monthlyFen: null })] });
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], [[usageKey(2, 'rule:direct', 'day', DAY), 2000n]]);
    expect(brief(result.payouts)).toEqual([[2, 1, 500n]]);
    const p = result.payouts[0]!;
    expect(p.grossFen).toBe(1000n);
    expect(p.cuts).toEqual([{ kind: 'rule_daily_cap', fen: 500n, roomFen: 500n }]);
    expect(p.text).toContain('本规则日封顶扣减 ¥5.00');
    expect(p.text).toContain('实得 ¥5.00');
    expect(p.text).toContain('直推奖');
    expect(result.added).toEqual(
      new Map([
        [usageKey(2, 'rule:direct', 'day', DAY), 500n],
        [usageKey(2, 'rule:direct', 'month', MONTH), 500n],
        [usageKey(2, 'total', 'day', DAY), 500n],
        [usageKey(2, 'total', 'month', MONTH), 500n],
      ]),
    );
  });

  it('rule monthly cap reads the month key, not the day key', () => {
    const set = ruleSet({ rules: [direct({ dailyFen: null, monthlyFen: '3000' })] });
    const usage: [string, Fen][] = [
      [usageKey(2, 'rule:direct', 'day', DAY), 999_999n], // no daily cap: irrelevant
      [usageKey(2, 'rule:direct', 'month', MONTH), 2700n],
    ];
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], usage);
    expect(brief(result.payouts)).toEqual([[2, 1, 300n]]);
    expect(result.payouts[0]!.cuts).toEqual([{ kind: 'rule_monthly_cap', fen: 700n, roomFen: 300n }]);
    expect(result.payouts[0]!.text).toContain('本规则月封顶');
  });

  it("another member's or another rule's usage does not count", () => {
    const set = ruleSet({ rules: [direct({ dailyFen: '1000', monthlyFen: null })] });
    const usage: [string, Fen][] = [
      [usageKey(3, 'rule:direct', 'day', DAY), 1000n],
      [usageKey(2, 'rule:other', 'day', DAY), 1000n],
      [usageKey(2, 'rule:direct', 'day', '2025-03-14'), 1000n],
    ];
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], usage);
    expect(brief(result.payouts)).toEqual([[2, 1, 1000n]]);
    expect(result.payouts[0]!.cuts).toEqual([]);
  });

  it('member monthly cap across everything (每月收益封顶)', () => {
    const set = ruleSet({ memberCaps: { dailyFen: null, monthlyFen: '10000' }, rules: [direct({ dailyFen: null, monthlyFen: null })] });
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], [[usageKey(2, 'total', 'month', MONTH), 9700n]]);
    expect(brief(result.payouts)).toEqual([[2, 1, 300n]]);
    expect(result.payouts[0]!.cuts).toEqual([{ kind: 'member_monthly_cap', fen: 700n, roomFen: 300n }]);
    expect(result.payouts[0]!.text).toContain('每月收益封顶');
  });

  it('member daily cap (每日收益封顶) also limits profit share', () => {
    const set = ruleSet({ memberCaps: { dailyFen: '5000', monthlyFen: null }, profitShare: profitShare() });
    // 4 % − 2 % of 1,000,000 = 20,000; room 5,000 − 1,000 = 4,000.
    const { result } = run(set, event('transaction_settled', 1_000_000n), person(1, 'basic'), [person(2, 'silver')], [[usageKey(2, 'total', 'day', DAY), 1000n]]);
    expect(brief(result.payouts)).toEqual([[2, 1, 4000n]]);
    expect(result.payouts[0]!.cuts).toEqual([{ kind: 'member_daily_cap', fen: 16_000n, roomFen: 4000n }]);
    expect(result.payouts[0]!.text).toContain('每日收益封顶');
  });

  it('cap already exhausted: no payout, decision cut_to_zero', () => {
    const set = ruleSet({ memberCaps: { dailyFen: '5000', monthlyFen: null }, rules: [direct({ dailyFen: null, monthlyFen: null })] });
    for (const used of [5000n, 7000n]) {
      const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], [[usageKey(2, 'total', 'day', DAY), used]]);
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
    const { result } = run(set, event('onboarding_fee_paid', 19_900n), person(1, 'basic'), [person(2, 'basic')], [[usageKey(2, 'rule:direct', 'day', DAY), 1000n]]);
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
    expect(result.added.get(usageKey(2, 'total', 'day', DAY))).toBe(1000n);
    expect(result.added.get(usageKey(2, 'total', 'month', MONTH))).toBe(1000n);
    expect(result.added.get(usageKey(2, 'rule:first', 'day', DAY))).toBe(600n);
    expect(result.added.get(usageKey(2, 'rule:second', 'day', DAY))).toBe(400n);
    expect(result.added.has(usageKey(2, 'rule:third', 'day', DAY))).toBe(false);
  });

  it('each_ancestor with a rule cap: caps are per recipient', () => {
    const set = ruleSet({ rules: [rule('each', { recipient: { code: 'each_ancestor' }, amount: { fixedFen: '1000' }, caps: { dailyFen: '1500', monthlyFen: null } })] });
    const usage: [string, Fen][] = [
      [usageKey(2, 'rule:each', 'day', DAY), 1500n],
      [usageKey(3, 'rule:each', 'day', DAY), 1000n],
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
    expect(result.added.get(usageKey(4, 'total', 'day', DAY))).toBe(2000n);
    expect(result.added.get(usageKey(3, 'total', 'day', DAY))).toBe(3000n);
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

  it('refuses a profit-share condition naming a rank the ladder does not have (it would stop profit share silently)', () => {
    const set = ruleSet({ ceilings: ceilings(1_000_000), profitShare: profitShare(null, [{ code: 'min_level_rank', args: { rank: 9 } }]) });
    expect(validateRuleSet(set, ctx).problems).toEqual([{ path: 'profitShare.conditions.0', message: '级差分润的条件引用的等级序号 9 不存在' }]);
    const fine = ruleSet({ ceilings: ceilings(1_000_000), profitShare: profitShare(null, [{ code: 'min_level_rank', args: { rank: 2 } }]) });
    expect(validateRuleSet(fine, ctx).problems).toEqual([]);
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

describe('stored snapshots from before usage keys named their period', () => {
  it('are read back as the day, the month, or on the 1st both, as the engine then saw them', async () => {
    const { inputFromSnapshot } = await import('../../src/modules/rewards/inputs.service.js');
    const snapshot = { member: [1, 1, '普通', 1, 0, 1] as const, ancestors: [], usage: {} as Record<string, string> };
    const mid = inputFromSnapshot({ ...snapshot, member: [...snapshot.member], usage: { '2|total|2025-03-15': '100', '2|rule:direct|2025-03-01': '500', [usageKey(2, 'total', 'month', MONTH)]: '700' } }, event('onboarding_fee_paid', 100n), ruleSet());
    expect([...mid.usage]).toEqual([
      [usageKey(2, 'total', 'day', DAY), 100n],
      [usageKey(2, 'rule:direct', 'month', MONTH), 500n],
      [usageKey(2, 'total', 'month', MONTH), 700n],
    ]);
    const first = inputFromSnapshot({ ...snapshot, member: [...snapshot.member], usage: { '2|total|2025-03-01': '400' } }, { ...event('onboarding_fee_paid', 100n), day: MONTH }, ruleSet());
    expect([...first.usage]).toEqual([
      [usageKey(2, 'total', 'day', MONTH), 400n],
      [usageKey(2, 'total', 'month', MONTH), 400n],
    ]);
  });
});
