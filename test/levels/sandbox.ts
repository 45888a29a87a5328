import crypto from 'node:crypto';
import { expect } from 'vitest';
import { signPush } from '../../src/modules/channels/push-signature.js';
import { bearer, type TestContext } from '../helpers/app.js';

/** The data key the level tests run with, and the sandbox channel secret derived from it (as the app derives it). */
export const DATA_KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
const sandboxSecret = crypto.createHmac('sha256', Buffer.from(DATA_KEY, 'base64')).update('sandbox-channel').digest('hex');

/** A signed sandbox payment notification, delivered to the notify endpoint as the channel would. */
export function notify(ctx: TestContext, body: Record<string, unknown>) {
  const raw = JSON.stringify(body);
  const ts = Math.floor(Date.now() / 1000);
  return ctx.app.inject({
    method: 'POST',
    url: '/api/payments/notify/sandbox',
    headers: { 'content-type': 'application/json', 'x-shanglian-timestamp': String(ts), 'x-shanglian-signature': signPush(sandboxSecret, ts, raw) },
    payload: raw,
  });
}

export const paidNotice = (orderNo: string, amount: string) => ({
  order_no: orderNo,
  trade_no: `T${crypto.randomBytes(4).toString('hex')}`,
  amount_fen: amount,
  status: 'paid',
  paid_at: new Date().toISOString(),
  notify_id: crypto.randomUUID(),
});

export const buyLevel = (ctx: TestContext, token: string, levelId: number) =>
  ctx.app.inject({ method: 'POST', url: '/api/member/payments', headers: bearer(token), payload: { purpose: 'level_purchase', purposeRef: String(levelId) } });

/** Opens a level order and pays it through the sandbox notify endpoint. */
export async function buyAndPay(ctx: TestContext, token: string, levelId: number) {
  const order = await buyLevel(ctx, token, levelId);
  expect(order.statusCode, order.body).toBe(201);
  const paid = await notify(ctx, paidNotice(order.json().orderNo, order.json().amountFen));
  expect(paid.json().outcome).toBe('applied');
  return order.json() as { orderNo: string; amountFen: string };
}
