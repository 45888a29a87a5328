import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { readLadder } from '../../src/modules/levels/ladder.service.js';
import { setMemberLevelByStaff } from '../../src/modules/levels/member-level.service.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { bindFirst } from '../../src/modules/referrals/tree.service.js';
import { drainRewards } from '../../src/modules/rewards/rewards.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { markActive } from '../helpers/onboarding.js';
import { postSigned } from '../helpers/sandbox.js';

/**
 * Batch pushes pay their sales in their own transactions, several at once.
 * Caps must still hold: every payout to a member waits for the member's
 * wallet lock before it reads what the member was paid so far.
 */
const TZ = 'Asia/Shanghai';
const SECRET = 'push-secret-concurrency-0123456';
let ctx: TestContext;
let owner: { token: string };
const db = () => ctx.database.db;
let inviter: { token: string; memberId: number };
const merchants: number[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  owner = await ctx.staffToken(['owner']);
  const created = await ctx.app.inject({ method: 'POST', url: '/api/admin/channels', headers: bearer(owner.token), payload: { id: 'conc', kind: 'push', name: 'Conc', secrets: { pushSecrets: [SECRET] } } });
  expect(created.statusCode, created.body).toBe(201);
  inviter = await ctx.registerMember('13400000000');
  await markActive(db(), inviter.memberId);
  const ladder = await readLadder(db());
  const silver = ladder.levels.find((l) => l.name === '银牌')!.id;
  await db().transaction((tx) => setMemberLevelByStaff(tx, systemAuditContext('test'), { memberId: inviter.memberId, levelId: silver, reason: 'test' }));
  for (let i = 1; i <= 8; i++) {
    const m = await ctx.registerMember(`134000000${String(i).padStart(2, '0')}`);
    await db().transaction((tx) => bindFirst(tx, { memberId: m.memberId, parentId: inviter.memberId, via: 'invite_code', actor: systemAuditContext('test') }));
    const bound = await ctx.app.inject({ method: 'PUT', url: `/api/admin/channels/conc/merchants/CM-${i}`, headers: bearer(owner.token), payload: { memberId: m.memberId } });
    expect(bound.statusCode).toBe(200);
    merchants.push(m.memberId);
  }
});
afterAll(() => ctx.close());

const push = (records: unknown[]) => postSigned(ctx, '/api/channels/conc/transactions', SECRET, { records });
const AT = new Date().toISOString();
const batch = (merchant: number, from: number) =>
  Array.from({ length: 25 }, (_, i) => ({ channel_txn_id: `K-${merchant}-${from + i}`, merchant_ref: `CM-${merchant}`, amount_fen: 10_000, status: 'settled', occurred_at: AT }));
const frozen = async () => (await ctx.app.inject({ method: 'GET', url: '/api/member/wallet', headers: bearer(inviter.token) })).json().frozenFen as string;

describe('batch pushes pay in their own transaction', () => {
  it('the payouts are committed with the push: visible when it is answered, and the consumer pays nothing twice', async () => {
    const res = await push(batch(1, 0));
    expect(res.json().summary.accepted).toBe(25);
    // 25 × 2% of ¥100.00, before any consumer ran.
    expect(await frozen()).toBe('5000');
    await drainRewards(db(), TZ);
    expect(await frozen()).toBe('5000');
    const [n] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from reward_events`);
    expect(n!.n).toBe(25);
  });
});

describe.runIf(onPostgres)('caps under concurrent batch pushes (PostgreSQL)', () => {
  it('8 parallel pushes of 25 sales under one inviter with a daily cap of ¥150.00: exactly the cap is paid, the rest is cut and explained', async () => {
    const active = (await ctx.app.inject({ method: 'GET', url: '/api/admin/rewards/rule-sets/active', headers: bearer(owner.token) })).json();
    const body = structuredClone(active.body);
    body.memberCaps.dailyFen = '15000';
    const saved = await ctx.app.inject({ method: 'PUT', url: '/api/admin/rewards/draft', headers: bearer(owner.token), payload: { basedOn: active.version, body } });
    expect(saved.statusCode, saved.body).toBe(200);
    const published = await ctx.app.inject({ method: 'POST', url: '/api/admin/rewards/draft/publish', headers: bearer(owner.token), payload: { draftVersion: saved.json().version } });
    expect(published.statusCode, published.body).toBe(200);

    // Already paid today: 5,000 (the first test). Room left: 10,000 = 50 sales' worth; 200 sales arrive at once.
    const results = await Promise.all(merchants.map((_m, i) => push(batch(i + 1, 1000))));
    for (const r of results) expect(r.json().summary.accepted, r.body).toBe(25);
    await drainRewards(db(), TZ);
    expect(await frozen()).toBe('15000');
    const [cut] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from reward_events where total_fen = 0 and kind = 'transaction_settled'`);
    expect(cut!.n).toBe(150);
    expect((await verifyLedger(db())).ok).toBe(true);
  });
});

describe('caps on the 1st of a month', () => {
  it('a daily cap counts that day once, not the day and its month together', async () => {
    const active = (await ctx.app.inject({ method: 'GET', url: '/api/admin/rewards/rule-sets/active', headers: bearer(owner.token) })).json();
    const body = structuredClone(active.body);
    body.memberCaps = { dailyFen: '300', monthlyFen: null };
    const saved = await ctx.app.inject({ method: 'PUT', url: '/api/admin/rewards/draft', headers: bearer(owner.token), payload: { basedOn: active.version, body } });
    expect(saved.statusCode, saved.body).toBe(200);
    const published = await ctx.app.inject({ method: 'POST', url: '/api/admin/rewards/draft/publish', headers: bearer(owner.token), payload: { draftVersion: saved.json().version } });
    expect(published.statusCode, published.body).toBe(200);

    // Two ¥100.00 sales on 1 October (Shanghai): 2% each is ¥2.00; the cap of ¥3.00 leaves ¥1.00 for the second.
    const before = BigInt(await frozen());
    const onTheFirst = (n: number) => ({ channel_txn_id: `FIRST-${n}`, merchant_ref: 'CM-1', amount_fen: 10_000, status: 'settled', occurred_at: '2026-10-01T10:00:00+08:00' });
    expect((await push([onTheFirst(1)])).json().summary.accepted).toBe(1);
    await drainRewards(db(), TZ);
    expect(BigInt(await frozen()) - before).toBe(200n);
    expect((await push([onTheFirst(2)])).json().summary.accepted).toBe(1);
    await drainRewards(db(), TZ);
    expect(BigInt(await frozen()) - before).toBe(300n);
  });
});
