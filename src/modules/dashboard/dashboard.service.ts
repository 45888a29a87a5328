import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { zonedMidnight } from '../../lib/zoned-time.js';
import { dayOf } from '../levels/level-jobs.js';
import { monthOf, shiftMonth } from '../performance/performance.service.js';

export const payoutTypes = ['rule', 'profit_share', 'peer_bonus', 'dividend'] as const;
export type PayoutType = (typeof payoutTypes)[number];

export interface Volume {
  /** Net settled sales (settled − refunded), what the monthly report and the dividend pools call volume. */
  salesFen: string;
  onboardingFeesFen: string;
  levelPurchasesFen: string;
  /** Sales + onboarding fees + level purchases. */
  totalFen: string;
}

export interface PeriodFigures {
  volume: Volume;
  newMembers: number;
  /** Entry fees paid in the period: members who became active. */
  activatedMembers: number;
  payouts: { type: PayoutType; fen: string }[];
  payoutTotalFen: string;
}

export interface MonthFigures extends PeriodFigures {
  month: string;
  byLevel: { levelRank: number | null; fen: string }[];
}

export interface Dashboard {
  timeZone: string;
  generatedAt: string;
  today: PeriodFigures & { date: string };
  month: MonthFigures;
  pending: { onboardingReviews: number; withdrawals: { count: number; amountFen: string } };
  /** The last 12 months, oldest first; the last one is the current month. */
  series: MonthFigures[];
  /** Names of the ranks in the ladder as it stands, for labelling byLevel. */
  levels: { rank: number; name: string }[];
}

/** Sums per key, in bigint. */
class Totals {
  private readonly m = new Map<string, bigint>();
  add(key: string, fen: string | bigint) {
    this.m.set(key, (this.m.get(key) ?? 0n) + BigInt(fen));
  }
  get(key: string): bigint {
    return this.m.get(key) ?? 0n;
  }
}

function period(key: string, t: { sales: Totals; fees: Totals; purchases: Totals; members: Totals; activated: Totals; payouts: Totals }): PeriodFigures {
  const sales = t.sales.get(key);
  const fees = t.fees.get(key);
  const purchases = t.purchases.get(key);
  const payouts = payoutTypes.map((type) => ({ type, fen: t.payouts.get(`${key}|${type}`) }));
  return {
    volume: {
      salesFen: sales.toString(),
      onboardingFeesFen: fees.toString(),
      levelPurchasesFen: purchases.toString(),
      totalFen: (sales + fees + purchases).toString(),
    },
    newMembers: Number(t.members.get(key)),
    activatedMembers: Number(t.activated.get(key)),
    payouts: payouts.map((p) => ({ type: p.type, fen: p.fen.toString() })),
    payoutTotalFen: payouts.reduce((a, p) => a + p.fen, 0n).toString(),
  };
}

/**
 * The console's front page in one read: today and the month so far, what
 * waits for staff, and the last 12 months — all in the platform time zone.
 *
 * Months use the definitions of the monthly report (settlement-reports): the
 * volume of sales is the members' net settled performance of the month, and
 * payouts are the reward lines of the month not clawed back plus the
 * dividends of the month's settlement (a month's dividends exist once it has
 * been settled, early the month after). Today's sales are read from the
 * applied channel records of the day, and today's dividends are the
 * dividends paid today. Fees and level purchases count when they were paid.
 *
 * Each source is read once with a range condition over the 12 months and
 * grouped in SQL; nothing loops over members.
 */
export async function dashboard(db: Db, timeZone: string, now = new Date()): Promise<Dashboard> {
  const current = monthOf(now, timeZone);
  const first = shiftMonth(current, -11);
  const months = Array.from({ length: 12 }, (_, i) => shiftMonth(first, i));
  const today = dayOf(now, timeZone);
  const todayStart = zonedMidnight(today, timeZone).toISOString();
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const tomorrowStart = zonedMidnight(tomorrow, timeZone).toISOString();
  const seriesStart = zonedMidnight(first, timeZone).toISOString();
  const monthKey = (at: string) => sql`to_char(${sql.raw(at)} at time zone ${timeZone}, 'YYYY-MM-01')`;

  const [sales, salesToday, payments, joined, rewards, dividends, dividendsToday, pending, levels] = await Promise.all([
    queryRows<{ month: string; fen: string }>(db, sql`
      select month::text as month, sum(personal_settled - personal_refunded)::text as fen
      from member_performance where month >= ${first}::date and month <= ${current}::date group by month`),
    queryRows<{ fen: string }>(db, sql`
      select coalesce(sum(case when status = 'settled' then amount else -amount end), 0)::text as fen
      from channel_transactions
      where occurred_at >= ${todayStart}::timestamptz and occurred_at < ${tomorrowStart}::timestamptz and state = 'applied'`),
    queryRows<{ month: string; purpose: string; n: number; fen: string; n_today: number; fen_today: string }>(db, sql`
      select ${monthKey('paid_at')} as month, purpose, count(*)::int as n, sum(amount)::text as fen,
        count(*) filter (where paid_at >= ${todayStart}::timestamptz and paid_at < ${tomorrowStart}::timestamptz)::int as n_today,
        coalesce(sum(amount) filter (where paid_at >= ${todayStart}::timestamptz and paid_at < ${tomorrowStart}::timestamptz), 0)::text as fen_today
      from payment_orders where status = 'paid' and paid_at >= ${seriesStart}::timestamptz group by 1, 2`),
    queryRows<{ month: string; n: number; n_today: number }>(db, sql`
      select ${monthKey('created_at')} as month, count(*)::int as n,
        count(*) filter (where created_at >= ${todayStart}::timestamptz and created_at < ${tomorrowStart}::timestamptz)::int as n_today
      from members where created_at >= ${seriesStart}::timestamptz group by 1`),
    queryRows<{ month: string; type: string; level_rank: number; fen: string; fen_today: string }>(db, sql`
      select month::text as month, kind as type, level_rank, sum(amount_fen)::text as fen,
        coalesce(sum(amount_fen) filter (where day = ${today}::date), 0)::text as fen_today
      from reward_payouts
      where month >= ${first}::date and month <= ${current}::date and clawed_back_at is null group by 1, 2, 3`),
    queryRows<{ month: string; level_rank: number | null; fen: string }>(db, sql`
      select r.month::text as month, q.level_rank, sum(q.share_fen)::text as fen from settlement_qualifiers q
      join settlement_runs r on r.id = q.run_id and r.month >= ${first}::date and r.month <= ${current}::date and r.state <> 'cancelled'
      where q.entry_id is not null group by 1, 2`),
    queryRows<{ fen: string }>(db, sql`
      select coalesce(sum(q.share_fen), 0)::text as fen from settlement_tiers t
      join settlement_qualifiers q on q.run_id = t.run_id and q.tier_id = t.tier_id and q.entry_id is not null
      where t.paid_at >= ${todayStart}::timestamptz and t.paid_at < ${tomorrowStart}::timestamptz`),
    queryRows<{ reviews: number; withdrawals: number; withdrawal_fen: string }>(db, sql`
      select (select count(*)::int from onboarding_applications where state = 'submitted') as reviews,
        count(*)::int as withdrawals, coalesce(sum(amount), 0)::text as withdrawal_fen
      from withdrawals where status = 'requested'`),
    queryRows<{ rank: number; name: string }>(db, sql`select rank, name from levels where removed_at is null order by rank`),
  ]);

  const t = { sales: new Totals(), fees: new Totals(), purchases: new Totals(), members: new Totals(), activated: new Totals(), payouts: new Totals() };
  const byLevel = new Map<string, Totals>(months.map((m) => [m, new Totals()]));
  for (const r of sales) t.sales.add(r.month, r.fen);
  t.sales.add('today', salesToday[0]!.fen);
  for (const r of payments) {
    const into = r.purpose === 'entry_fee' ? t.fees : t.purchases;
    into.add(r.month, r.fen);
    into.add('today', r.fen_today);
    if (r.purpose === 'entry_fee') {
      t.activated.add(r.month, BigInt(r.n));
      t.activated.add('today', BigInt(r.n_today));
    }
  }
  for (const r of joined) {
    t.members.add(r.month, BigInt(r.n));
    t.members.add('today', BigInt(r.n_today));
  }
  for (const r of rewards) {
    t.payouts.add(`${r.month}|${r.type}`, r.fen);
    t.payouts.add(`today|${r.type}`, r.fen_today);
    byLevel.get(r.month)?.add(String(r.level_rank), r.fen);
  }
  for (const r of dividends) {
    t.payouts.add(`${r.month}|dividend`, r.fen);
    byLevel.get(r.month)?.add(r.level_rank === null ? 'none' : String(r.level_rank), r.fen);
  }
  t.payouts.add('today|dividend', dividendsToday[0]!.fen);

  // Ranks seen in any month, so every month lists the same ranks (zero where nothing was paid).
  const ranks = [...new Set([...rewards.map((r) => String(r.level_rank)), ...dividends.map((r) => (r.level_rank === null ? 'none' : String(r.level_rank)))])]
    .sort((a, b) => (a === 'none' ? -1 : b === 'none' ? 1 : Number(a) - Number(b)));
  const series: MonthFigures[] = months.map((m) => ({
    month: m.slice(0, 7),
    ...period(m, t),
    byLevel: ranks.map((k) => ({ levelRank: k === 'none' ? null : Number(k), fen: byLevel.get(m)!.get(k).toString() })),
  }));
  const p = pending[0]!;
  return {
    timeZone,
    generatedAt: now.toISOString(),
    today: { date: today, ...period('today', t) },
    month: series[series.length - 1]!,
    pending: { onboardingReviews: p.reviews, withdrawals: { count: p.withdrawals, amountFen: p.withdrawal_fen } },
    series,
    levels: levels.map((l) => ({ rank: Number(l.rank), name: l.name })),
  };
}
