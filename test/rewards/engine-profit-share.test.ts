import { describe, expect, it } from 'vitest';
import { person, event, ruleSet, profitShare, run, brief, reasons } from './engine-fixtures.js';

/**
 * Hand-computed scenarios of the reward engine: profit share with roll-up and the peer bonus (SPEC §7).
 */

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
