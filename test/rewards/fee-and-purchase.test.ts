import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { readLadder } from '../../src/modules/levels/ladder.service.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { bindFirst } from '../../src/modules/referrals/tree.service.js';
import { drainRewards } from '../../src/modules/rewards/rewards.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { markActive, markApproved } from '../helpers/onboarding.js';
import { notifySandbox, paidNotice } from '../helpers/sandbox.js';
import { buyAndPay } from '../levels/sandbox.js';

/**
 * Real payments, real events: the entry fee and a level purchase paid
 * through the sandbox channel's signed notification reach the inviters'
 * statements through the default rules (直推 20% / 间推 10% of the fee,
 * 直推 10% of a purchase).
 */
const TZ = 'Asia/Shanghai';
let ctx: TestContext;
const db = () => ctx.database.db;
let grand: { token: string; memberId: number };
let inviter: { token: string; memberId: number };
let member: { token: string; memberId: number };

beforeAll(async () => {
  ctx = await createTestContext();
  grand = await ctx.registerMember('13300000001');
  inviter = await ctx.registerMember('13300000002');
  member = await ctx.registerMember('13300000003');
  const actor = systemAuditContext('test');
  await db().transaction((tx) => bindFirst(tx, { memberId: inviter.memberId, parentId: grand.memberId, via: 'invite_code', actor }));
  await db().transaction((tx) => bindFirst(tx, { memberId: member.memberId, parentId: inviter.memberId, via: 'invite_code', actor }));
  await markActive(db(), grand.memberId);
  await markActive(db(), inviter.memberId);
  await markApproved(db(), member.memberId);
});
afterAll(() => ctx.close());

const wallet = async (t: { token: string }) => (await ctx.app.inject({ method: 'GET', url: '/api/member/wallet', headers: bearer(t.token) })).json();

describe('rewards from real payments', () => {
  it('the entry fee paid in the sandbox pays the inviter 20% and its inviter 10%, once even if the channel notifies twice', async () => {
    const order = await ctx.app.inject({ method: 'POST', url: '/api/member/payments', headers: bearer(member.token), payload: { purpose: 'entry_fee' } });
    expect(order.statusCode, order.body).toBe(201);
    const notice = paidNotice(order.json().orderNo, order.json().amountFen);
    expect((await notifySandbox(ctx, notice)).json().outcome).toBe('applied');
    await notifySandbox(ctx, notice);
    await drainRewards(db(), TZ);
    const fee = BigInt(order.json().amountFen);
    expect((await wallet(inviter)).frozenFen).toBe(((fee * 200_000n) / 1_000_000n).toString());
    expect((await wallet(grand)).frozenFen).toBe(((fee * 100_000n) / 1_000_000n).toString());
    const lines = (await ctx.app.inject({ method: 'GET', url: '/api/member/statement', headers: bearer(inviter.token) })).json().items;
    const reward = lines.find((l: { type: string }) => l.type === 'reward');
    expect(reward.explanations[0]).toMatch(/^入驻费 ¥\d+\.\d{2} · 规则「直推入驻奖」\(v1\) · 直推 · /);
  });

  it('a level purchase pays the inviter 10% of the amount paid', async () => {
    const before = BigInt((await wallet(inviter)).frozenFen);
    const ladder = await readLadder(db());
    const silver = ladder.levels.find((l) => l.name === '银牌')!;
    const paid = await buyAndPay(ctx, member.token, silver.id);
    await drainRewards(db(), TZ);
    expect(BigInt((await wallet(inviter)).frozenFen) - before).toBe((BigInt(paid.amountFen) * 100_000n) / 1_000_000n);
    expect((await verifyLedger(db())).ok).toBe(true);
  });
});
