import { type SQL, sql } from 'drizzle-orm';
import { type Db, intArrayLiteral, queryRows } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import type { Fen } from '../../lib/money.js';
import { consumeEventWindow, drainConsumer, type EventWindow, windowEvents } from '../outbox/outbox.service.js';
import { onSubtreeMoved, TREE_LOCK } from '../referrals/tree.service.js';

export const PERFORMANCE_CONSUMER = 'performance';

// ---------------------------------------------------------------- months

const monthFormatters = new Map<string, Intl.DateTimeFormat>();
/** Memo per zone and minute (zone offsets are whole minutes): a batch of thousands of events would otherwise format a date each. */
const monthMemo = new Map<string, string>();
/** The month (first day, 'YYYY-MM-01') that `at` falls in, in the platform time zone. */
export function monthOf(at: Date, timeZone: string): string {
  const key = `${timeZone}|${Math.floor(at.getTime() / 60_000)}`;
  const hit = monthMemo.get(key);
  if (hit !== undefined) return hit;
  let f = monthFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' });
    monthFormatters.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const month = `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}-01`;
  if (monthMemo.size > 10_000) monthMemo.clear();
  monthMemo.set(key, month);
  return month;
}

/** monthOf in SQL, for statements that work on rows where they are: the first day of `at`'s month in the zone, as a date. */
const monthOfSql = (at: SQL, timeZone: string): SQL => sql`date_trunc('month', ${at} at time zone ${timeZone})::date`;

export function shiftMonth(month: string, by: number): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7)) - 1 + by;
  const yy = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12;
  return `${yy}-${String(mm + 1).padStart(2, '0')}-01`;
}

/** 'YYYY-MM' from the API to the stored first-of-month form. */
export function parseMonth(value: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new AppError('BAD_REQUEST', 'Months are written YYYY-MM', { month: value });
  return `${value}-01`;
}

// ---------------------------------------------------------------- applying transactions

/**
 * Whose figures a batch changed: `personal` sold or refunded themselves (their
 * team figures may have changed too); `teamOnly` are upline members whose
 * personal figures did not move, only their team's. When `crossed` is known,
 * the two lists hold only the members in `crossed` or `unsure` (the only ones
 * a listener then looks at), not every member the batch touched.
 */
export interface PerformanceChange {
  personal: number[];
  teamOnly: number[];
  /** The month the batch counted as current (first day, the database's clock in the platform time zone). */
  month: string;
  /**
   * Of the changed members, those for which a watched figure (see
   * FigureWatch) went from below one of its thresholds to at or above it in
   * this batch, or null when some listener watches everything. Members in
   * `unsure` are not in it.
   */
  crossed: number[] | null;
  /**
   * Changed members for which crossings are not known: the batch changed one
   * of their rows of an earlier, still open month (a late record). Listeners
   * look at these as if nothing were watched.
   */
  unsure: number[];
}

/**
 * Thresholds a listener watches, per figure of the current month and of the
 * member's lifetime (team: the downline's; team with self: plus the member's
 * own). A figure can only newly reach a threshold in the batch that crosses
 * it, so a listener that only cares about "reaches X" (level upgrades) need
 * not read every changed member, and the batch names the few that crossed.
 * 'everything' when a listener needs figures the batch does not carry
 * (last month's, for an increment).
 */
export type FigureWatch =
  | 'everything'
  | {
      thisMonth: { personal: Fen[]; team: Fen[]; teamWithSelf: Fen[] };
      lifetime: { personal: Fen[]; team: Fen[]; teamWithSelf: Fen[] };
    };

/** What a listener does with one batch: the figures it watches, and what it does once the batch is applied. */
export interface BatchHandler {
  watch: FigureWatch;
  changed: (change: PerformanceChange) => Promise<void>;
}
/**
 * Listeners (levels) are asked at the start of each batch, in its
 * transaction, what they watch (null: nothing to do for this batch), and
 * are told what changed once it is applied. Asking first lets a listener
 * read what it needs (the ladder) once for both.
 */
const changeListeners: ((tx: Db) => Promise<BatchHandler | null>)[] = [];
export function onPerformanceChanged(listener: (tx: Db) => Promise<BatchHandler | null>) {
  changeListeners.push(listener);
}

/** Every handler's thresholds together (null: some handler watches everything). */
function watchedFigures(handlers: BatchHandler[]): Exclude<FigureWatch, 'everything'> | null {
  const out = { thisMonth: { personal: [] as Fen[], team: [] as Fen[], teamWithSelf: [] as Fen[] }, lifetime: { personal: [] as Fen[], team: [] as Fen[], teamWithSelf: [] as Fen[] } };
  for (const { watch } of handlers) {
    if (watch === 'everything') return null;
    for (const period of ['thisMonth', 'lifetime'] as const) for (const f of ['personal', 'team', 'teamWithSelf'] as const) out[period][f].push(...watch[period][f]);
  }
  return out;
}

/**
 * The SQL test "a watched figure crossed a threshold": for each figure, the
 * number of thresholds at or below it (width_bucket over the sorted list)
 * grew. `after` gives each figure's value now, `delta` what the batch added.
 */
function crossingSql(watch: Exclude<FigureWatch, 'everything'>, after: Record<'tp' | 'tt' | 'lp' | 'lt', SQL>, delta: Record<'p' | 't', SQL>): SQL {
  const terms: SQL[] = [];
  const test = (thresholds: Fen[], value: SQL, added: SQL) => {
    if (thresholds.length === 0) return;
    const sorted = [...new Set(thresholds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const list = sql`${intArrayLiteral(sorted)}::bigint[]`;
    terms.push(sql`width_bucket(${value}, ${list}) > width_bucket(${value} - (${added}), ${list})`);
  };
  test(watch.thisMonth.personal, after.tp, delta.p);
  test(watch.thisMonth.team, after.tt, delta.t);
  test(watch.thisMonth.teamWithSelf, sql`${after.tp} + ${after.tt}`, sql`${delta.p} + ${delta.t}`);
  test(watch.lifetime.personal, after.lp, delta.p);
  test(watch.lifetime.team, after.lt, delta.t);
  test(watch.lifetime.teamWithSelf, sql`${after.lp} + ${after.lt}`, sql`${delta.p} + ${delta.t}`);
  return terms.length === 0 ? sql`false` : sql.join(terms, sql` or `);
}

/**
 * Applies a batch of transaction events in one statement, without the
 * events leaving the database: each counts in the month it happened in the
 * platform time zone (refunds: the month the refund settled) unless that
 * month is closed, or later than the month the record reached us in (a
 * channel whose clock runs ahead); then it counts in the month it reached us
 * (and is remembered as such for rebuilds), so closed figures never change
 * and no row is ever ahead of the current month (rows a database kept from
 * before this rule, migration 0027, are folded by a rebuild; until then a
 * lifetime crossing of their members may wait for the daily sweep, which
 * reads every row). The per-(member, month)
 * deltas go to the members' personal figures and to the team figures of all
 * their ancestors. A member counts as active in a month from its first
 * settled sale; that adds 1 to each ancestor's `team_active` once.
 *
 * Returns which members' rows changed and how (without thresholds to test:
 * every changed member and every seller; with them: `own`, the sellers
 * among the members named below): a row of the current month that already existed is
 * tested against the watched thresholds here (its earlier months' sums are
 * in the row); a new row (`fresh`) needs those sums first, and a row of an
 * earlier month (`late`) changes them for the member's later rows — both
 * are settled by settleEarlier.
 */
async function applyWindow(tx: Db, window: EventWindow, timeZone: string, watch: Exclude<FigureWatch, 'everything'> | null) {
  // Member lists come back as text: a batch changes tens of thousands of rows, and a result row each
  // would cost the driver more than the statement costs the database.
  const crossed = watch
    ? crossingSql(
        watch,
        { tp: sql`u.pn`, tt: sql`u.tn`, lp: sql`(u.ep + u.pn)`, lt: sql`(u.et + u.tn)` },
        { p: sql`(g.ps - g.pr)`, t: sql`(g.ts - g.tr)` },
      )
    : sql`false`;
  // With thresholds to test, listeners look only at the members that crossed one (or may have), so only
  // those are told apart as sellers or team-only (\`own\`). The full lists of a batch, every changed member
  // and every seller, are tens of thousands of ids to aggregate, send and parse: about 40 ms of a
  // 20,000-sale batch's 1,150 (copies of one database, three runs each way).
  // A member with a row of an earlier month (unsure) is a seller if it sold in any month of the batch, also
  // in a current-month row that is neither new nor crossed: hence every row of a member with such a row
  // (few: late records are rare) counts.
  const lists = watch
    ? sql`string_agg(u.member_id::text, ',') filter (where g.own and (u.inserted or (${crossed})
        or u.member_id in (select l.member_id from up l where l.month <> (select cur from now_month)))) as own,`
    : sql`(select string_agg(distinct member_id::text, ',') from d) as personal, string_agg(u.member_id::text, ',') as changed,`;
  const [row] = await queryRows<{ month: string; personal?: string | null; changed?: string | null; own?: string | null; crossed: string | null; fresh: string | null; late: string | null }>(tx, sql`
    with now_month as (select ${monthOfSql(sql`statement_timestamp()`, timeZone)} as cur),
    -- The OFFSET 0 fences keep the planner from copying an expression into each place that uses it, so the
    -- payload's time is parsed once and its month worked out once. With the closed months read as one array
    -- below, this step took 70 ms less of a 20,000-sale batch (750 ms before).
    ev as (
      select x.*, ${monthOfSql(sql`x.occurred_at`, timeZone)} as occurred_month from (
        select e.type, e.created_at, (e.payload->>'transactionId')::bigint as transaction_id, (e.payload->>'memberId')::bigint as member_id,
          (e.payload->>'amountFen')::bigint as amount, (e.payload->>'occurredAt')::timestamptz as occurred_at
        from ${windowEvents(window)} e offset 0) x offset 0),
    -- Closed months as one array, read once, rather than a join per record.
    closed as (select coalesce(array_agg(month), '{}') as months from performance_months),
    -- The month it reached us is only worked out when needed: nearly every record happened before it arrived.
    attributed as (
      select ev.*, case
        when not ev.occurred_month = any(closed.months) and ev.occurred_at <= ev.created_at then ev.occurred_month
        when not ev.occurred_month = any(closed.months) and ev.occurred_month <= ${monthOfSql(sql`ev.created_at`, timeZone)} then ev.occurred_month
        else ${monthOfSql(sql`ev.created_at`, timeZone)} end as month
      from ev cross join closed),
    moved as (
      insert into performance_reattributions (transaction_id, month, occurred_month)
      select transaction_id, month, occurred_month from attributed where month <> occurred_month
      on conflict do nothing),
    d(member_id, month, s, r, n) as (
      select member_id, month,
        coalesce(sum(amount) filter (where type = 'transaction_settled'), 0)::bigint,
        coalesce(sum(amount) filter (where type = 'transaction_refunded'), 0)::bigint,
        (count(*) filter (where type = 'transaction_settled'))::int
      from attributed group by member_id, month),
    -- Per seller, two key reads: its path, and whether this is its first sale of the month (then it adds 1
    -- to each ancestor's team_active). Joins here let the planner scan both tables whole, once per batch,
    -- and member_performance grows by a row per member and month. Materialized, so the reads happen once
    -- per seller rather than once per path row.
    da as materialized (
      select d.*, mt.path,
        case when d.s > 0 and coalesce((select p.personal_settled from member_performance p where p.member_id = d.member_id and p.month = d.month), 0) = 0 then 1 else 0 end as a
      -- In member order, so consecutive probes find their index and table pages at hand (40 ms less per 20,000).
      from (select * from d order by member_id) d cross join lateral (select path from member_tree where member_id = d.member_id limit 1) mt),
    -- The team sums along every path: the big part (a row per seller and ancestor), so only the three
    -- team columns are summed here and the personal ones joined afterwards.
    t as (
      select anc as member_id, da.month, sum(da.s)::bigint as ts, sum(da.r)::bigint as tr, sum(da.a)::int as ta
      from da cross join lateral unnest(da.path) as anc
      group by anc, da.month),
    g as (
      select coalesce(t.member_id, d.member_id) as member_id, coalesce(t.month, d.month) as month, d.member_id is not null as own,
        coalesce(d.s, 0) as ps, coalesce(d.r, 0) as pr, coalesce(d.n, 0) as pn, coalesce(t.ts, 0) as ts, coalesce(t.tr, 0) as tr, coalesce(t.ta, 0) as ta
      from t full join d on d.member_id = t.member_id and d.month = t.month),
    up as (
      insert into member_performance as p (member_id, month, personal_settled, personal_refunded, personal_txns, team_settled, team_refunded, team_active)
      select member_id, month, ps, pr, pn, ts, tr, ta from g order by member_id, month
      on conflict (member_id, month) do update set
        personal_settled = p.personal_settled + excluded.personal_settled,
        personal_refunded = p.personal_refunded + excluded.personal_refunded,
        personal_txns = p.personal_txns + excluded.personal_txns,
        team_settled = p.team_settled + excluded.team_settled,
        team_refunded = p.team_refunded + excluded.team_refunded,
        team_active = p.team_active + excluded.team_active
      -- xmax is 0 on a row this statement inserted (an updated row carries the updating transaction).
      returning member_id, month, personal_settled - personal_refunded as pn, team_settled - team_refunded as tn,
        earlier_personal_net as ep, earlier_team_net as et, xmax = 0 as inserted)
    select (select cur::text from now_month) as month,
      ${lists}
      string_agg(u.member_id::text, ',') filter (where u.month = n.cur and not u.inserted and (${crossed})) as crossed,
      string_agg(u.member_id::text, ',') filter (where u.month = n.cur and u.inserted) as fresh,
      string_agg(u.member_id::text, ',') filter (where u.month <> n.cur) as late
    from up u join g on g.member_id = u.member_id and g.month = u.month cross join now_month n`);
  const ids = (list: string | null | undefined) => (list ? list.split(',').map(Number) : []);
  // A member with rows in two months comes back twice.
  return {
    month: row!.month,
    personal: ids(row?.personal),
    changed: [...new Set(ids(row?.changed))],
    own: ids(row?.own),
    crossed: ids(row?.crossed),
    fresh: ids(row?.fresh),
    late: [...new Set(ids(row?.late))],
  };
}

/**
 * Recomputes the earlier months' sums in every row of these members (or of
 * everyone), one range read of each member's rows by key, and writes the
 * rows whose sums differ. With `crossing`, also returns which of its `fresh`
 * members — those whose row of `month` this batch created — crossed a
 * watched threshold: the row's own figures are the batch's, so "before" is
 * zero for the month and the earlier sums for the lifetime.
 */
async function settleEarlier(
  tx: Db,
  memberIds: number[] | 'everyone',
  crossing?: { month: string; fresh: number[]; watch: Exclude<FigureWatch, 'everything'> | null },
): Promise<number[]> {
  if (memberIds !== 'everyone' && memberIds.length === 0) return [];
  const crossed = crossing?.watch
    ? crossingSql(crossing.watch, { tp: sql`w.pn`, tt: sql`w.tn`, lp: sql`(w.ep + w.pn)`, lt: sql`(w.et + w.tn)` }, { p: sql`w.pn`, t: sql`w.tn` })
    : sql`false`;
  const rows = sql`select member_id, month, personal_settled - personal_refunded as pn, team_settled - team_refunded as tn,
    earlier_personal_net as ep0, earlier_team_net as et0 from member_performance`;
  const source =
    memberIds === 'everyone'
      ? sql`(${rows}) p`
      : sql`unnest(${intArrayLiteral(memberIds)}::bigint[]) as u(id) cross join lateral (${rows} where member_id = u.id) p`;
  // Written back through the key (an upsert of rows that exist): an UPDATE … FROM lets the planner hash the whole table.
  const [row] = await queryRows<{ crossed: string | null }>(tx, sql`
    with w as (
      select p.member_id, p.month, p.pn, p.tn, p.ep0, p.et0,
        coalesce(sum(p.pn) over m, 0)::bigint as ep, coalesce(sum(p.tn) over m, 0)::bigint as et
      from ${source}
      window m as (partition by p.member_id order by p.month rows between unbounded preceding and 1 preceding)),
    fix as (
      insert into member_performance as p (member_id, month, earlier_personal_net, earlier_team_net)
      select member_id, month, ep, et from w where ep <> ep0 or et <> et0 order by member_id, month
      on conflict (member_id, month) do update set earlier_personal_net = excluded.earlier_personal_net, earlier_team_net = excluded.earlier_team_net)
    select string_agg(w.member_id::text, ',') filter (where ${crossed}) as crossed
    from w where w.month = ${crossing?.month ?? null}::date and w.member_id = any(${intArrayLiteral(crossing?.fresh ?? [])}::bigint[])`);
  return row?.crossed ? row.crossed.split(',').map(Number) : [];
}

/**
 * Events per performance batch. A batch's cost is its distinct ancestors
 * (their rows are written once per batch), and
 * ancestors near the top are shared by nearly every sale, so one batch per
 * poll costs less than the same events in several. At 5,000 a busy second
 * (7,500 sales at the bench's batch rate) took a full batch plus a small
 * one; at 20,000 it was one, and the end-to-end batch rate rose about 6%
 * (bench:rewards, ABBA runs). The server polls every two seconds
 * (CONSUMER_INTERVALS_MS), so a busy round holds twice that; 40,000 keeps it
 * one batch, which ends within a couple of seconds.
 */
export const PERFORMANCE_BATCH = 40_000;

/**
 * Processes the next batch of transaction events exactly once (the cursor
 * moves in the same transaction). The shared tree lock keeps every path
 * still while the batch adds along them; a move waits for the batch.
 */
export async function consumePerformance(db: Db, timeZone: string, limit = PERFORMANCE_BATCH): Promise<number> {
  return consumeEventWindow(db, PERFORMANCE_CONSUMER, ['transaction_settled', 'transaction_refunded'], async (tx, window) => {
    await tx.execute(sql`select pg_advisory_xact_lock_shared(${TREE_LOCK})`);
    const handlers: BatchHandler[] = [];
    for (const listener of changeListeners) {
      const handler = await listener(tx);
      if (handler) handlers.push(handler);
    }
    const watch = watchedFigures(handlers);
    const applied = await applyWindow(tx, window, timeZone, watch);
    const freshCrossed = await settleEarlier(tx, [...new Set([...applied.fresh, ...applied.late])], { month: applied.month, fresh: applied.fresh, watch });
    const late = new Set(applied.late);
    let change: PerformanceChange;
    if (watch) {
      const crossed = [...applied.crossed, ...freshCrossed].filter((id) => !late.has(id));
      const own = new Set(applied.own);
      const named = [...crossed, ...applied.late];
      change = { personal: named.filter((id) => own.has(id)), teamOnly: named.filter((id) => !own.has(id)), month: applied.month, crossed, unsure: applied.late };
    } else {
      const own = new Set(applied.personal);
      change = { personal: applied.personal, teamOnly: applied.changed.filter((id) => !own.has(id)), month: applied.month, crossed: null, unsure: applied.late };
    }
    for (const handler of handlers) await handler.changed(change);
  }, limit);
}

/**
 * Processes everything committed so far; returns the number of events.
 * Events behind a still-running transaction are waited for (up to
 * `maxWaitMs`), so afterwards the figures include every committed record.
 */
export const drainPerformance = (db: Db, timeZone: string, maxWaitMs = 30_000) =>
  drainConsumer(db, PERFORMANCE_CONSUMER, ['transaction_settled', 'transaction_refunded'], () => consumePerformance(db, timeZone), maxWaitMs);

// ---------------------------------------------------------------- moves

/**
 * When a member moves, its own figures plus its team's leave the old
 * ancestors and join the new ones, for every open month. Closed months keep
 * the tree they were closed with.
 */
onSubtreeMoved(async (tx, moved) => {
  if (moved.oldPath.length === 0 && moved.newPath.length === 0) return;
  const path = (p: number[]) => `{${p.join(',')}}`;
  const written = await queryRows<{ member_id: number | string }>(tx, sql`
    with x as (
      select month, personal_settled + team_settled as s, personal_refunded + team_refunded as r,
        team_active + case when personal_settled > 0 then 1 else 0 end as a
      from member_performance
      where member_id = ${moved.memberId} and month not in (select month from performance_months)),
    all_rows as (
      select anc, x.month, -x.s as s, -x.r as r, -x.a as a from x cross join unnest(${path(moved.oldPath)}::bigint[]) as anc
      union all
      select anc, x.month, x.s, x.r, x.a from x cross join unnest(${path(moved.newPath)}::bigint[]) as anc),
    g as (select anc, month, sum(s)::bigint as s, sum(r)::bigint as r, sum(a)::int as a from all_rows group by anc, month
          having sum(s) <> 0 or sum(r) <> 0 or sum(a) <> 0)
    insert into member_performance as p (member_id, month, team_settled, team_refunded, team_active)
    select anc, month, s, r, a from g order by anc, month
    on conflict (member_id, month) do update set
      team_settled = p.team_settled + excluded.team_settled,
      team_refunded = p.team_refunded + excluded.team_refunded,
      team_active = p.team_active + excluded.team_active
    returning member_id`);
  // The ancestors whose rows moved now sum different earlier months in their later rows. Every registration
  // passes here with a member without figures: nothing was written, nothing is read.
  await settleEarlier(tx, [...new Set(written.map((r) => Number(r.member_id)))]);
});

// ---------------------------------------------------------------- rebuild and closing

/**
 * Recomputes every open month from the stored transactions and the current
 * tree: personal sums per member, then team sums along each member's path.
 * It counts exactly the transactions whose events the consumer has already
 * applied (holding the consumer's cursor), so running it changes nothing
 * when the figures are right, and the consumer goes on from where it was.
 */
export async function rebuildPerformance(db: Db, timeZone: string): Promise<{ months: string[]; rows: number }> {
  await drainPerformance(db, timeZone);
  return db.transaction(async (tx) => {
    await tx.execute(sql`insert into outbox_cursors (consumer) values (${PERFORMANCE_CONSUMER}) on conflict do nothing`);
    const [cursor] = await queryRows<{ last_xid: string; last_id: number | string }>(tx, sql`
      select last_xid::text as last_xid, last_id from outbox_cursors where consumer = ${PERFORMANCE_CONSUMER} for update`);
    await tx.execute(sql`select pg_advisory_xact_lock_shared(${TREE_LOCK})`);
    await tx.execute(sql`delete from member_performance where month not in (select month from performance_months)`);
    const [result] = await queryRows<{ months: string[] | null; rows: number | string }>(tx, sql`
      with applied as (
        -- As the consumer attributes them: a record dated after the month it reached us in counts in that month.
        select ct.member_id, ct.status, ct.amount,
          coalesce(ra.month, least(${monthOfSql(sql`ct.occurred_at`, timeZone)}, ${monthOfSql(sql`e.created_at`, timeZone)})) as month
        from outbox_events e
        join channel_transactions ct on e.subject = 'channel_transaction:' || ct.id
        left join performance_reattributions ra on ra.transaction_id = ct.id
        where e.type in ('transaction_settled', 'transaction_refunded')
          and (e.xid, e.id) <= (${cursor!.last_xid}::xid8, ${cursor!.last_id}::bigint)),
      p as (
        select member_id, month,
          coalesce(sum(amount) filter (where status = 'settled'), 0)::bigint as s,
          coalesce(sum(amount) filter (where status = 'refunded'), 0)::bigint as r,
          count(*) filter (where status = 'settled')::int as n
        from applied where month not in (select month from performance_months) group by member_id, month),
      all_rows as (
        select member_id, month, s as ps, r as pr, n as pn, 0::bigint as ts, 0::bigint as tr, 0 as ta from p
        union all
        select anc, p.month, 0, 0, 0, p.s, p.r, case when p.s > 0 then 1 else 0 end
        from p join member_tree mt on mt.member_id = p.member_id cross join lateral unnest(mt.path) as anc),
      ins as (
        insert into member_performance (member_id, month, personal_settled, personal_refunded, personal_txns, team_settled, team_refunded, team_active)
        select member_id, month, sum(ps), sum(pr), sum(pn), sum(ts), sum(tr), sum(ta) from all_rows group by member_id, month
        returning month)
      select array_agg(distinct month::text order by month::text) as months, count(*) as rows from ins`);
    await settleEarlier(tx, 'everyone');
    return { months: result?.months ?? [], rows: Number(result?.rows ?? 0) };
  });
}

/**
 * Closes a month for good. Everything received so far is applied first, and
 * the month is marked closed while the consumer's cursor is locked with
 * nothing left to apply, so no batch can still be writing into it. Records
 * that arrive later count in the month they arrive (and are remembered as
 * such for rebuilds).
 */
export async function closeMonth(db: Db, timeZone: string, month: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    await drainPerformance(db, timeZone);
    const closed = await db.transaction(async (tx) => {
      await tx.execute(sql`insert into outbox_cursors (consumer) values (${PERFORMANCE_CONSUMER}) on conflict do nothing`);
      const [cursor] = await queryRows<{ last_xid: string; last_id: number | string }>(tx, sql`
        select last_xid::text as last_xid, last_id from outbox_cursors where consumer = ${PERFORMANCE_CONSUMER} for update`);
      const [pending] = await queryRows<{ yes: boolean }>(tx, sql`
        select exists(select 1 from outbox_events
          where (xid, id) > (${cursor!.last_xid}::xid8, ${cursor!.last_id}::bigint)
            and xid < pg_snapshot_xmin(pg_current_snapshot())
            and type in ('transaction_settled', 'transaction_refunded')) as yes`);
      if (pending!.yes) return false;
      await tx.execute(sql`insert into performance_months (month) values (${month}::date) on conflict do nothing`);
      return true;
    });
    if (closed) return;
  }
  throw new Error(`could not close ${month}: transactions keep arriving faster than they are applied`);
}
