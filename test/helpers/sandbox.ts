import crypto from 'node:crypto';
import { signPush } from '../../src/modules/channels/push-signature.js';
import type { TestContext } from './app.js';

/** The data key test contexts run with (createTestContext's default), and the sandbox channel secret the app derives from it. */
export const TEST_DATA_KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
export const sandboxSecret = crypto.createHmac('sha256', Buffer.from(TEST_DATA_KEY, 'base64')).update('sandbox-channel').digest('hex');

/** A JSON body POSTed with the push signature headers (HMAC-SHA256 over `timestamp.body`), as a channel sends it. */
export function postSigned(ctx: TestContext, url: string, secret: string, body: unknown) {
  const raw = JSON.stringify(body);
  const ts = Math.floor(Date.now() / 1000);
  return ctx.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-shanglian-timestamp': String(ts), 'x-shanglian-signature': signPush(secret, ts, raw) },
    payload: raw,
  });
}

/** A signed sandbox payment notification, delivered to the notify endpoint as the channel would. */
export const notifySandbox = (ctx: TestContext, body: Record<string, unknown>, secret = sandboxSecret) => postSigned(ctx, '/api/payments/notify/sandbox', secret, body);

/** A "paid" notification for an order, with fresh trade and notification ids. */
export const paidNotice = (orderNo: string, amount: string, over: Record<string, unknown> = {}) => ({
  order_no: orderNo,
  trade_no: `T${crypto.randomBytes(4).toString('hex')}`,
  amount_fen: amount,
  status: 'paid',
  paid_at: new Date().toISOString(),
  notify_id: crypto.randomUUID(),
  ...over,
});
