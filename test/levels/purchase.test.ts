import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { platformBalance } from '../../src/modules/ledger/ledger.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { markActive, markApproved } from '../helpers/onboarding.js';
import { notifySandbox, paidNotice, TEST_DATA_KEY } from '../helpers/sandbox.js';
import { buyLevel } from './sandbox.js';

let ctx: TestContext;
let owner: { token: string };
const ids: Record<string, number> = {};

beforeAll(async () => {
  ctx = await createTestContext({ DATA_ENCRYPTION_KEY: TEST_DATA_KEY });
  owner = await ctx.staffToken(['owner']);
  const ladder = (await ctx.app.inject({ method: 'GET', url: '/api/admin/levels', headers: bearer(owner.token) })).json();
  for (const l of ladder.levels) ids[l.name] = l.id;
});
afterAll(() => ctx.close());

let phones = 0;
async function activeMember() {
  const m = await ctx.registerMember(`135200${String(++phones).padStart(5, '0')}`);
  await markActive(ctx.database.db, m.memberId);
  return m;
}
const buy = (token: string, levelId: number) => buyLevel(ctx, token, levelId);
const notify = (body: Record<string, unknown>) => notifySandbox(ctx, body);
const myLevel = async (token: string) => (await ctx.app.inject({ method: 'GET', url: '/api/member/level', headers: bearer(token) })).json();
const myHistory = async (token: string) => (await ctx.app.inject({ method: 'GET', url: '/api/member/level/history', headers: bearer(token) })).json();

const purchasedEvents = async (memberId: number) =>
  queryRows<{ payload: Record<string, unknown> }>(ctx.database.db, sql`select payload from outbox_events where type = 'level_purchased' and subject = ${`member:${memberId}`} order by id`);

describe('buying a level through the sandbox channel', () => {
  it('an onboarded member sees what it can buy, pays, rises at once; a confirmation arriving twice changes the level once and emits level_purchased once', async () => {
    const m = await activeMember();
    const before = await myLevel(m.token);
    expect(before).toMatchObject({ level: { name: '普通商户', rank: 1 }, canPurchase: true, since: null, next: { level: { name: '银牌' }, byPerformance: true, reached: false } });
    expect(before.purchasable.map((p: { name: string; payFen: string }) => `${p.name}:${p.payFen}`)).toEqual(['银牌:99900', '金牌:299900', '市级代理:999900', '省级代理:2999900']);
    expect(before.next.conditions[0]).toMatchObject({ condition: { kind: 'personal_performance' }, holds: false, current: '0', target: '1000000', unit: 'fen' });

    const order = await buy(m.token, ids['金牌']!);
    expect(order.statusCode, order.body).toBe(201);
    expect(order.json()).toMatchObject({ purpose: 'level_purchase', purposeRef: String(ids['金牌']), amountFen: '299900', status: 'pending' });

    const notice = paidNotice(order.json().orderNo, '299900');
    expect((await notify(notice)).json()).toMatchObject({ outcome: 'applied' });
    expect((await notify(notice)).json()).toMatchObject({ outcome: 'duplicate' });

    const after = await myLevel(m.token);
    expect(after).toMatchObject({ level: { name: '金牌', rateProfitSharePpm: 40_000 }, cause: 'purchase', purchased: { levelId: ids['金牌'], name: '金牌' } });
    expect(after.purchasable.map((p: { name: string }) => p.name)).toEqual(['市级代理', '省级代理']);
    const history = await myHistory(m.token);
    expect(history.items).toHaveLength(1);
    expect(history.items[0]).toMatchObject({ from: { name: '普通商户' }, to: { name: '金牌' }, cause: 'purchase', actorKind: 'member' });
    expect(history.items[0].actorId).toBeUndefined();

    const events = await purchasedEvents(m.memberId);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual({
      memberId: m.memberId,
      orderId: expect.any(Number),
      orderNo: order.json().orderNo,
      fromLevelId: ids['普通商户'],
      toLevelId: ids['金牌'],
      amountFen: '299900',
      paidAt: expect.any(String),
    });
    expect(await platformBalance(ctx.database.db, 'fees:level')).toBe(-299_900n);
  });

  it('a second payment of the same (already paid) order is reported, not applied', async () => {
    const m = await activeMember();
    const order = (await buy(m.token, ids['银牌']!)).json();
    expect((await notify(paidNotice(order.orderNo, order.amountFen))).json().outcome).toBe('applied');
    expect((await notify(paidNotice(order.orderNo, order.amountFen))).json().outcome).toBe('already_paid');
    expect((await myHistory(m.token)).items).toHaveLength(1);
    expect(await purchasedEvents(m.memberId)).toHaveLength(1);
  });

  it('refuses levels at or below the current one, disabled levels, levels not for sale, unknown levels', async () => {
    const m = await activeMember();
    const paid = (await buy(m.token, ids['金牌']!)).json();
    await notify(paidNotice(paid.orderNo, paid.amountFen));
    for (const [what, levelId, status] of [
      ['the same level', ids['金牌']!, 409],
      ['a lower level', ids['银牌']!, 409],
      ['the free bottom level', ids['普通商户']!, 409],
      ['an unknown level', 987_654, 404],
    ] as const) {
      const res = await buy(m.token, levelId);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
    }
    expect((await ctx.app.inject({ method: 'POST', url: '/api/member/payments', headers: bearer(m.token), payload: { purpose: 'level_purchase' } })).statusCode).toBe(400);

    // Disable 省级代理 and make 市级代理 not for sale.
    const ladder = (await ctx.app.inject({ method: 'GET', url: '/api/admin/levels', headers: bearer(owner.token) })).json();
    const edited = ladder.levels.map(({ holders: _h, ...l }: { holders: number; name: string; enabled: boolean; priceFen: string }) =>
      l.name === '省级代理' ? { ...l, enabled: false } : l.name === '市级代理' ? { ...l, priceFen: '0' } : l);
    const saved = await ctx.app.inject({ method: 'PUT', url: '/api/admin/levels', headers: bearer(owner.token), payload: { version: ladder.version, levels: edited } });
    expect(saved.statusCode, saved.body).toBe(200);
    const disabled = await buy(m.token, ids['省级代理']!);
    expect(disabled.statusCode).toBe(409);
    expect(disabled.json().error.message).toContain('已停用');
    const notForSale = await buy(m.token, ids['市级代理']!);
    expect(notForSale.statusCode).toBe(409);
    expect(notForSale.json().error.message).toContain('不开放购买');
    expect((await myLevel(m.token)).purchasable).toEqual([]);
    const orders = await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from payment_orders where member_id = ${m.memberId}`);
    expect(Number(orders[0]!.n)).toBe(1);

    // Put the ladder back for the other tests.
    const back = ladder.levels.map(({ holders: _h, ...l }: { holders: number }) => l);
    const now = (await ctx.app.inject({ method: 'GET', url: '/api/admin/levels', headers: bearer(owner.token) })).json();
    expect((await ctx.app.inject({ method: 'PUT', url: '/api/admin/levels', headers: bearer(owner.token), payload: { version: now.version, levels: back } })).statusCode).toBe(200);
  });

  it('only members whose onboarding is active may buy', async () => {
    const fresh = await ctx.registerMember(`135200${String(++phones).padStart(5, '0')}`);
    expect((await buy(fresh.token, ids['银牌']!)).statusCode).toBe(409);
    await markApproved(ctx.database.db, fresh.memberId);
    expect((await buy(fresh.token, ids['银牌']!)).statusCode).toBe(409);
    expect((await myLevel(fresh.token)).canPurchase).toBe(false);
  });

  it('with upgrade-by-difference the member pays the difference from its current level’s price', async () => {
    const settings = (await ctx.app.inject({ method: 'GET', url: '/api/admin/settings/levels', headers: bearer(owner.token) })).json();
    const put = await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/levels', headers: bearer(owner.token), payload: { ...settings, upgradeByDifference: true } });
    expect(put.statusCode, put.body).toBe(200);
    try {
      const m = await activeMember();
      const silver = (await buy(m.token, ids['银牌']!)).json();
      expect(silver.amountFen).toBe('99900');
      await notify(paidNotice(silver.orderNo, silver.amountFen));
      expect((await myLevel(m.token)).purchasable.find((p: { name: string }) => p.name === '金牌')).toMatchObject({ priceFen: '299900', payFen: '200000' });
      const gold = await buy(m.token, ids['金牌']!);
      expect(gold.json().amountFen).toBe('200000');
      await notify(paidNotice(gold.json().orderNo, '200000'));
      expect((await myLevel(m.token)).level.name).toBe('金牌');
      const events = await purchasedEvents(m.memberId);
      expect(events.map((e) => [e.payload.fromLevelId, e.payload.toLevelId, e.payload.amountFen])).toEqual([
        [ids['普通商户'], ids['银牌'], '99900'],
        [ids['银牌'], ids['金牌'], '200000'],
      ]);
    } finally {
      const now = (await ctx.app.inject({ method: 'GET', url: '/api/admin/settings/levels', headers: bearer(owner.token) })).json();
      await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/levels', headers: bearer(owner.token), payload: { ...now, upgradeByDifference: false } });
    }
  });

  it('a member already raised past the level it paid for keeps its level; the payment is flagged for a refund and earns nobody anything', async () => {
    const m = await activeMember();
    const order = (await buy(m.token, ids['银牌']!)).json();
    const raised = await ctx.app.inject({ method: 'PUT', url: `/api/admin/members/${m.memberId}/level`, headers: bearer(owner.token), payload: { levelId: ids['金牌'], reason: '线下活动奖励' } });
    expect(raised.statusCode, raised.body).toBe(200);
    await notify(paidNotice(order.orderNo, order.amountFen));
    const after = await myLevel(m.token);
    expect(after.level.name).toBe('金牌');
    expect(after.purchased ?? null).toBeNull();
    const history = (await myHistory(m.token)).items;
    expect(history.map((h: { cause: string; from: { name: string }; to: { name: string } }) => `${h.cause}:${h.from.name}→${h.to.name}`)).toEqual(['purchase:金牌→金牌', 'staff:普通商户→金牌']);
    expect(history[0].reason).toContain('待退款');
    expect(await purchasedEvents(m.memberId)).toHaveLength(0);
    const audit = await queryRows<{ action: string }>(ctx.database.db, sql`select action from audit_log where action = 'levels.purchase_without_effect' and after->>'orderNo' = ${order.orderNo}`);
    expect(audit).toHaveLength(1);
  });

  it('a second open order for another level is refused, so two payments cannot buy one level for nothing', async () => {
    const m = await activeMember();
    expect((await buy(m.token, ids['金牌']!)).statusCode).toBe(201);
    const second = await buy(m.token, ids['银牌']!);
    expect(second.statusCode).toBe(409);
    expect(second.json().error.details).toMatchObject({ pendingLevelId: ids['金牌'] });
    // The same level again hands out the same order.
    expect((await buy(m.token, ids['金牌']!)).statusCode).toBe(201);
  });
});

describe('staff and a member’s level', () => {
  it('the owner sets a level with a reason (audited); others cannot; members cannot use the admin routes', async () => {
    const m = await activeMember();
    const other = await activeMember();
    const ops = await ctx.staffToken(['ops']);
    const viewer = await ctx.staffToken(['viewer']);
    const url = `/api/admin/members/${m.memberId}/level`;
    expect((await ctx.app.inject({ method: 'PUT', url, headers: bearer(ops.token), payload: { levelId: ids['银牌'], reason: '调整' } })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'PUT', url, headers: bearer(owner.token), payload: { levelId: ids['银牌'] } })).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'PUT', url, headers: bearer(owner.token), payload: { levelId: ids['普通商户'], reason: '同级' } })).statusCode).toBe(409);
    expect((await ctx.app.inject({ method: 'PUT', url: '/api/admin/members/99999999/level', headers: bearer(owner.token), payload: { levelId: ids['银牌'], reason: '调整' } })).statusCode).toBe(404);
    const set = await ctx.app.inject({ method: 'PUT', url, headers: bearer(owner.token), payload: { levelId: ids['市级代理'], reason: '区域合作协议' } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ memberId: m.memberId, level: { name: '市级代理' }, cause: 'staff' });

    // Staff read it; the member reads its own history; another member cannot reach the admin routes.
    expect((await ctx.app.inject({ method: 'GET', url, headers: bearer(viewer.token) })).json().level.name).toBe('市级代理');
    const staffHistory = (await ctx.app.inject({ method: 'GET', url: `${url}/history`, headers: bearer(viewer.token) })).json();
    expect(staffHistory.items[0]).toMatchObject({ cause: 'staff', actorKind: 'staff', reason: '区域合作协议', to: { name: '市级代理' } });
    expect(staffHistory.items[0].actorId).toEqual(expect.any(Number));
    for (const path of [url, `${url}/history`]) {
      expect((await ctx.app.inject({ method: 'GET', url: path, headers: bearer(other.token) })).statusCode).toBe(403);
    }
    expect((await ctx.app.inject({ method: 'PUT', url, headers: bearer(other.token), payload: { levelId: ids['银牌'], reason: 'x' } })).statusCode).toBe(403);
    expect((await myHistory(m.token)).items[0]).toMatchObject({ cause: 'staff', reason: '区域合作协议' });

    const audit = await queryRows<{ reason: string; before: { name: string }; after: { name: string } }>(ctx.database.db, sql`
      select reason, before, after from audit_log where action = 'levels.member_level_set' and target_id = ${String(m.memberId)}`);
    expect(audit).toEqual([{ reason: '区域合作协议', before: expect.objectContaining({ name: '普通商户' }), after: expect.objectContaining({ name: '市级代理' }) }]);
  });
});
