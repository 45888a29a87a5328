import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { walletBalance } from '../../src/modules/ledger/ledger.service.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { credit } from '../../src/modules/wallets/wallets.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
let finance: { token: string; staffId: number };
let phoneSeq = 0;
beforeAll(async () => {
  ctx = await createTestContext();
  finance = await ctx.staffToken(['finance']);
});
afterAll(() => ctx.close());

const payee = { name: '张三', bank: '中国银行', account: '6222020000001234' };
const settings = { minAmountFen: '1000', feeFixedFen: '100', feePpm: 5000, dailyCount: 3, dailyAmountFen: '1000000', reviewThresholdFen: '50000', payoutChannel: 'sandbox', sandboxOutcome: 'succeed' };

async function setSettings(patch: Partial<typeof settings> = {}) {
  const current = await ctx.app.inject({ method: 'GET', url: '/api/admin/settings/withdrawals', headers: bearer(finance.token) });
  const res = await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/withdrawals', headers: bearer(finance.token), payload: { ...settings, ...patch, version: current.json().version } });
  expect(res.statusCode, res.body).toBe(200);
}

/** A member with `available` fen ready to withdraw. */
async function memberWith(available: bigint) {
  const m = await ctx.registerMember(`1320000${String(++phoneSeq).padStart(4, '0')}`);
  if (available > 0n) {
    await ctx.database.db.transaction((tx) =>
      credit(tx, { idempotencyKey: `seed:${m.memberId}`, memberId: m.memberId, amount: available, from: 'rewards:expense', sourceType: 'test', sourceId: `seed-${m.memberId}` }),
    );
  }
  return m;
}

let keySeq = 0;
const withdraw = (token: string, amountFen: unknown, key = `key-${Date.now()}-${++keySeq}`, body: object = {}) =>
  ctx.app.inject({ method: 'POST', url: '/api/member/withdrawals', headers: { ...bearer(token), 'idempotency-key': key }, payload: { amountFen, payee, ...body } });

beforeEach(() => setSettings());

describe('requesting', () => {
  it('a small amount is approved and paid through the sandbox at once, fee deducted', async () => {
    const m = await memberWith(20_000n);
    const quote = await ctx.app.inject({ method: 'GET', url: '/api/member/withdrawals/quote?amountFen=10000', headers: bearer(m.token) });
    expect(quote.json()).toMatchObject({ amountFen: '10000', feeFen: '150', netFen: '9850', reviewRequired: false });
    const res = await withdraw(m.token, '10000');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'paid', amountFen: '10000', feeFen: '150', netFen: '9850', simulated: true, reviewRequired: false, payee: { account: '****1234' } });
    expect(res.json().channelRef).toMatch(/^SANDBOX-/);
    expect(await walletBalance(ctx.database.db, m.memberId)).toEqual({ frozen: 0n, available: 10_000n, withdrawing: 0n });
    const detail = await ctx.app.inject({ method: 'GET', url: `/api/member/withdrawals/${res.json().id}`, headers: bearer(m.token) });
    expect(detail.json().events.map((e: { toStatus: string }) => e.toStatus)).toEqual(['requested', 'approved', 'paying', 'paid']);
    expect(res.body).not.toContain('6222020000001234');
    const owner = await ctx.staffToken(['owner']);
    const audit = await ctx.app.inject({ method: 'GET', url: `/api/admin/audit-log?targetType=withdrawal&targetId=${res.json().id}`, headers: bearer(owner.token) });
    expect(audit.json().items.map((e: { action: string; actorKind: string }) => `${e.action}:${e.actorKind}`).reverse()).toEqual([
      'withdrawal.requested:member',
      'withdrawal.approved:system',
      'withdrawal.paying:system',
      'withdrawal.paid:system',
    ]);
  });

  it('a large amount waits for finance, who approves it; the audit log records who', async () => {
    const m = await memberWith(100_000n);
    const res = await withdraw(m.token, '60000');
    expect(res.json()).toMatchObject({ status: 'requested', reviewRequired: true });
    expect(await walletBalance(ctx.database.db, m.memberId)).toMatchObject({ available: 40_000n, withdrawing: 60_000n });
    const queue = await ctx.app.inject({ method: 'GET', url: '/api/admin/withdrawals?status=requested', headers: bearer(finance.token) });
    expect(queue.json().items.map((w: { id: number }) => w.id)).toContain(res.json().id);
    const approved = await ctx.app.inject({ method: 'POST', url: `/api/admin/withdrawals/${res.json().id}/approve`, headers: bearer(finance.token) });
    expect(approved.json().status).toBe('paid');
    expect(await walletBalance(ctx.database.db, m.memberId)).toMatchObject({ available: 40_000n, withdrawing: 0n });
    const owner = await ctx.staffToken(['owner']);
    const audit = await ctx.app.inject({ method: 'GET', url: `/api/admin/audit-log?targetType=withdrawal&targetId=${res.json().id}`, headers: bearer(owner.token) });
    expect(audit.json().items).toContainEqual(expect.objectContaining({ action: 'withdrawal.approved', actorId: finance.staffId }));
  });

  it('a rejection returns the funds and keeps the reason', async () => {
    const m = await memberWith(100_000n);
    const res = await withdraw(m.token, '60000');
    const rejected = await ctx.app.inject({ method: 'POST', url: `/api/admin/withdrawals/${res.json().id}/reject`, headers: bearer(finance.token), payload: { reason: '收款账户与实名不符' } });
    expect(rejected.json()).toMatchObject({ status: 'rejected', reason: '收款账户与实名不符' });
    expect(await walletBalance(ctx.database.db, m.memberId)).toEqual({ frozen: 0n, available: 100_000n, withdrawing: 0n });
  });

  it('a failed sandbox payout returns the funds', async () => {
    await setSettings({ sandboxOutcome: 'fail' });
    const m = await memberWith(20_000n);
    const res = await withdraw(m.token, '10000');
    expect(res.json()).toMatchObject({ status: 'failed' });
    expect(res.json().reason).toContain('模拟');
    expect(await walletBalance(ctx.database.db, m.memberId)).toEqual({ frozen: 0n, available: 20_000n, withdrawing: 0n });
  });

  it('the same Idempotency-Key returns the same withdrawal; with other content it is refused', async () => {
    const m = await memberWith(50_000n);
    const first = await withdraw(m.token, '10000', 'same-key-123');
    const again = await withdraw(m.token, '10000', 'same-key-123');
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect((await walletBalance(ctx.database.db, m.memberId)).available).toBe(40_000n);
    const other = await withdraw(m.token, '20000', 'same-key-123');
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
  });
});

describe('limits and refusals (nothing written)', () => {
  it.each([
    ['zero', 0],
    ['zero string', '0'],
    ['negative', -100],
    ['negative string', '-100'],
    ['fractional', '100.5'],
    ['float-typed', 1000.5],
    ['exponent', '1e5'],
    ['beyond int64', '99999999999999999999'],
    ['unsafe number', 2 ** 60],
    ['boolean', true],
    ['missing', undefined],
  ])('refuses a %s amount with 400', async (_name, amount) => {
    const m = await memberWith(10_000n);
    const res = await withdraw(m.token, amount);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.details[0].field).toBe('body.amountFen');
    expect(await walletBalance(ctx.database.db, m.memberId)).toMatchObject({ available: 10_000n, withdrawing: 0n });
  });

  it('needs an Idempotency-Key header', async () => {
    const m = await memberWith(10_000n);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/member/withdrawals', headers: bearer(m.token), payload: { amountFen: '5000', payee } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('headers.idempotency-key');
  });

  it('refuses more than available, below the minimum, and beyond the daily limits', async () => {
    const m = await memberWith(10_000n);
    const tooMuch = await withdraw(m.token, '10001');
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().error.code).toBe('INSUFFICIENT_FUNDS');
    const tooSmall = await withdraw(m.token, '999');
    expect(tooSmall.statusCode).toBe(400);
    await setSettings({ dailyCount: 2 });
    expect((await withdraw(m.token, '1000')).statusCode).toBe(201);
    expect((await withdraw(m.token, '1000')).statusCode).toBe(201);
    const third = await withdraw(m.token, '1000');
    expect(third.statusCode).toBe(409);
    expect(third.json().error.code).toBe('LIMIT_EXCEEDED');
    await setSettings({ dailyAmountFen: '2500', dailyCount: 10 });
    const overAmount = await withdraw(m.token, '1000');
    expect(overAmount.json().error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { remainingFen: '500' } });
    expect(await walletBalance(ctx.database.db, m.memberId)).toMatchObject({ available: 8_000n });
  });

  it('a suspended member cannot withdraw', async () => {
    const m = await memberWith(10_000n);
    const risk = await ctx.staffToken(['risk']);
    await ctx.app.inject({ method: 'PUT', url: `/api/admin/members/${m.memberId}/status`, headers: bearer(risk.token), payload: { status: 'suspended', reason: '风险核查' } });
    const res = await withdraw(m.token, '5000');
    expect(res.statusCode).toBe(401); // suspension ended the session
  });

  it('illegal transitions are refused with 409 and change nothing', async () => {
    const m = await memberWith(20_000n);
    const paid = await withdraw(m.token, '10000');
    for (const action of ['approve', 'reject']) {
      const res = await ctx.app.inject({ method: 'POST', url: `/api/admin/withdrawals/${paid.json().id}/${action}`, headers: bearer(finance.token), payload: action === 'reject' ? { reason: '测试驳回' } : undefined });
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'paid' } });
    }
    expect((await walletBalance(ctx.database.db, m.memberId)).available).toBe(10_000n);
    const missing = await ctx.app.inject({ method: 'POST', url: '/api/admin/withdrawals/99999999/approve', headers: bearer(finance.token) });
    expect(missing.statusCode).toBe(404);
  });

  it("a member cannot see or touch another member's withdrawal", async () => {
    const alice = await memberWith(20_000n);
    const bob = await memberWith(0n);
    const w = await withdraw(alice.token, '10000');
    const peek = await ctx.app.inject({ method: 'GET', url: `/api/member/withdrawals/${w.json().id}`, headers: bearer(bob.token) });
    expect(peek.statusCode).toBe(404);
    const list = await ctx.app.inject({ method: 'GET', url: '/api/member/withdrawals', headers: bearer(bob.token) });
    expect(list.json().items).toHaveLength(0);
    const approve = await ctx.app.inject({ method: 'POST', url: `/api/admin/withdrawals/${w.json().id}/approve`, headers: bearer(bob.token) });
    expect(approve.statusCode).toBe(403);
  });
});

describe('bank batch payouts', () => {
  it('exports approved withdrawals to a CSV for the bank and imports the results', async () => {
    await setSettings({ payoutChannel: 'bank_batch' });
    const a = await memberWith(30_000n);
    const b = await memberWith(30_000n);
    const wa = (await withdraw(a.token, '10000')).json();
    const wb = (await withdraw(b.token, '20000')).json();
    expect(wa.status).toBe('approved');

    const batch = await ctx.app.inject({ method: 'POST', url: '/api/admin/payout-batches', headers: bearer(finance.token) });
    expect(batch.statusCode).toBe(201);
    const { id: batchId, count } = batch.json();
    expect(count).toBeGreaterThanOrEqual(2);
    const file = await ctx.app.inject({ method: 'GET', url: `/api/admin/payout-batches/${batchId}/file.csv`, headers: bearer(finance.token) });
    const lines = file.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('withdrawal_id,payee_name,payee_bank,payee_account,amount_yuan,memo');
    expect(lines).toContainEqual(`${wa.id},张三,中国银行,6222020000001234,98.50,商联提现 #${wa.id}`);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/admin/withdrawals/${wa.id}`, headers: bearer(finance.token) })).json().status).toBe('paying');

    const results = ['withdrawal_id,result,bank_reference,message', `${wa.id},success,BANK-001,`, `${wb.id},failed,,账户已销户`, '999999,success,X,', 'garbage'].join('\n');
    const imported = await ctx.app.inject({ method: 'POST', url: `/api/admin/payout-batches/${batchId}/results`, headers: { ...bearer(finance.token), 'content-type': 'text/csv' }, payload: results });
    expect(imported.statusCode).toBe(200);
    expect(imported.json().lines.map((l: { outcome: string }) => l.outcome)).toEqual(['paid', 'failed', 'not_in_batch', 'invalid']);
    expect(await walletBalance(ctx.database.db, a.memberId)).toEqual({ frozen: 0n, available: 20_000n, withdrawing: 0n });
    expect(await walletBalance(ctx.database.db, b.memberId)).toEqual({ frozen: 0n, available: 30_000n, withdrawing: 0n });

    // Importing the same file again changes nothing.
    const again = await ctx.app.inject({ method: 'POST', url: `/api/admin/payout-batches/${batchId}/results`, headers: { ...bearer(finance.token), 'content-type': 'text/csv' }, payload: results });
    expect(again.json().lines.map((l: { outcome: string }) => l.outcome)).toEqual(['unchanged', 'unchanged', 'not_in_batch', 'invalid']);
    expect((await verifyLedger(ctx.database.db)).ok).toBe(true);
  });

  it('refuses a results file without the expected header', async () => {
    await setSettings({ payoutChannel: 'bank_batch' });
    const a = await memberWith(30_000n);
    await withdraw(a.token, '10000');
    const batch = (await ctx.app.inject({ method: 'POST', url: '/api/admin/payout-batches', headers: bearer(finance.token) })).json();
    const res = await ctx.app.inject({ method: 'POST', url: `/api/admin/payout-batches/${batch.id}/results`, headers: { ...bearer(finance.token), 'content-type': 'text/csv' }, payload: 'id,status\n1,ok' });
    expect(res.statusCode).toBe(400);
  });
});

describe('settings', () => {
  it('are validated, versioned and refuse a stale version', async () => {
    const current = (await ctx.app.inject({ method: 'GET', url: '/api/admin/settings/withdrawals', headers: bearer(finance.token) })).json();
    const stale = await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/withdrawals', headers: bearer(finance.token), payload: { ...settings, version: current.version - 1 } });
    expect(stale.statusCode).toBe(409);
    const swallowing = await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/withdrawals', headers: bearer(finance.token), payload: { ...settings, feeFixedFen: '1000', version: current.version } });
    expect(swallowing.statusCode).toBe(400);
    expect(swallowing.json().error.details[0].message).toContain('swallow');
    const badRate = await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/withdrawals', headers: bearer(finance.token), payload: { ...settings, feePpm: 0.5, version: current.version } });
    expect(badRate.statusCode).toBe(400);
    const ops = await ctx.staffToken(['ops']);
    const forbidden = await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/withdrawals', headers: bearer(ops.token), payload: { ...settings, version: current.version } });
    expect(forbidden.statusCode).toBe(403);
  });
});
