import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
let owner: { token: string; staffId: number };
let ops: { token: string; staffId: number };
let viewer: { token: string };

beforeAll(async () => {
  ctx = await createTestContext();
  owner = await ctx.staffToken(['owner']);
  ops = await ctx.staffToken(['ops']);
  viewer = await ctx.staffToken(['viewer']);
});
afterAll(() => ctx.close());

type LevelJson = { id?: number; name: string; rank: number; priceFen: string; rateProfitSharePpm: number; upgrade: unknown; keep: unknown; enabled: boolean; holders?: number };
const readLadder = async () => (await ctx.app.inject({ method: 'GET', url: '/api/admin/levels', headers: bearer(viewer.token) })).json() as { version: number; levels: LevelJson[] };
const save = (token: string, version: number, levels: unknown[]) => ctx.app.inject({ method: 'PUT', url: '/api/admin/levels', headers: bearer(token), payload: { version, levels } });
/** The ladder as read, ready to send back (holders is read-only). */
const editable = (levels: LevelJson[]) => levels.map(({ holders: _h, ...l }) => l);

describe('the default ladder', () => {
  it('is seeded as version 1: 普通商户 to 省级代理 with rising prices and rates; the top levels have upgrade conditions', async () => {
    const ladder = await readLadder();
    expect(ladder.version).toBe(1);
    expect(ladder.levels.map((l) => [l.name, l.rank, l.priceFen, l.rateProfitSharePpm])).toEqual([
      ['普通商户', 1, '0', 0],
      ['银牌', 2, '99900', 20_000],
      ['金牌', 3, '299900', 40_000],
      ['市级代理', 4, '999900', 60_000],
      ['省级代理', 5, '2999900', 80_000],
    ]);
    expect(ladder.levels[4]!.upgrade).toMatchObject({ mode: 'all', conditions: [{ kind: 'team_performance', period: 'lifetime' }, { kind: 'direct_members', min: 3, minLevelRank: 4 }] });
    const versions = (await ctx.app.inject({ method: 'GET', url: '/api/admin/levels/versions', headers: bearer(viewer.token) })).json();
    expect(versions.items).toMatchObject([{ version: 1, savedByKind: 'system', savedBy: null }]);
    expect(versions.items[0].levels).toHaveLength(5);
  });

  it('members (and visitors) read it in words, with prices as fen strings', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/member/levels' });
    expect(res.statusCode, res.body).toBe(200);
    const levels = res.json().levels;
    expect(levels[0]).toMatchObject({ name: '普通商户', priceFen: '0', forSale: false, upgrade: { summary: '', items: [] } });
    expect(levels[2]).toMatchObject({ name: '金牌', priceFen: '299900', forSale: true, rateProfitSharePpm: 40_000 });
    expect(levels[2].upgrade.summary).toBe('同时满足：本月团队业绩（含本人）不低于 ¥100000.00；银牌及以上的直推成员不少于 3 人');
    expect(levels[1].upgrade.summary).toContain('满足任一');
  });
});

describe('saving the ladder', () => {
  it('edits, creates, reorders and disables in one save; the save is a new version with a snapshot and an audit entry', async () => {
    const before = await readLadder();
    // Sent back as read (holders included: it is ignored).
    const levels: LevelJson[] = before.levels.map((l) => ({ ...l }));
    // Rename, a new level between 金牌 and 市级代理, ranks shifted up by one above it, 省级代理 disabled.
    levels[1]!.name = '银牌会员';
    for (const l of levels.slice(3)) l.rank += 1;
    levels[4]!.enabled = false;
    levels.push({ name: '区县代理', rank: 4, priceFen: '599900', rateProfitSharePpm: 50_000, upgrade: { mode: 'all', conditions: [{ kind: 'increment', scope: 'team', minFen: '100000' }] }, keep: { mode: 'all', conditions: [] }, enabled: true });
    const res = await save(ops.token, before.version, levels);
    expect(res.statusCode, res.body).toBe(200);
    const after = res.json() as { version: number; levels: LevelJson[] };
    expect(after.version).toBe(before.version + 1);
    expect(after.levels.map((l) => `${l.rank}:${l.name}${l.enabled ? '' : '(off)'}`)).toEqual(['1:普通商户', '2:银牌会员', '3:金牌', '4:区县代理', '5:市级代理', '6:省级代理(off)']);
    // Ids are stable: the renamed level keeps its id.
    expect(after.levels[1]!.id).toBe(before.levels[1]!.id);

    const versions = (await ctx.app.inject({ method: 'GET', url: '/api/admin/levels/versions?limit=1', headers: bearer(viewer.token) })).json();
    expect(versions.items[0]).toMatchObject({ version: after.version, savedByKind: 'staff', savedBy: ops.staffId });
    expect(versions.items[0].levels.map((l: LevelJson) => l.name)).toContain('区县代理');
    expect(versions.nextCursor).not.toBeNull();
    const audit = await queryRows<{ actor_id: unknown; before: { version: number }; after: { version: number } }>(ctx.database.db, sql`
      select actor_id, before, after from audit_log where action = 'levels.ladder_saved' order by id desc limit 1`);
    expect(Number(audit[0]!.actor_id)).toBe(ops.staffId);
    expect(audit[0]!.before.version).toBe(before.version);
    expect(audit[0]!.after.version).toBe(after.version);
  });

  it('a stale version gets 409 and changes nothing', async () => {
    const now = await readLadder();
    const res = await save(owner.token, now.version - 1, editable(now.levels));
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'CONFLICT', details: { currentVersion: now.version } });
    expect((await readLadder()).version).toBe(now.version);
  });

  it('each rule answers 400 with a detail naming the field', async () => {
    const now = await readLadder();
    const base = () => editable(now.levels);
    const cases: [string, (l: LevelJson[]) => unknown[], string][] = [
      ['duplicate rank', (l) => ((l[2]!.rank = 2), l), 'body.levels.2.rank'],
      ['rate falls with rank', (l) => ((l[3]!.rateProfitSharePpm = 10_000), l), 'body.levels.3.rateProfitSharePpm'],
      ['condition counts a rank nobody has', (l) => ((l[2]!.upgrade = { mode: 'all', conditions: [{ kind: 'direct_members', min: 1, minLevelRank: 42 }] }), l), 'body.levels.2.upgrade.conditions.0.minLevelRank'],
      ['no enabled level', (l) => l.map((x) => ({ ...x, enabled: false })), 'body.levels'],
      ['negative amount', (l) => ((l[1]!.upgrade = { mode: 'all', conditions: [{ kind: 'personal_performance', period: 'this_month', minFen: '-5' }] }), l), 'body.levels.1.upgrade.conditions.0.minFen'],
      ['negative count', (l) => ((l[1]!.keep = { mode: 'any', conditions: [{ kind: 'direct_members', min: -1 }] }), l), 'body.levels.1.keep.conditions.0.min'],
      ['negative price', (l) => ((l[1]!.priceFen = '-1'), l), 'body.levels.1.priceFen'],
      ['unknown level id', (l) => ((l[1]!.id = 999_999), l), 'body.levels.1.id'],
    ];
    for (const [what, mutate, field] of cases) {
      const res = await save(owner.token, now.version, mutate(base()));
      expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.details.map((d: { field: string }) => d.field), what).toContain(field);
    }
    expect((await readLadder()).version).toBe(now.version);
  });

  it('a level a member holds can be disabled but not removed; an unused one can be removed', async () => {
    const m = await ctx.registerMember('13800001001');
    let now = await readLadder();
    const gold = now.levels.find((l) => l.name === '金牌')!;
    const set = await ctx.app.inject({ method: 'PUT', url: `/api/admin/members/${m.memberId}/level`, headers: bearer(owner.token), payload: { levelId: gold.id, reason: '测试持有' } });
    expect(set.statusCode, set.body).toBe(200);
    now = await readLadder();
    expect(now.levels.find((l) => l.id === gold.id)!.holders).toBe(1);

    const removed = await save(owner.token, now.version, editable(now.levels).filter((l) => l.id !== gold.id));
    expect(removed.statusCode).toBe(409);
    expect(removed.json().error.details).toEqual([{ levelId: gold.id, name: '金牌', holders: 1, pendingOrders: 0 }]);

    // Disabling works once the rates above it still rise (they do: 50,000 and up).
    const disabled = await save(owner.token, now.version, editable(now.levels).map((l) => (l.id === gold.id ? { ...l, enabled: false } : l)));
    expect(disabled.statusCode, disabled.body).toBe(200);
    const mine = (await ctx.app.inject({ method: 'GET', url: '/api/member/level', headers: bearer(m.token) })).json();
    expect(mine.level).toMatchObject({ name: '金牌', enabled: false });

    now = await readLadder();
    const county = now.levels.find((l) => l.name === '区县代理')!;
    const without = editable(now.levels).filter((l) => l.id !== county.id);
    // 省级代理 counts direct members at rank 4, which 区县代理 was: the save must say what it counts now.
    const refused = await save(owner.token, now.version, without);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual([{ field: 'body.levels.4.upgrade.conditions.1.minLevelRank', message: 'No level has rank 4' }]);
    without[4]!.upgrade = { mode: 'all', conditions: [{ kind: 'direct_members', min: 3, minLevelRank: 5 }] };
    const dropped = await save(owner.token, now.version, without);
    expect(dropped.statusCode, dropped.body).toBe(200);
    expect(dropped.json().levels.map((l: LevelJson) => l.name)).not.toContain('区县代理');
  });

  it('viewers and members cannot save the ladder; only the owner changes the level settings', async () => {
    const now = await readLadder();
    expect((await save(viewer.token, now.version, editable(now.levels))).statusCode).toBe(403);
    const m = await ctx.registerMember('13800001002');
    expect((await save(m.token, now.version, editable(now.levels))).statusCode).toBe(403);
    expect((await readLadder()).version).toBe(now.version);

    const settings = (await ctx.app.inject({ method: 'GET', url: '/api/admin/settings/levels', headers: bearer(viewer.token) })).json();
    expect(settings).toEqual({ upgradeByDifference: false, downgradeEnabled: false, protectionDays: 365, version: 0 });
    const body = { ...settings, upgradeByDifference: true };
    expect((await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/levels', headers: bearer(ops.token), payload: body })).statusCode).toBe(403);
    const put = await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/levels', headers: bearer(owner.token), payload: body });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ upgradeByDifference: true, version: 1 });
    expect((await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/levels', headers: bearer(owner.token), payload: body })).statusCode).toBe(409);
    expect((await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/levels', headers: bearer(owner.token), payload: { ...body, version: 1, protectionDays: -1 } })).statusCode).toBe(400);
  });
});
