import { expect } from 'vitest';
import { bearer, type TestContext } from '../helpers/app.js';
import { notifySandbox, paidNotice } from '../helpers/sandbox.js';

export const buyLevel = (ctx: TestContext, token: string, levelId: number) =>
  ctx.app.inject({ method: 'POST', url: '/api/member/payments', headers: bearer(token), payload: { purpose: 'level_purchase', purposeRef: String(levelId) } });

/** Opens a level order and pays it through the sandbox notify endpoint. */
export async function buyAndPay(ctx: TestContext, token: string, levelId: number) {
  const order = await buyLevel(ctx, token, levelId);
  expect(order.statusCode, order.body).toBe(201);
  const paid = await notifySandbox(ctx, paidNotice(order.json().orderNo, order.json().amountFen));
  expect(paid.json().outcome).toBe('applied');
  return order.json() as { orderNo: string; amountFen: string };
}
