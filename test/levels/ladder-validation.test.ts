import { describe, expect, it } from 'vitest';
import type { ConditionSet } from '../../src/modules/levels/conditions.js';
import { type LevelDraft, validateLadder } from '../../src/modules/levels/ladder.js';

const none: ConditionSet = { mode: 'all', conditions: [] };
const draft = (rank: number, over: Partial<LevelDraft> = {}): LevelDraft => ({
  name: `L${rank}`,
  rank,
  priceFen: 0n,
  rateProfitSharePpm: rank * 10_000,
  upgrade: none,
  keep: none,
  enabled: true,
  ...over,
});
const fields = (drafts: LevelDraft[], existing: number[] = []) => validateLadder(drafts, new Set(existing)).map((p) => p.field);

describe('saving a ladder', () => {
  it('accepts a sound ladder', () => {
    expect(validateLadder([draft(1), draft(2), draft(3, { upgrade: { mode: 'all', conditions: [{ kind: 'direct_members', min: 2, minLevelRank: 2 }] } })], new Set())).toEqual([]);
  });

  it('needs at least one enabled level', () => {
    expect(fields([])).toEqual(['body.levels']);
    expect(fields([draft(1, { enabled: false })])).toEqual(['body.levels']);
  });

  it('refuses a rank used twice', () => {
    const problems = validateLadder([draft(1), draft(2, { name: 'A' }), draft(2, { name: 'B', rateProfitSharePpm: 30_000 })], new Set());
    expect(problems).toEqual([{ field: 'body.levels.2.rank', message: expect.stringContaining('Rank 2 is used twice') }]);
  });

  it('refuses a name used twice', () => {
    expect(fields([draft(1, { name: '银牌' }), draft(2, { name: ' 银牌 ' })])).toEqual(['body.levels.1.name']);
  });

  it('refuses a profit-share rate below that of a lower-ranked enabled level, whatever the order sent', () => {
    const problems = validateLadder([draft(3, { rateProfitSharePpm: 10_000 }), draft(1, { rateProfitSharePpm: 0 }), draft(2, { rateProfitSharePpm: 20_000 })], new Set());
    expect(problems).toEqual([{ field: 'body.levels.0.rateProfitSharePpm', message: expect.stringContaining('lower profit-share rate') }]);
  });

  it('compares disabled levels too, since members may still hold them', () => {
    expect(fields([draft(1, { rateProfitSharePpm: 0 }), draft(2, { rateProfitSharePpm: 90_000, enabled: false }), draft(3, { rateProfitSharePpm: 20_000 })])).toEqual(['body.levels.2.rateProfitSharePpm']);
  });

  it('keeps the starting level (where members without a level stand) enabled and lowest', () => {
    const starting = { id: 5, name: '普通商户' };
    expect(validateLadder([draft(1, { id: 5 }), draft(2)], new Set([5]), starting)).toEqual([]);
    expect(validateLadder([draft(1, { id: 5, enabled: false }), draft(2)], new Set([5]), starting).map((p) => p.field)).toEqual(['body.levels.0.enabled']);
    expect(validateLadder([draft(0), draft(1, { id: 5 })], new Set([5]), starting).map((p) => p.field)).toEqual(['body.levels.1.enabled']);
    expect(validateLadder([draft(2)], new Set([5]), starting).map((p) => p.field)).toEqual(['body.levels']);
  });

  it('refuses conditions that count members at a rank no level has', () => {
    const problems = fields([draft(1), draft(2, { keep: { mode: 'any', conditions: [{ kind: 'personal_performance', period: 'this_month', minFen: 1n }, { kind: 'direct_members', min: 1, minLevelRank: 7 }] } })]);
    expect(problems).toEqual(['body.levels.1.keep.conditions.1.minLevelRank']);
  });

  it('refuses ids that do not exist or appear twice', () => {
    expect(fields([draft(1, { id: 5 }), draft(2, { id: 9 })], [5])).toEqual(['body.levels.1.id']);
    expect(fields([draft(1, { id: 5 }), draft(2, { id: 5 })], [5])).toEqual(['body.levels.1.id']);
  });

  it('reports every problem at once', () => {
    expect(fields([draft(1, { enabled: false }), draft(1, { enabled: false })]).sort()).toEqual(['body.levels', 'body.levels.1.name', 'body.levels.1.rank'].sort());
  });
});
