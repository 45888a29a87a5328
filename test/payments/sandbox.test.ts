import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markApproved } from '../helpers/onboarding.js';
import { queryRows } from '../../src/db/client.js';
import { platformBalance } from '../../src/modules/ledger/ledger.service.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { notifySandbox, paidNotice, TEST_DATA_KEY } from '../helpers/sandbox.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ DATA_ENCRYPTION_KEY: TEST_DATA_KEY });
});
afterAll(() => ctx.close());

let phones = 0;
/** Each order is a different approved member's entry fee (a member has one open entry-fee order at a time). */
const createOrder = async () => {
  const payer = await ctx.registerMember(`134100${String(++phones).padStart(5, '0')}`);
  await markApproved(ctx.database.db, payer.memberId);
  const res = await ctx.app.inject({ method: 'POST', url: '/api/member/payments', headers: bearer(payer.token), payload: { purpose: 'entry_fee' } });
  expect(res.statusCode, res.body).toBe(201);
  return { ...(res.json() as { orderNo: string; amountFen: string; status: string; checkoutUrl: string; simulated: boolean }), token: payer.token };
};

const notify = (body: Record<string, unknown>, secret?: string) => notifySandbox(ctx, body, secret);
const confirmedEvents = async (orderNo: string) =>
  (await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from outbox_events where type = 'payment_confirmed' and payload->>'orderNo' = ${orderNo}`))[0]!.n;

describe('paying an order in the sandbox', () => {
  it('a person pays on the simulated checkout page; the order is paid once, the ledger records it, one event goes out', async () => {
    const order = await createOrder();
    expect(order).toMatchObject({ amountFen: '99900', status: 'pending', simulated: true });
    const page = await ctx.app.inject({ method: 'GET', url: order.checkoutUrl });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('模拟支付');
    expect(page.body).toContain('¥999.00');

    const pay = await ctx.app.inject({ method: 'POST', url: `${order.checkoutUrl}/pay` });
    expect(pay.statusCode).toBe(303);
    const after = await ctx.app.inject({ method: 'GET', url: `/api/member/payments/${order.orderNo}`, headers: bearer(order.token) });
    expect(after.json()).toMatchObject({ status: 'paid', checkoutUrl: null });
    expect(Number(await confirmedEvents(order.orderNo))).toBe(1);
    expect(await platformBalance(ctx.database.db, 'fees:onboarding')).toBe(-99_900n);
    expect(await platformBalance(ctx.database.db, 'channel:clearing')).toBe(99_900n);
    // The page now says it is paid and offers no buttons.
    const done = await ctx.app.inject({ method: 'GET', url: order.checkoutUrl });
    expect(done.body).toContain('paid');
    expect(done.body).not.toContain('模拟支付成功</button>');
  });

  it('the same notification again is a duplicate; a second payment of a paid order is reported, not applied', async () => {
    const order = await createOrder();
    const notice = paidNotice(order.orderNo, order.amountFen);
    expect((await notify(notice)).json()).toMatchObject({ code: 'SUCCESS', outcome: 'applied' });
    expect((await notify(notice)).json()).toMatchObject({ outcome: 'duplicate' });
    const other = await notify(paidNotice(order.orderNo, order.amountFen));
    expect(other.json().outcome).toBe('already_paid');
    expect(Number(await confirmedEvents(order.orderNo))).toBe(1);
    const finance = await ctx.staffToken(['finance']);
    const anomalies = await ctx.app.inject({ method: 'GET', url: '/api/admin/payments/anomalies', headers: bearer(finance.token) });
    expect(anomalies.json().items).toContainEqual(expect.objectContaining({ orderNo: order.orderNo, outcome: 'already_paid' }));
  });

  it('a wrong amount, an unknown order and an expired order are recorded and reported, and change no money', async () => {
    const before = await platformBalance(ctx.database.db, 'channel:clearing');
    const order = await createOrder();
    expect((await notify(paidNotice(order.orderNo, '1'))).json().outcome).toBe('amount_mismatch');
    expect((await notify(paidNotice('SLNOSUCHORDER000', '100'))).json().outcome).toBe('unknown_order');
    const late = await createOrder();
    await ctx.database.db.execute(sql`update payment_orders set expires_at = now() - interval '1 hour' where order_no = ${late.orderNo}`);
    expect((await notify(paidNotice(late.orderNo, late.amountFen))).json().outcome).toBe('expired_order');
    expect(await platformBalance(ctx.database.db, 'channel:clearing')).toBe(before);
    const mine = await ctx.app.inject({ method: 'GET', url: `/api/member/payments/${order.orderNo}`, headers: bearer(order.token) });
    expect(mine.json().status).toBe('pending');
  });

  it('a failed payment marks the order failed', async () => {
    const order = await createOrder();
    await ctx.app.inject({ method: 'POST', url: `${order.checkoutUrl}/fail` });
    const after = await ctx.app.inject({ method: 'GET', url: `/api/member/payments/${order.orderNo}`, headers: bearer(order.token) });
    expect(after.json().status).toBe('failed');
  });

  it('the checkout sends the payer back to the H5 page it came from, and only to the H5', async () => {
    const order = await createOrder();
    const back = `/m/pay?order=${order.orderNo}`;
    const page = await ctx.app.inject({ method: 'GET', url: `${order.checkoutUrl}?return=${encodeURIComponent(back)}` });
    expect(page.body).toContain(`/pay?return=${encodeURIComponent(back)}`);
    const pay = await ctx.app.inject({ method: 'POST', url: `${order.checkoutUrl}/pay?return=${encodeURIComponent(back)}` });
    expect(pay.statusCode).toBe(303);
    expect(pay.headers.location).toBe(back);
    const done = await ctx.app.inject({ method: 'GET', url: `${order.checkoutUrl}?return=${encodeURIComponent(back)}` });
    expect(done.body).toContain('返回商联');
    for (const elsewhere of ['https://evil.example/', '//evil.example/m', '/admin/', '/m\\\\evil']) {
      const res = await ctx.app.inject({ method: 'POST', url: `${order.checkoutUrl}/pay?return=${encodeURIComponent(elsewhere)}` });
      expect(res.statusCode, elsewhere).toBe(400);
    }
  });

  it('a badly signed notification is refused and writes nothing', async () => {
    const order = await createOrder();
    const res = await notify(paidNotice(order.orderNo, order.amountFen), 'not-the-sandbox-secret');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('FAIL');
    const rows = await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from payment_notifications where order_no = ${order.orderNo}`);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it("a member cannot see another member's order", async () => {
    const order = await createOrder();
    const other = await ctx.registerMember('13400000002');
    await markApproved(ctx.database.db, other.memberId);
    const res = await ctx.app.inject({ method: 'GET', url: `/api/member/payments/${order.orderNo}`, headers: bearer(other.token) });
    expect(res.statusCode).toBe(404);
  });

  it('the ledger stays consistent', async () => {
    expect((await verifyLedger(ctx.database.db)).ok).toBe(true);
  });
});

describe('with the sandbox switched off', () => {
  it('its pages and notify endpoint are not there, and orders cannot use it', async () => {
    const off = await createTestContext({ SANDBOX_PAYMENTS: 'false' });
    try {
      const m = await off.registerMember('13400000003');
      await markApproved(off.database.db, m.memberId);
      const create = await off.app.inject({ method: 'POST', url: '/api/member/payments', headers: bearer(m.token), payload: { purpose: 'entry_fee' } });
      expect(create.statusCode).toBe(400);
      expect((await off.app.inject({ method: 'GET', url: '/sandbox/checkout/SL2026ABCDEF12' })).statusCode).toBe(404);
      expect((await off.app.inject({ method: 'POST', url: '/api/payments/notify/sandbox', headers: { 'content-type': 'application/json' }, payload: '{}' })).statusCode).toBe(404);
    } finally {
      await off.close();
    }
  });
});
