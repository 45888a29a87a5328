import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { dashboard, type MonthFigures } from '../../src/modules/dashboard/dashboard.service.js';
import { monthlyReport } from '../../src/modules/dividends/settlement-reports.service.js';
import { bindFirst } from '../../src/modules/referrals/tree.service.js';
import { drainRewards } from '../../src/modules/rewards/rewards.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { markActive, markApproved } from '../helpers/onboarding.js';
import { notifySandbox, paidNotice } from '../helpers/sandbox.js';

/**
 * The dashboard's figures on a small scenario written straight into the
 * tables, around a fixed "now" (2025-03-15 10:00 in Shanghai): rows either
 * side of midnight and of the month's start in the platform time zone, rows
 * outside the 12 months, clawed-back and cancelled payouts, unpaid orders and
 * held refunds — each of which must be left out.
 */
const TZ = 'Asia/Shanghai';
const NOW = new Date('2025-03-15T10:00:00+08:00');
let ctx: TestContext;
const db = () => ctx.database.db;
let viewer: string;
let m: number[];

const at = (local: string) => `${local}+08:00`;

let phoneSeq = 0;
async function member(createdAt: string): Promise<number> {
  const [row] = await queryRows<{ id: number }>(db(), sql`
    insert into members (phone, password_hash, display_name, created_at)
    values (${`177000${String(++phoneSeq).padStart(5, '0')}`}, 'x', '看板测试', ${at(createdAt)}::timestamptz) returning id`);
  return Number(row!.id);
}

let orderSeq = 0;
async function order(memberId: number, purpose: 'entry_fee' | 'level_purchase', amount: number, paidAt: string | null) {
  await db().execute(sql`
    insert into payment_orders (order_no, member_id, purpose, amount, channel_id, status, expires_at, paid_at)
    values (${`DASH${++orderSeq}`}, ${memberId}, ${purpose}, ${amount}, 'sandbox', ${paidAt ? 'paid' : 'pending'}, now(), ${paidAt ? at(paidAt) : null}::timestamptz)`);
}

let txnSeq = 0;
async function txn(memberId: number, status: 'settled' | 'refunded', amount: number, occurredAt: string, state: 'applied' | 'held' = 'applied') {
  await db().execute(sql`
    insert into channel_transactions (channel_id, channel_txn_id, merchant_ref, member_id, amount, status, occurred_at, state, fingerprint)
    values ('push1', ${`T${++txnSeq}`}, 'ref', ${memberId}, ${amount}, ${status}, ${at(occurredAt)}::timestamptz, ${state}, 'f')`);
}

async function performance(memberId: number, month: string, settled: number, refunded: number) {
  // Team figures are large on purpose: the volume is personal sales only, or every sale would count once per ancestor.
  await db().execute(sql`
    insert into member_performance (member_id, month, personal_settled, personal_refunded, personal_txns, team_settled, team_refunded, team_active)
    values (${memberId}, ${month}::date, ${settled}, ${refunded}, 1, 99999999, 0, 0)`);
}

let entrySeq = 100_000;
async function payout(memberId: number, kind: string, levelRank: number, amount: number, day: string, clawedBack = false) {
  await db().execute(sql`
    insert into reward_payouts (event_id, member_id, generation, kind, version, trigger, base_fen, rate_ppm, fixed_fen, gross_fen, amount_fen, text, entry_id, day, month, level_rank, clawed_back_at)
    values (1, ${memberId}, 1, ${kind}, 1, 'transaction_settled', ${amount * 10}, 100000, 0, ${amount}, ${amount}, '测试', ${++entrySeq}, ${day}::date,
      ${`${day.slice(0, 7)}-01`}::date, ${levelRank}, ${clawedBack ? sql`now()` : null})`);
}

async function run(month: string, state: string, tierPaidAt: string | null, qualifiers: [number, number | null, number, boolean][]) {
  const [r] = await queryRows<{ id: number }>(db(), sql`
    insert into settlement_runs (month, state, tiers_version, pay_into, freeze_days, approval_required, pay_by, created_by_kind)
    values (${month}::date, ${state}, 1, 'available', 0, 0, now(), 'system') returning id`);
  const runId = Number(r!.id);
  await db().execute(sql`
    insert into settlement_tiers (run_id, tier_id, name, pool_ppm, pool_fen, qualifiers, share_fen, remainder_fen, paid_at)
    values (${runId}, 'basic', '基础分红', 10000, 10000, ${qualifiers.length}, 1750, 0, ${tierPaidAt ? at(tierPaidAt) : null}::timestamptz)`);
  for (const [memberId, levelRank, share, paid] of qualifiers) {
    await db().execute(sql`
      insert into settlement_qualifiers (run_id, tier_id, member_id, level_rank, evidence, share_fen, entry_id)
      values (${runId}, 'basic', ${memberId}, ${levelRank}, '[]', ${share}, ${paid ? ++entrySeq : null})`);
  }
}

async function scenario() {
  m = [
    await member('2025-03-15T00:10:00'), // today (16:10 UTC the day before)
    await member('2025-03-14T23:50:00'), // yesterday, this month
    await member('2025-02-28T23:59:00'), // February
    await member('2025-03-01T00:05:00'), // March (still February in UTC)
    await member('2024-03-20T12:00:00'), // before the 12 months
  ];
  await order(m[0]!, 'entry_fee', 10_000, '2025-03-15T09:00:00');
  await order(m[1]!, 'entry_fee', 10_000, '2025-03-02T10:00:00');
  await order(m[2]!, 'entry_fee', 20_000, '2025-01-10T10:00:00');
  await order(m[0]!, 'level_purchase', 50_000, '2025-03-15T00:00:00'); // the first instant of today
  await order(m[1]!, 'level_purchase', 30_000, '2025-03-14T23:59:59');
  await order(m[3]!, 'entry_fee', 99_999, null); // never paid
  await order(m[4]!, 'entry_fee', 77_700, '2024-03-31T23:00:00'); // the hour before the 12 months start

  await txn(m[0]!, 'settled', 12_345, '2025-03-15T08:00:00');
  await txn(m[0]!, 'refunded', 2_345, '2025-03-15T09:00:00');
  await txn(m[0]!, 'refunded', 500, '2025-03-15T09:30:00', 'held'); // its sale has not arrived: not applied yet
  await txn(m[1]!, 'settled', 7_000, '2025-03-14T23:59:00');

  await performance(m[0]!, '2025-03-01', 500_000, 10_000);
  await performance(m[1]!, '2025-03-01', 300_000, 0);
  await performance(m[0]!, '2025-02-01', 100_000, 0);
  await performance(m[0]!, '2024-03-01', 999, 0);

  await payout(m[0]!, 'rule', 1, 1_000, '2025-03-15');
  await payout(m[1]!, 'profit_share', 2, 2_000, '2025-03-10');
  await payout(m[1]!, 'peer_bonus', 2, 300, '2025-03-15');
  await payout(m[0]!, 'rule', 1, 5_000, '2025-03-15', true); // clawed back by a refund
  await payout(m[2]!, 'rule', 3, 700, '2025-02-01');
  await payout(m[0]!, 'rule', 1, 100_000, '2024-03-05');

  // February's dividends, paid this morning: two paid qualifiers (one without a level) and one not paid.
  await run('2025-02-01', 'paid', '2025-03-15T01:00:00', [[m[0]!, 2, 1_750, true], [m[1]!, null, 1_750, true], [m[2]!, 1, 1_750, false]]);
  await run('2025-01-01', 'cancelled', null, [[m[0]!, 1, 9_999, true]]);

  await db().execute(sql`
    insert into onboarding_applications (member_id, state, revision, submitted_at)
    values (${m[2]!}, 'submitted', 1, now()), (${m[3]!}, 'submitted', 1, now()), (${m[4]!}, 'approved', 1, now())`);
  for (const [i, amount, status] of [[0, 10_000, 'requested'], [1, 25_000, 'requested'], [2, 40_000, 'paid']] as const) {
    await db().execute(sql`
      insert into withdrawals (member_id, idempotency_key, amount, fee, net, status, review_required, channel, payee_name, payee_bank, payee_account_enc, payee_account_last4)
      values (${m[i]!}, ${`k${i}`}, ${amount}, 0, ${amount}, ${status}, true, 'bank_batch', '张三', '工商银行', 'x', '1234')`);
  }
}

beforeAll(async () => {
  ctx = await createTestContext();
  viewer = (await ctx.staffToken(['viewer'])).token;
  await scenario();
}, 60_000);
afterAll(() => ctx.close());

const payouts = (p: { payouts: { type: string; fen: string }[] }) => Object.fromEntries(p.payouts.map((x) => [x.type, x.fen]));
const monthOfSeries = (series: MonthFigures[], month: string) => series.find((s) => s.month === month)!;

describe('dashboard', () => {
  it('today and this month in the platform time zone, with the exact figures', async () => {
    const d = await dashboard(db(), TZ, NOW);
    expect(d.today).toEqual({
      date: '2025-03-15',
      volume: { salesFen: '10000', onboardingFeesFen: '10000', levelPurchasesFen: '50000', totalFen: '70000' },
      newMembers: 1,
      activatedMembers: 1,
      payouts: [
        { type: 'rule', fen: '1000' },
        { type: 'profit_share', fen: '0' },
        { type: 'peer_bonus', fen: '300' },
        { type: 'dividend', fen: '3500' },
      ],
      payoutTotalFen: '4800',
    });
    expect(d.month).toEqual({
      month: '2025-03',
      volume: { salesFen: '790000', onboardingFeesFen: '20000', levelPurchasesFen: '80000', totalFen: '890000' },
      newMembers: 3,
      activatedMembers: 2,
      payouts: [
        { type: 'rule', fen: '1000' },
        { type: 'profit_share', fen: '2000' },
        { type: 'peer_bonus', fen: '300' },
        { type: 'dividend', fen: '0' },
      ],
      payoutTotalFen: '3300',
      byLevel: [
        { levelRank: null, fen: '0' },
        { levelRank: 1, fen: '1000' },
        { levelRank: 2, fen: '2300' },
        { levelRank: 3, fen: '0' },
      ],
    });
    expect(d.pending).toEqual({ onboardingReviews: 2, withdrawals: { count: 2, amountFen: '35000' } });
  });

  it('12 months, oldest first, agreeing with the monthly report month by month', async () => {
    const d = await dashboard(db(), TZ, NOW);
    expect(d.series.map((s) => s.month)).toEqual([
      '2024-04', '2024-05', '2024-06', '2024-07', '2024-08', '2024-09', '2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03',
    ]);
    const feb = monthOfSeries(d.series, '2025-02');
    expect(feb.volume).toEqual({ salesFen: '100000', onboardingFeesFen: '0', levelPurchasesFen: '0', totalFen: '100000' });
    expect(feb.newMembers).toBe(1);
    expect(payouts(feb)).toEqual({ rule: '700', profit_share: '0', peer_bonus: '0', dividend: '3500' });
    expect(feb.payoutTotalFen).toBe('4200');
    expect(feb.byLevel).toEqual([
      { levelRank: null, fen: '1750' },
      { levelRank: 1, fen: '0' },
      { levelRank: 2, fen: '1750' },
      { levelRank: 3, fen: '700' },
    ]);
    const jan = monthOfSeries(d.series, '2025-01');
    expect(jan.volume.totalFen).toBe('20000');
    expect(jan.activatedMembers).toBe(1);
    expect(jan.payoutTotalFen).toBe('0'); // its run was cancelled
    // Nothing from before the 12 months, and the quiet months are zeros.
    expect(monthOfSeries(d.series, '2024-04')).toMatchObject({ newMembers: 0, payoutTotalFen: '0', volume: { totalFen: '0' } });
    for (const month of ['2025-02', '2025-03']) {
      const report = await monthlyReport(db(), `${month}-01`);
      const s = monthOfSeries(d.series, month);
      expect(s.volume.salesFen).toBe(report.volumeFen);
      expect(s.payouts).toEqual(report.payouts);
      expect(s.payoutTotalFen).toBe(report.totalFen);
    }
  });

  it('the API answers every staff role and refuses members; real payments land in today', async () => {
    // An entry fee paid through the sandbox, today for real: the fee and the inviter rewards it pays.
    const actor = systemAuditContext('test');
    const inviter = await ctx.registerMember('13300000002');
    const payer = await ctx.registerMember('13300000003');
    await db().transaction((tx) => bindFirst(tx, { memberId: payer.memberId, parentId: inviter.memberId, via: 'invite_code', actor }));
    await markActive(db(), inviter.memberId);
    await markApproved(db(), payer.memberId);
    const created = await ctx.app.inject({ method: 'POST', url: '/api/member/payments', headers: bearer(payer.token), payload: { purpose: 'entry_fee' } });
    expect(created.statusCode, created.body).toBe(201);
    expect((await notifySandbox(ctx, paidNotice(created.json().orderNo, created.json().amountFen))).json().outcome).toBe('applied');
    await drainRewards(db(), TZ);
    const fee = BigInt(created.json().amountFen);

    const res = await ctx.app.inject({ method: 'GET', url: '/api/admin/dashboard', headers: bearer(viewer) });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.timeZone).toBe(TZ);
    expect(body.series).toHaveLength(12);
    expect(body.today.volume).toMatchObject({ onboardingFeesFen: fee.toString(), totalFen: fee.toString() });
    expect(body.today.newMembers).toBe(2);
    expect(body.today.activatedMembers).toBe(1);
    // 直推 20% of the fee (default rules); the one-level-up inviter has no inviter of its own.
    expect(payouts(body.today).rule).toBe(((fee * 200_000n) / 1_000_000n).toString());
    expect(body.month.payoutTotalFen).toBe(body.today.payoutTotalFen);
    expect(body.pending).toEqual({ onboardingReviews: 2, withdrawals: { count: 2, amountFen: '35000' } });
    for (const roles of [['owner'], ['risk'], ['finance'], ['ops']] as const) {
      const token = (await ctx.staffToken([...roles])).token;
      expect((await ctx.app.inject({ method: 'GET', url: '/api/admin/dashboard', headers: bearer(token) })).statusCode).toBe(200);
    }
    const refused = await ctx.app.inject({ method: 'GET', url: '/api/admin/dashboard', headers: bearer(payer.token) });
    expect(refused.statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/admin/dashboard' })).statusCode).toBe(401);
  });
});
