import { sql } from 'drizzle-orm';
import { type Db, intArrayLiteral, queryRows } from '../../db/client.js';
import type { Fen } from '../../lib/money.js';
import { shiftMonth } from './performance.service.js';

/**
 * Reading performance (业绩): a member's figures for months, the facts level
 * conditions and reward rules read, and the team ranking. Every figure is a
 * key read of member_performance (performance.service keeps it current).
 */

export interface MonthFigures {
  month: string;
  personalSettled: Fen;
  personalRefunded: Fen;
  personalNet: Fen;
  personalSales: number;
  /** Whole downline, excluding the member. */
  teamNet: Fen;
  teamSettled: Fen;
  teamRefunded: Fen;
  teamActive: number;
}

const zeroMonth = (month: string): MonthFigures => ({ month, personalSettled: 0n, personalRefunded: 0n, personalNet: 0n, personalSales: 0, teamNet: 0n, teamSettled: 0n, teamRefunded: 0n, teamActive: 0 });

type Row = { member_id: number | string; month: string; personal_settled: string; personal_refunded: string; personal_txns: number; team_settled: string; team_refunded: string; team_active: number };
const toFigures = (r: Row): MonthFigures => {
  const ps = BigInt(r.personal_settled);
  const pr = BigInt(r.personal_refunded);
  const ts = BigInt(r.team_settled);
  const tr = BigInt(r.team_refunded);
  return { month: r.month, personalSettled: ps, personalRefunded: pr, personalNet: ps - pr, personalSales: r.personal_txns, teamNet: ts - tr, teamSettled: ts, teamRefunded: tr, teamActive: r.team_active };
};

/** Figures of several members for several months: one indexed read; missing rows are zeros. */
export async function monthFigures(db: Db, memberIds: number[], months: string[]): Promise<Map<number, Map<string, MonthFigures>>> {
  const out = new Map<number, Map<string, MonthFigures>>();
  for (const id of memberIds) out.set(id, new Map(months.map((m) => [m, zeroMonth(m)])));
  if (memberIds.length === 0 || months.length === 0) return out;
  const rows = await queryRows<Row>(db, sql`
    select member_id, month::text as month, personal_settled::text, personal_refunded::text, personal_txns, team_settled::text, team_refunded::text, team_active
    from member_performance
    where member_id = any(${`{${memberIds.join(',')}}`}::bigint[]) and month = any(${sql.param(months)}::date[])`);
  for (const r of rows) out.get(Number(r.member_id))!.set(r.month, toFigures(r));
  return out;
}

/** What level conditions read (SPEC §4): this month, last month, lifetime, and increments. */
export interface PerformanceFacts {
  thisMonth: MonthFigures;
  lastMonth: MonthFigures;
  lifetime: { personalNet: Fen; teamNet: Fen };
  /** This month − last month. */
  increment: { personal: Fen; team: Fen };
}

export async function performanceFacts(db: Db, memberIds: number[], month: string): Promise<Map<number, PerformanceFacts>> {
  const last = shiftMonth(month, -1);
  const out = new Map<number, PerformanceFacts>();
  if (memberIds.length === 0) return out;
  // One statement, and per member one range read of its own rows by key (a lateral aggregate): a plain
  // `member_id = any(…)` over a few hundred members made the planner scan the whole table (a row per
  // member and month) twice, in every round of an upgrade evaluation.
  const cols = (m: string, p: string) => sql`
    sum(personal_settled) filter (where month = ${m}::date)::text as ${sql.raw(`${p}_ps`)}, sum(personal_refunded) filter (where month = ${m}::date)::text as ${sql.raw(`${p}_pr`)},
    sum(personal_txns) filter (where month = ${m}::date)::int as ${sql.raw(`${p}_pn`)}, sum(team_settled) filter (where month = ${m}::date)::text as ${sql.raw(`${p}_ts`)},
    sum(team_refunded) filter (where month = ${m}::date)::text as ${sql.raw(`${p}_tr`)}, sum(team_active) filter (where month = ${m}::date)::int as ${sql.raw(`${p}_ta`)}`;
  type Figures = { ps: string | null; pr: string | null; pn: number | null; ts: string | null; tr: string | null; ta: number | null };
  type FactsRow = { id: number | string; lp: string | null; lt: string | null } & { [K in keyof Figures as `c_${K}` | `l_${K}`]: Figures[K] };
  const rows = await queryRows<FactsRow>(db, sql`
    select u.id, f.*
    from unnest(${intArrayLiteral(memberIds)}::bigint[]) as u(id)
    cross join lateral (
      select ${cols(month, 'c')}, ${cols(last, 'l')},
        sum(personal_settled - personal_refunded)::text as lp, sum(team_settled - team_refunded)::text as lt
      from member_performance where member_id = u.id) f`);
  const figures = (r: FactsRow, p: 'c' | 'l', m: string): MonthFigures =>
    toFigures({
      member_id: r.id,
      month: m,
      personal_settled: r[`${p}_ps`] ?? '0',
      personal_refunded: r[`${p}_pr`] ?? '0',
      personal_txns: r[`${p}_pn`] ?? 0,
      team_settled: r[`${p}_ts`] ?? '0',
      team_refunded: r[`${p}_tr`] ?? '0',
      team_active: r[`${p}_ta`] ?? 0,
    });
  for (const r of rows) {
    const thisMonth = figures(r, 'c', month);
    const lastMonth = figures(r, 'l', last);
    out.set(Number(r.id), {
      thisMonth,
      lastMonth,
      lifetime: { personalNet: BigInt(r.lp ?? 0), teamNet: BigInt(r.lt ?? 0) },
      increment: { personal: thisMonth.personalNet - lastMonth.personalNet, team: thisMonth.teamNet - lastMonth.teamNet },
    });
  }
  return out;
}

/** A member's last `count` months, newest first, zeros included. */
export async function memberHistory(db: Db, memberId: number, upTo: string, count: number): Promise<MonthFigures[]> {
  const months = Array.from({ length: count }, (_, i) => shiftMonth(upTo, -i));
  const figures = (await monthFigures(db, [memberId], months)).get(memberId)!;
  return months.map((m) => figures.get(m)!);
}

/** Members by team performance (net, excluding self) in a month. */
export async function teamRanking(db: Db, month: string, limit: number, offset: number) {
  const rows = await queryRows<Row & { display_name: string }>(db, sql`
    select p.member_id, p.month::text as month, p.personal_settled::text, p.personal_refunded::text, p.personal_txns,
      p.team_settled::text, p.team_refunded::text, p.team_active, m.display_name
    from member_performance p join members m on m.id = p.member_id
    where p.month = ${month}::date
    order by (p.team_settled - p.team_refunded) desc, p.member_id
    limit ${limit} offset ${offset}`);
  return rows.map((r) => ({ memberId: Number(r.member_id), displayName: r.display_name, ...toFigures(r) }));
}
