import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFieldCipher } from '../../src/lib/crypto.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { bindMerchant, createChannel } from '../../src/modules/channels/channels.service.js';
import { ingestRecords } from '../../src/modules/channels/ingest.service.js';
import { drainPerformance, monthOf, shiftMonth } from '../../src/modules/performance/performance.service.js';
import { bindFirst } from '../../src/modules/referrals/tree.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
const actor = systemAuditContext('test');

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('performance API', () => {
  it('a member reads its own months with increments; staff read any member and the ranking; members cannot read others', async () => {
    const a = await ctx.registerMember('13700001001');
    const b = await ctx.registerMember('13700001002');
    const db = ctx.database.db;
    await db.transaction((tx) => bindFirst(tx, { memberId: b.memberId, parentId: a.memberId, via: 'invite_code', actor }));
    await createChannel(db, createFieldCipher(Buffer.alloc(32, 1)), actor, { id: 'p1', kind: 'push', name: 'p1', enabled: true, config: {}, secrets: { pushSecrets: ['0123456789abcdef0123'] } });
    await bindMerchant(db, actor, 'p1', 'B', b.memberId);
    const now = new Date();
    const thisMonth = monthOf(now, 'Asia/Shanghai');
    const lastMonthDay = `${shiftMonth(thisMonth, -1).slice(0, 7)}-15T12:00:00+08:00`;
    await ingestRecords(db, 'p1', [
      { channel_txn_id: 't1', merchant_ref: 'B', amount_fen: 10_000, status: 'settled', occurred_at: lastMonthDay },
      { channel_txn_id: 't2', merchant_ref: 'B', amount_fen: 25_000, status: 'settled', occurred_at: now.toISOString() },
      { channel_txn_id: 't3', merchant_ref: 'B', amount_fen: 5_000, status: 'refunded', occurred_at: now.toISOString(), original_txn_id: 't2' },
    ]);
    await drainPerformance(db, 'Asia/Shanghai');

    const mine = await ctx.app.inject({ method: 'GET', url: '/api/member/performance?months=2', headers: bearer(b.token) });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().months).toMatchObject([
      { month: thisMonth.slice(0, 7), personalSettledFen: '25000', personalRefundedFen: '5000', personalNetFen: '20000', personalIncrementFen: '10000' },
      { month: shiftMonth(thisMonth, -1).slice(0, 7), personalNetFen: '10000' },
    ]);
    const upline = (await ctx.app.inject({ method: 'GET', url: '/api/member/performance?months=1', headers: bearer(a.token) })).json();
    expect(upline.months[0]).toMatchObject({ personalNetFen: '0', teamNetFen: '20000', teamWithSelfFen: '20000', teamActive: 1, teamIncrementFen: '10000' });

    expect((await ctx.app.inject({ method: 'GET', url: `/api/admin/members/${a.memberId}/performance`, headers: bearer(b.token) })).statusCode).toBe(403);
    const viewer = await ctx.staffToken(['viewer']);
    const staffView = await ctx.app.inject({ method: 'GET', url: `/api/admin/members/${b.memberId}/performance?months=1`, headers: bearer(viewer.token) });
    expect(staffView.json().months[0].personalNetFen).toBe('20000');
    const ranking = (await ctx.app.inject({ method: 'GET', url: '/api/admin/performance/ranking', headers: bearer(viewer.token) })).json();
    expect(ranking.items[0]).toMatchObject({ rank: 1, memberId: a.memberId, teamNetFen: '20000' });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/admin/performance/ranking?month=2026-13', headers: bearer(viewer.token) })).statusCode).toBe(400);

    expect((await ctx.app.inject({ method: 'POST', url: '/api/admin/performance/rebuild', headers: bearer(viewer.token) })).statusCode).toBe(403);
    const owner = await ctx.staffToken(['owner']);
    const rebuilt = await ctx.app.inject({ method: 'POST', url: '/api/admin/performance/rebuild', headers: bearer(owner.token) });
    expect(rebuilt.statusCode).toBe(200);
    const again = (await ctx.app.inject({ method: 'GET', url: '/api/member/performance?months=2', headers: bearer(b.token) })).json();
    expect(again).toEqual(mine.json());
  });
});
