import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFieldCipher } from '../../src/lib/crypto.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { bindMerchant, createChannel } from '../../src/modules/channels/channels.service.js';
import { ingestRecords } from '../../src/modules/channels/ingest.service.js';
import { evaluateDowngrades } from '../../src/modules/levels/downgrades.service.js';
import { runMonthlyDowngrade } from '../../src/modules/levels/level-jobs.js';
import { monthOf, shiftMonth } from '../../src/modules/performance/performance.service.js';
import { drainAllPerformance } from './drain.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { markActive } from '../helpers/onboarding.js';
import { TEST_DATA_KEY } from '../helpers/sandbox.js';
import { buyAndPay } from './sandbox.js';

const TZ = 'Asia/Shanghai';
const actor = systemAuditContext('test');
let ctx: TestContext;
let owner: { token: string };
const ids: Record<string, number> = {};
const db = () => ctx.database.db;
const lastMonth = () => shiftMonth(monthOf(new Date(), TZ), -1);

const keepPersonal = (minFen: string) => ({ mode: 'all', conditions: [{ kind: 'personal_performance', period: 'this_month', minFen }] });

beforeAll(async () => {
  ctx = await createTestContext({ DATA_ENCRYPTION_KEY: TEST_DATA_KEY });
  owner = await ctx.staffToken(['owner']);
  await createChannel(db(), createFieldCipher(Buffer.alloc(32, 1)), actor, { id: 'p1', kind: 'push', name: 'p1', enabled: true, config: {}, secrets: { pushSecrets: ['0123456789abcdef0123'] } });
  // A ladder whose keep conditions read the evaluated month's personal performance.
  const now = (await ctx.app.inject({ method: 'GET', url: '/api/admin/levels', headers: bearer(owner.token) })).json();
  const none = { mode: 'all', conditions: [] };
  const levels = [
    { id: now.levels[0].id, name: '基础', rank: 1, priceFen: '0', rateProfitSharePpm: 0, upgrade: none, keep: none },
    { id: now.levels[1].id, name: '二级', rank: 2, priceFen: '10000', rateProfitSharePpm: 10_000, upgrade: none, keep: keepPersonal('1000') },
    { id: now.levels[2].id, name: '三级', rank: 3, priceFen: '30000', rateProfitSharePpm: 20_000, upgrade: none, keep: keepPersonal('5000') },
    { id: now.levels[3].id, name: '四级', rank: 4, priceFen: '100000', rateProfitSharePpm: 30_000, upgrade: none, keep: keepPersonal('20000') },
  ];
  const saved = await ctx.app.inject({ method: 'PUT', url: '/api/admin/levels', headers: bearer(owner.token), payload: { version: now.version, levels } });
  expect(saved.statusCode, saved.body).toBe(200);
  for (const l of saved.json().levels) ids[l.name] = l.id;
});
afterAll(() => ctx.close());

let phones = 0;
async function memberAt(level: string, lastMonthSalesFen: number) {
  const m = await ctx.registerMember(`135300${String(++phones).padStart(5, '0')}`);
  const set = await ctx.app.inject({ method: 'PUT', url: `/api/admin/members/${m.memberId}/level`, headers: bearer(owner.token), payload: { levelId: ids[level], reason: '测试' } });
  expect(set.statusCode, set.body).toBe(200);
  if (lastMonthSalesFen > 0) {
    await bindMerchant(db(), actor, 'p1', `M${m.memberId}`, m.memberId);
    await ingestRecords(db(), 'p1', [{ channel_txn_id: `s${m.memberId}`, merchant_ref: `M${m.memberId}`, amount_fen: lastMonthSalesFen, status: 'settled', occurred_at: `${lastMonth().slice(0, 7)}-15T12:00:00+08:00` }]);
    await drainAllPerformance(db(), TZ);
  }
  return m;
}
const levelOf = async (memberId: number) => (await ctx.app.inject({ method: 'GET', url: `/api/admin/members/${memberId}/level`, headers: bearer(owner.token) })).json().level.name as string;
async function settings(change: Record<string, unknown>) {
  const now = (await ctx.app.inject({ method: 'GET', url: '/api/admin/settings/levels', headers: bearer(owner.token) })).json();
  const res = await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/levels', headers: bearer(owner.token), payload: { ...now, ...change } });
  expect(res.statusCode, res.body).toBe(200);
}

describe('the monthly downgrade', () => {
  it('is off by default and then changes nothing', async () => {
    const m = await memberAt('四级', 0);
    expect(await evaluateDowngrades(db(), lastMonth())).toEqual({ enabled: false, members: 0, downgraded: 0 });
    expect(await levelOf(m.memberId)).toBe('四级');
    // The scheduler's run records the month even while off, so switching on later acts from the next month end.
    expect(await runMonthlyDowngrade(db(), TZ)).toMatchObject({ enabled: false });
    expect(await runMonthlyDowngrade(db(), TZ)).toBeNull();
  });

  it('moves members failing their keep conditions to the highest lower level whose keep conditions hold', async () => {
    await settings({ downgradeEnabled: true });
    const keeps = await memberAt('四级', 25_000);
    const toThree = await memberAt('四级', 6_000);
    const toBottom = await memberAt('四级', 0);
    const result = await evaluateDowngrades(db(), lastMonth());
    expect(result.enabled).toBe(true);
    expect(result.downgraded).toBeGreaterThanOrEqual(2);
    expect([await levelOf(keeps.memberId), await levelOf(toThree.memberId), await levelOf(toBottom.memberId)]).toEqual(['四级', '三级', '基础']);
    const history = (await ctx.app.inject({ method: 'GET', url: '/api/member/level/history', headers: bearer(toThree.token) })).json();
    expect(history.items[0]).toMatchObject({ cause: 'downgrade', actorKind: 'system', from: { name: '四级' }, to: { name: '三级' } });
    expect(history.items[0].reason).toContain(lastMonth().slice(0, 7));
    // Evaluating the same month again changes nothing more for those who now keep their level.
    await evaluateDowngrades(db(), lastMonth());
    expect(await levelOf(toThree.memberId)).toBe('三级');
  });

  it('never below the level last bought within the protection window; after the window the floor is gone', async () => {
    await settings({ downgradeEnabled: true, protectionDays: 365 });
    const m = await ctx.registerMember(`135300${String(++phones).padStart(5, '0')}`);
    await markActive(db(), m.memberId);
    await buyAndPay(ctx, m.token, ids['三级']!);
    const raised = await ctx.app.inject({ method: 'PUT', url: `/api/admin/members/${m.memberId}/level`, headers: bearer(owner.token), payload: { levelId: ids['四级'], reason: '活动' } });
    expect(raised.statusCode, raised.body).toBe(200);

    await evaluateDowngrades(db(), lastMonth());
    expect(await levelOf(m.memberId)).toBe('三级');
    await evaluateDowngrades(db(), lastMonth());
    expect(await levelOf(m.memberId)).toBe('三级');

    // 400 days later the purchase no longer protects it.
    await evaluateDowngrades(db(), lastMonth(), new Date(Date.now() + 400 * 86_400_000));
    expect(await levelOf(m.memberId)).toBe('基础');
  });

  it('without a protection window a bought level is no floor', async () => {
    await settings({ downgradeEnabled: true, protectionDays: 0 });
    const m = await ctx.registerMember(`135300${String(++phones).padStart(5, '0')}`);
    await markActive(db(), m.memberId);
    await buyAndPay(ctx, m.token, ids['三级']!);
    expect(await levelOf(m.memberId)).toBe('三级');
    await evaluateDowngrades(db(), lastMonth());
    expect(await levelOf(m.memberId)).toBe('基础');
    const history = (await ctx.app.inject({ method: 'GET', url: '/api/member/level/history', headers: bearer(m.token) })).json();
    expect(history.items.map((h: { cause: string }) => h.cause)).toEqual(['downgrade', 'purchase']);
  });
});
