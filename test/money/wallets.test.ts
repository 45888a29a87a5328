import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, walletBalance } from '../../src/modules/ledger/ledger.service.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { clawback, credit, releaseDue } from '../../src/modules/wallets/wallets.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const db = () => ctx.database.db;
const DAY = 86_400_000;
const reward = (memberId: number, amount: bigint, source: string, releaseAt?: Date) =>
  db().transaction((tx) =>
    credit(tx, { idempotencyKey: `reward:${source}:${memberId}`, memberId, amount, from: 'rewards:expense', sourceType: 'txn', sourceId: source, memo: '直推奖励', releaseAt }),
  );

describe('freeze and release', () => {
  it('credits wait in frozen until their release time, then move to available once', async () => {
    const { memberId } = await ctx.registerMember('13300000001');
    await reward(memberId, 1000n, 'T1', new Date(Date.now() + 7 * DAY));
    await reward(memberId, 300n, 'T2', new Date(Date.now() - 1000));
    expect(await walletBalance(db(), memberId)).toMatchObject({ frozen: 1300n, available: 0n });

    const first = await releaseDue(db());
    expect(first.released).toBeGreaterThanOrEqual(1);
    expect(await walletBalance(db(), memberId)).toMatchObject({ frozen: 1000n, available: 300n });
    // Running again releases nothing more (idempotent, resumable).
    await releaseDue(db());
    expect(await walletBalance(db(), memberId)).toMatchObject({ frozen: 1000n, available: 300n });
    // Eight days later the other lot is due.
    await releaseDue(db(), { now: new Date(Date.now() + 8 * DAY) });
    expect(await walletBalance(db(), memberId)).toMatchObject({ frozen: 0n, available: 1300n });
    expect((await verifyLedger(db())).ok).toBe(true);
  });

  it('processes many due lots in batches', async () => {
    const { memberId } = await ctx.registerMember('13300000002');
    for (let i = 0; i < 25; i++) await reward(memberId, 10n, `B${i}`, new Date(Date.now() - 1000));
    const result = await releaseDue(db(), { batchSize: 10 });
    expect(result.released).toBeGreaterThanOrEqual(25);
    expect((await walletBalance(db(), memberId)).available).toBe(250n);
  });
});

describe('clawback', () => {
  it('takes a reward back from frozen while it is frozen', async () => {
    const { memberId } = await ctx.registerMember('13300000010');
    await reward(memberId, 800n, 'C1', new Date(Date.now() + DAY));
    const result = await db().transaction((tx) => clawback(tx, { sourceType: 'txn', sourceId: 'C1' }));
    expect(result).toMatchObject({ created: true, reversed: 800n });
    expect(await walletBalance(db(), memberId)).toEqual({ frozen: 0n, available: 0n, withdrawing: 0n });
    // The lot is closed: a later release pays nothing.
    await releaseDue(db(), { now: new Date(Date.now() + 2 * DAY) });
    expect((await walletBalance(db(), memberId)).available).toBe(0n);
  });

  it('takes it from available once released, and only the refunded source', async () => {
    const { memberId, token } = await ctx.registerMember('13300000011');
    await reward(memberId, 500n, 'C2', new Date(Date.now() - 1000));
    await releaseDue(db());
    await reward(memberId, 200n, 'C3');
    await reward(memberId, 100n, 'C4', new Date(Date.now() + DAY));
    expect(await walletBalance(db(), memberId)).toMatchObject({ frozen: 100n, available: 700n });
    const result = await db().transaction((tx) => clawback(tx, { sourceType: 'txn', sourceId: 'C2' }));
    expect(result.reversed).toBe(500n);
    expect(await walletBalance(db(), memberId)).toMatchObject({ frozen: 100n, available: 200n });
    const statement = await ctx.app.inject({ method: 'GET', url: '/api/member/statement?type=clawback', headers: bearer(token) });
    expect(statement.json().items).toEqual([
      expect.objectContaining({ type: 'clawback', typeLabel: '退款追回', account: 'wallet:available', amountFen: '-500', balanceAfterFen: '200', sourceId: 'C2' }),
    ]);
  });

  it('a clawback larger than available leaves a debt that blocks withdrawals until repaid', async () => {
    const { memberId, token } = await ctx.registerMember('13300000012');
    await reward(memberId, 2000n, 'D1', new Date(Date.now() - 1000));
    await releaseDue(db());
    // Withdraw most of it, then the source is refunded.
    const w = await ctx.app.inject({
      method: 'POST',
      url: '/api/member/withdrawals',
      headers: { ...bearer(token), 'idempotency-key': 'debt-test-1' },
      payload: { amountFen: '1500', payee: { name: '王五', bank: '工商银行', account: '6222000011112222' } },
    });
    expect(w.statusCode).toBe(201);
    await db().transaction((tx) => clawback(tx, { sourceType: 'txn', sourceId: 'D1' }));
    expect((await walletBalance(db(), memberId)).available).toBe(-1500n);

    const wallet = await ctx.app.inject({ method: 'GET', url: '/api/member/wallet', headers: bearer(token) });
    expect(wallet.json()).toMatchObject({ availableFen: '-1500', debtFen: '1500', canWithdraw: false });
    const blocked = await ctx.app.inject({
      method: 'POST',
      url: '/api/member/withdrawals',
      headers: { ...bearer(token), 'idempotency-key': 'debt-test-2' },
      payload: { amountFen: '1000', payee: { name: '王五', bank: '工商银行', account: '6222000011112222' } },
    });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().error.code).toBe('NEGATIVE_BALANCE');

    // A later reward, once released, pays the debt first.
    await reward(memberId, 2500n, 'D2', new Date(Date.now() - 1000));
    await releaseDue(db());
    expect((await walletBalance(db(), memberId)).available).toBe(1000n);
    const statement = await ctx.app.inject({ method: 'GET', url: '/api/member/statement?type=release', headers: bearer(token) });
    const line = statement.json().items[0];
    expect(line).toMatchObject({ type: 'release', amountFen: '2500', balanceAfterFen: '1000', debtRepaidFen: '1500', account: 'wallet:available' });
    expect((await verifyLedger(db())).ok).toBe(true);
  });

  it('reverses reward entries the caller names, and only those of the source', async () => {
    const { memberId } = await ctx.registerMember('13300000014');
    const rewardOf = (sourceId: string, amount: bigint) =>
      db().transaction((tx) =>
        post(tx, {
          idempotencyKey: `reward:test:${sourceId}`,
          kind: 'reward',
          sourceType: 'txn',
          sourceId,
          postings: [
            { account: 'wallet:available', memberId, amount },
            { account: 'rewards:expense', amount: -amount },
          ],
        }),
      );
    const r1 = await rewardOf('R1', 300n);
    const r2 = await rewardOf('R2', 50n);
    // Reward entries are not found by source alone (the ledger does not index them so): nothing happens.
    expect(await db().transaction((tx) => clawback(tx, { sourceType: 'txn', sourceId: 'R1' }))).toEqual({ entryId: null, created: false, reversed: 0n });
    // An entry of another source is not reversed in this source's name.
    expect(await db().transaction((tx) => clawback(tx, { sourceType: 'txn', sourceId: 'R1', rewardEntryIds: [r2.entryId] }))).toEqual({ entryId: null, created: false, reversed: 0n });
    expect(await walletBalance(db(), memberId)).toMatchObject({ available: 350n });
    const result = await db().transaction((tx) => clawback(tx, { sourceType: 'txn', sourceId: 'R1', rewardEntryIds: [r1.entryId, r2.entryId] }));
    expect(result).toMatchObject({ created: true, reversed: 300n });
    expect(await walletBalance(db(), memberId)).toMatchObject({ available: 50n });
    expect((await verifyLedger(db())).ok).toBe(true);
  });

  it('a second clawback of the same source has no effect', async () => {
    const { memberId } = await ctx.registerMember('13300000013');
    await reward(memberId, 400n, 'E1', new Date(Date.now() + DAY));
    const first = await db().transaction((tx) => clawback(tx, { sourceType: 'txn', sourceId: 'E1' }));
    const second = await db().transaction((tx) => clawback(tx, { sourceType: 'txn', sourceId: 'E1' }));
    expect(second).toMatchObject({ entryId: first.entryId, created: false });
    expect(await walletBalance(db(), memberId)).toEqual({ frozen: 0n, available: 0n, withdrawing: 0n });
  });
});

describe('statement (明细)', () => {
  it('lists my lines newest first with type, amount, balance after, source and memo; filters; pages; CSV', async () => {
    const { memberId, token } = await ctx.registerMember('13300000020');
    for (let i = 1; i <= 5; i++) await reward(memberId, BigInt(i * 100), `S${i}`);
    await reward(memberId, 50n, 'S6', new Date(Date.now() + DAY));
    const page1 = await ctx.app.inject({ method: 'GET', url: '/api/member/statement?limit=4', headers: bearer(token) });
    expect(page1.statusCode).toBe(200);
    const items = page1.json().items;
    expect(items).toHaveLength(4);
    expect(items[0]).toMatchObject({ type: 'credit', typeLabel: '奖励入账', account: 'wallet:frozen', amountFen: '50', balanceAfterFen: '50', sourceType: 'txn', sourceId: 'S6', memo: '直推奖励' });
    expect(items[1]).toMatchObject({ account: 'wallet:available', amountFen: '500', balanceAfterFen: '1500' });
    const page2 = await ctx.app.inject({ method: 'GET', url: `/api/member/statement?limit=4&cursor=${page1.json().nextCursor}`, headers: bearer(token) });
    expect(page2.json().items.map((l: { amountFen: string }) => l.amountFen)).toEqual(['200', '100']);
    expect(page2.json().nextCursor).toBeNull();

    const future = await ctx.app.inject({ method: 'GET', url: `/api/member/statement?from=${encodeURIComponent(new Date(Date.now() + DAY).toISOString())}`, headers: bearer(token) });
    expect(future.json().items).toHaveLength(0);
    const onlyClawbacks = await ctx.app.inject({ method: 'GET', url: '/api/member/statement?type=clawback', headers: bearer(token) });
    expect(onlyClawbacks.json().items).toHaveLength(0);

    const csv = await ctx.app.inject({ method: 'GET', url: '/api/member/statement.csv', headers: bearer(token) });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('time,type,account,amount_yuan,balance_after_yuan,debt_repaid_yuan,source,memo');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toContain(',奖励入账,冻结余额,0.50,0.50,0.00,txn:S6,直推奖励');
  });

  it('a member sees only its own statement; staff can see any', async () => {
    const alice = await ctx.registerMember('13300000021');
    const bob = await ctx.registerMember('13300000022');
    await reward(alice.memberId, 700n, 'P1');
    const bobs = await ctx.app.inject({ method: 'GET', url: '/api/member/statement', headers: bearer(bob.token) });
    expect(bobs.json().items).toHaveLength(0);
    const viewer = await ctx.staffToken(['viewer']);
    const staffView = await ctx.app.inject({ method: 'GET', url: `/api/admin/members/${alice.memberId}/statement`, headers: bearer(viewer.token) });
    expect(staffView.json().items[0]).toMatchObject({ amountFen: '700' });
    const wallet = await ctx.app.inject({ method: 'GET', url: `/api/admin/members/${alice.memberId}/wallet`, headers: bearer(viewer.token) });
    expect(wallet.json().availableFen).toBe('700');
    const missing = await ctx.app.inject({ method: 'GET', url: '/api/admin/members/99999999/statement', headers: bearer(viewer.token) });
    expect(missing.statusCode).toBe(404);
    const csvAsViewer = await ctx.app.inject({ method: 'GET', url: `/api/admin/members/${alice.memberId}/statement.csv`, headers: bearer(viewer.token) });
    expect(csvAsViewer.statusCode).toBe(403);
  });

  it('refuses a bad time filter', async () => {
    const { token } = await ctx.registerMember('13300000023');
    const res = await ctx.app.inject({ method: 'GET', url: '/api/member/statement?from=last-week', headers: bearer(token) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('querystring.from');
  });
});
