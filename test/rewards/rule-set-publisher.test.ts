import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';

/**
 * Rule-set versions say who saved and who published them, to every staff
 * role that may read them (not only owners, who alone read the audit log).
 */
let ctx: TestContext;
let owner: { token: string; staffId: number };
let ops: { token: string; staffId: number };
let viewer: { token: string; staffId: number };

interface Actor {
  id: number;
  displayName: string;
}
interface Version {
  version: number;
  state: string;
  body: { memberCaps: { dailyFen: string | null } };
  createdBy: Actor | null;
  publishedBy: Actor | null;
}

const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) });

beforeAll(async () => {
  ctx = await createTestContext();
  owner = await ctx.staffToken(['owner']);
  ops = await ctx.staffToken(['ops']);
  viewer = await ctx.staffToken(['viewer']);
  // Display names differ from usernames, so the answer is seen to carry the name people know.
  await ctx.database.db.execute(sql`update staff set display_name = '王店长' where id = ${owner.staffId}`);
  await ctx.database.db.execute(sql`update staff set display_name = '李运营' where id = ${ops.staffId}`);
});
afterAll(() => ctx.close());

describe('who created and who published a rule-set version', () => {
  it('the version the system installed has neither', async () => {
    const active = (await get('/api/admin/rewards/rule-sets/active', viewer.token)).json() as Version;
    expect(active).toMatchObject({ state: 'published', createdBy: null, publishedBy: null });
  });

  it('a viewer sees the ops member who saved a version and the owner who published it, everywhere versions are read', async () => {
    const before = (await get('/api/admin/rewards/rule-sets/active', owner.token)).json() as Version;
    const body = structuredClone(before.body);
    body.memberCaps.dailyFen = '20000';
    const saved = await ctx.app.inject({ method: 'PUT', url: '/api/admin/rewards/draft', headers: bearer(ops.token), payload: { basedOn: before.version, note: 'daily cap', body } });
    expect(saved.statusCode, saved.body).toBe(200);
    const draft = saved.json() as Version;
    expect(draft).toMatchObject({ state: 'draft', createdBy: { id: ops.staffId, displayName: '李运营' }, publishedBy: null });

    const published = await ctx.app.inject({ method: 'POST', url: '/api/admin/rewards/draft/publish', headers: bearer(owner.token), payload: { draftVersion: draft.version } });
    expect(published.statusCode, published.body).toBe(200);
    const ownerActor = { id: owner.staffId, displayName: '王店长' };
    const opsActor = { id: ops.staffId, displayName: '李运营' };
    expect(published.json()).toMatchObject({ version: draft.version, createdBy: opsActor, publishedBy: ownerActor });

    // The viewer may not read the audit log, yet sees the names on every rule-set read.
    expect((await get('/api/admin/audit-log', viewer.token)).statusCode).toBe(403);
    const active = (await get('/api/admin/rewards/rule-sets/active', viewer.token)).json() as Version;
    expect(active).toMatchObject({ version: draft.version, createdBy: opsActor, publishedBy: ownerActor });
    const one = (await get(`/api/admin/rewards/rule-sets/${draft.version}`, viewer.token)).json() as Version;
    expect(one).toMatchObject({ createdBy: opsActor, publishedBy: ownerActor });
    const list = (await get('/api/admin/rewards/rule-sets', viewer.token)).json() as { items: Version[] };
    expect(list.items.map((v) => [v.version, v.state, v.createdBy, v.publishedBy])).toEqual([
      [draft.version, 'published', opsActor, ownerActor],
      [before.version, 'retired', null, null],
    ]);

    // A new draft by the owner: the draft answer names its author and no publisher yet.
    const next = await ctx.app.inject({ method: 'PUT', url: '/api/admin/rewards/draft', headers: bearer(owner.token), payload: { basedOn: draft.version, body } });
    expect(next.statusCode, next.body).toBe(200);
    const read = (await get('/api/admin/rewards/draft', viewer.token)).json() as { draft: Version };
    expect(read.draft).toMatchObject({ state: 'draft', createdBy: ownerActor, publishedBy: null });
  });
});
