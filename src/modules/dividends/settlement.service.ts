import { type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import { type DbKind, exclusively } from './job-lock.js';
import { type RunSummary, runSummaries, runSummary } from './settlement-views.service.js';
import { defineStateMachine } from '../../lib/state-machine.js';
import { zonedMidnight } from '../../lib/zoned-time.js';
import type { Fen } from '../../lib/money.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { closeMonth, monthOf, shiftMonth } from '../performance/performance.service.js';
import { readSettings } from '../settings/settings.service.js';
import { postBatch } from '../ledger/ledger.service.js';
import type { SettlementState } from './dividends.schema.js';
import { settlementSettingsDef } from './settlement-settings.js';
import { type MemberMonthFacts, poolOf, qualifiedDirectDefinitions, qualifiedDirectsKey, qualify, split, type Tier } from './tiers.js';
import { tiersAtVersion } from './tiers.service.js';

/**
 * Monthly settlement of dividends (SPEC §8) as a state machine:
 *
 *   collecting → preview → approved → paying → paid
 *        ↘          ↘          ↘
 *                 cancelled
 *
 * Statistics close the month's performance, read the facts of every
 * candidate in one statement, qualify them with the pure engine, and write
 * the preview in one transaction; a run found still collecting after a
 * crash starts its statistics over. Payment goes tier by tier, each tier
 * one transaction that posts its entry (idempotency key per month and tier,
 * a credit per qualifier) and marks its qualifiers paid, so a crash at any
 * point resumes with exactly the unpaid tiers.
 * Every step locks the run row first: two workers on one run take turns
 * instead of paying the same members.
 */

/** Advisory-lock keys of per-run statistics workers (namespace 7001009, like the scheduler's jobs). */
const STATISTICS_LOCK_BASE = 1_000;

export const settlementRunLifecycle = defineStateMachine<SettlementState>('settlement run', {
  collecting: ['preview', 'cancelled'],
  preview: ['approved', 'paying', 'cancelled'],
  approved: ['paying', 'cancelled'],
  paying: ['paid'],
  paid: [],
  cancelled: [],
});


export interface Progress {
  stage: 'statistics' | 'preview' | 'payment' | 'done';
  done: number;
  total: number;
  startedAt: string;
  updatedAt: string;
}
export type ProgressListener = (p: Progress) => void;

interface RunRow {
  id: number;
  month: string;
  state: SettlementState;
  tiers_version: number;
  volume_fen: string | null;
  pay_into: 'available' | 'frozen';
  freeze_days: number;
  approval_required: number;
  progress: Partial<Progress>;
}

async function lockRun(tx: Db, runId: number): Promise<RunRow> {
  const [run] = await queryRows<RunRow>(tx, sql`
    select id, month::text as month, state, tiers_version, volume_fen::text, pay_into, freeze_days, approval_required, progress
    from settlement_runs where id = ${runId} for update`);
  if (!run) throw notFound('Settlement run');
  return { ...run, id: Number(run.id) };
}

async function moveRun(tx: Db, run: RunRow, to: SettlementState, extra = sql``) {
  settlementRunLifecycle.assert(run.state, to);
  await tx.execute(sql`update settlement_runs set state = ${to} ${extra} where id = ${run.id}`);
}

const monthLabel = (month: string) => month.slice(0, 7);

// ---------------------------------------------------------------- starting

/**
 * Opens the run of a month that has ended. One run per month: a second is
 * refused (409), and a paid month can never be run again; only a cancelled
 * run leaves room for a new one.
 */
export async function openRun(db: Db, actor: AuditContext, month: string, timeZone: string, now = new Date()): Promise<number> {
  if (month >= monthOf(now, timeZone)) throw new AppError('BAD_REQUEST', `${monthLabel(month)} has not ended yet; a month is settled after it ends`, { month });
  const { value: s } = await readSettings(db, settlementSettingsDef);
  // Paid by the end of the payout day of the following month, in the platform time zone.
  const payBy = zonedMidnight(`${shiftMonth(month, 1).slice(0, 8)}${String(s.payByDay + 1).padStart(2, '0')}`, timeZone);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7001008, 0)`);
    const [existing] = await queryRows<{ id: number | string; state: SettlementState }>(tx, sql`
      select id, state from settlement_runs where month = ${month}::date and state <> 'cancelled'`);
    if (existing) {
      throw conflict(
        existing.state === 'paid' ? `${monthLabel(month)} has been paid already; a paid month is never settled twice` : `${monthLabel(month)} already has a run (${existing.state}); cancel it first to start over`,
        { runId: Number(existing.id), state: existing.state },
      );
    }
    const [head] = await queryRows<{ version: number }>(tx, sql`select max(version) as version from dividend_tier_versions`);
    if (!head?.version || !(await tiersAtVersion(tx, head.version)).some((t) => t.enabled)) {
      // A run without tiers would be paid with nothing, and a paid month is never settled again.
      throw new AppError('BAD_REQUEST', 'No dividend tier is enabled; configure the tiers before settling a month');
    }
    const [row] = await queryRows<{ id: number | string }>(tx, sql`
      insert into settlement_runs (month, state, tiers_version, pay_into, freeze_days, approval_required, pay_by, progress, created_by_kind, created_by)
      values (${month}::date, 'collecting', ${head.version}, ${s.payInto}, ${s.freezeDays}, ${s.approvalRequired ? 1 : 0}, ${payBy.toISOString()}::timestamptz,
        ${JSON.stringify({ stage: 'statistics', done: 0, total: 0, startedAt: now.toISOString(), updatedAt: now.toISOString() })}::jsonb,
        ${actor.actorKind}, ${actor.actorId})
      returning id`);
    const id = Number(row!.id);
    await recordAudit(tx, actor, { action: 'settlement.opened', targetType: 'settlement_run', targetId: id, after: { month: monthLabel(month), tiersVersion: head.version } });
    return id;
  });
}

// ---------------------------------------------------------------- statistics

/**
 * The part of a tier's conditions that a member's own rows can decide, as
 * SQL over `p` (this month), `lp` (the month before) and `mt` (its tree
 * row): its figures, and for qualified direct members at least that many
 * direct members at all. A necessary condition, so members failing it for
 * every tier need no further look. Null when the tier has none (then every
 * active member is a candidate).
 */
function ownPredicate(t: Tier) {
  const c = t.conditions;
  const parts = [
    c.minTeamFen !== null ? sql`coalesce(p.team_settled - p.team_refunded, 0) >= ${c.minTeamFen.toString()}::bigint` : null,
    c.minPersonalFen !== null ? sql`coalesce(p.personal_settled - p.personal_refunded, 0) >= ${c.minPersonalFen.toString()}::bigint` : null,
    c.minTeamIncrementFen !== null
      ? sql`coalesce(p.team_settled - p.team_refunded, 0) - coalesce(lp.team_settled - lp.team_refunded, 0) >= ${c.minTeamIncrementFen.toString()}::bigint`
      : null,
    c.qualifiedDirects !== null ? sql`mt.direct_count >= ${c.qualifiedDirects.min}` : null,
  ].filter((x) => x !== null);
  return parts.length ? sql`(${sql.join(parts, sql` and `)})` : null;
}

type FactRow = Record<string, unknown> & { id: number | string; p: string; t: string; lt: string; rank: number | null };

/**
 * Facts of every candidate — an active member (onboarded, account active)
 * whose own figures pass some tier's figure conditions — in one statement:
 * the month's personal and team performance, the team figure of the month
 * before, the level, and the direct members qualified by each definition in
 * use (counted through the candidate's children only). Qualification itself
 * is the pure engine's, on these facts.
 */
async function candidateFacts(db: Db, month: string, timeZone: string, tiers: Tier[], defs: ReturnType<typeof qualifiedDirectDefinitions>): Promise<FactRow[]> {
  if (tiers.length === 0) return [];
  const last = shiftMonth(month, -1);
  // Levels count as they stood when the month ended: a downgrade on the 1st or a rise since does not change the month.
  const monthEnd = zonedMidnight(shiftMonth(month, 1), timeZone).toISOString();
  const levelAtEnd = (member: SQL, current: SQL) => sql`case when exists (select 1 from level_history h where h.member_id = ${member} and h.at >= ${monthEnd}::timestamptz)
      then (select h.from_level_id from level_history h where h.member_id = ${member} and h.at >= ${monthEnd}::timestamptz order by h.id limit 1) else ${current} end`;
  const predicates = tiers.map(ownPredicate);
  const everyone = predicates.some((x) => x === null);
  const counts = defs.map(
    (q, i) => sql`count(*) filter (where ${q.minLevelRank !== null ? sql`coalesce(lv.rank, 0) >= ${q.minLevelRank}` : sql`false`}
          or ${q.minPersonalFen !== null ? sql`coalesce(cp.personal_settled - cp.personal_refunded, 0) >= ${q.minPersonalFen.toString()}::bigint` : sql`false`})::int as ${sql.raw(`q${i}`)}`,
  );
  const directs = defs.length
    ? sql`left join lateral (
        select ${sql.join(counts, sql`, `)} from member_tree c
        left join member_levels cl on cl.member_id = c.member_id left join levels lv on lv.id = ${levelAtEnd(sql`c.member_id`, sql`cl.level_id`)}
        left join member_performance cp on cp.member_id = c.member_id and cp.month = ${month}::date
        where c.parent_id = m.id) d on true`
    : sql``;
  // Plain joins on primary keys (no CTE joined to itself): a sound plan even before the planner has statistics.
  return queryRows<FactRow>(db, sql`
    select m.id, coalesce(p.personal_settled - p.personal_refunded, 0)::text as p, coalesce(p.team_settled - p.team_refunded, 0)::text as t,
      coalesce(lp.team_settled - lp.team_refunded, 0)::text as lt, lv.rank
      ${defs.length ? sql`, ${sql.join(defs.map((_, i) => sql.raw(`d.q${i}`)), sql`, `)}` : sql``}
    from member_tree mt
    left join member_performance p on p.member_id = mt.member_id and p.month = ${month}::date
    left join member_performance lp on lp.member_id = mt.member_id and lp.month = ${last}::date
    join members m on m.id = mt.member_id and m.status = 'active'
    join onboarding_applications oa on oa.member_id = mt.member_id and oa.state = 'active'
    left join member_levels ml on ml.member_id = mt.member_id left join levels lv on lv.id = ${levelAtEnd(sql`mt.member_id`, sql`ml.level_id`)}
    ${directs}
    ${everyone ? sql`` : sql`where ${sql.join(predicates as NonNullable<(typeof predicates)[number]>[], sql` or `)}`}
    order by m.id`);
}

/**
 * Computes (or, after a crash, recomputes) the run's statistics and leaves
 * it in preview: qualifiers per tier with the evidence of every condition,
 * each tier's pool, equal share and remainder.
 */
export async function collectStatistics(db: Db, kind: DbKind, runId: number, timeZone: string, onProgress?: ProgressListener): Promise<'done' | 'busy'> {
  // One worker per run: the route, the CLI and the scheduler may all find a run collecting.
  const outcome = await exclusively(db, kind, STATISTICS_LOCK_BASE + runId, async () => {
    await computeStatistics(db, runId, timeZone, onProgress);
    return 'done' as const;
  });
  return outcome ?? 'busy';
}

async function computeStatistics(db: Db, runId: number, timeZone: string, onProgress?: ProgressListener): Promise<void> {
  const run = await db.transaction(async (tx) => {
    const r = await lockRun(tx, runId);
    if (r.state !== 'collecting') throw conflict(`The run is ${r.state}; statistics are collected only while collecting`, { state: r.state });
    return r;
  });
  const startedAt = new Date().toISOString();
  const report = async (p: Progress) => {
    await db.execute(sql`update settlement_runs set progress = ${JSON.stringify(p)}::jsonb where id = ${runId} and state = 'collecting'`);
    onProgress?.(p);
  };
  // Everything received for the month counts, and the month's figures are frozen from here on.
  await closeMonth(db, timeZone, run.month);
  const tiers = (await tiersAtVersion(db, run.tiers_version)).filter((t) => t.enabled);
  const defs = qualifiedDirectDefinitions(tiers);
  const rows = await candidateFacts(db, run.month, timeZone, tiers, defs);
  const total = rows.length;
  await report({ stage: 'statistics', done: 0, total, startedAt, updatedAt: new Date().toISOString() });

  const qualifiers: { t: string; m: number; r: number | null; e: unknown }[] = [];
  for (const r of rows) {
    const facts: MemberMonthFacts = {
      memberId: Number(r.id),
      personalFen: BigInt(r.p),
      teamFen: BigInt(r.t),
      teamLastMonthFen: BigInt(r.lt),
      qualifiedDirects: new Map(defs.map((q, i) => [qualifiedDirectsKey(q), Number(r[`q${i}`])])),
    };
    for (const tier of tiers) {
      const verdict = qualify(tier, facts);
      if (verdict.qualifies) qualifiers.push({ t: tier.id, m: facts.memberId, r: r.rank === null ? null : Number(r.rank), e: verdict.evidence });
    }
  }

  // One transaction writes every qualifier, the tiers and the preview: a crash before its commit leaves the run
  // collecting with nothing of this attempt, and the statistics start over.
  await db.transaction(async (tx) => {
    const r = await lockRun(tx, runId);
    if (r.state !== 'collecting') throw conflict(`The run became ${r.state} while its statistics were being collected`, { state: r.state });
    await tx.execute(sql`delete from settlement_qualifiers where run_id = ${runId}`);
    await tx.execute(sql`delete from settlement_tiers where run_id = ${runId}`);
    // The platform's volume: every member's net settled sales of the month (what performance counts).
    const [v] = await queryRows<{ volume: string }>(tx, sql`
      select coalesce(sum(personal_settled - personal_refunded), 0)::text as volume from member_performance where month = ${run.month}::date`);
    const volume = BigInt(v!.volume);
    const counts = new Map<string, number>();
    for (const q of qualifiers) counts.set(q.t, (counts.get(q.t) ?? 0) + 1);
    const shares = new Map<string, bigint>();
    for (const tier of tiers) {
      const pool = poolOf(volume, tier.poolPpm);
      const n = counts.get(tier.id) ?? 0;
      const { shareFen, remainderFen } = split(pool, n);
      shares.set(tier.id, shareFen);
      await tx.execute(sql`
        insert into settlement_tiers (run_id, tier_id, name, pool_ppm, pool_fen, qualifiers, share_fen, remainder_fen)
        values (${runId}, ${tier.id}, ${tier.name}, ${tier.poolPpm}, ${pool.toString()}::bigint, ${n}, ${shareFen.toString()}::bigint, ${remainderFen.toString()}::bigint)`);
    }
    for (let i = 0; i < qualifiers.length; i += 20_000) {
      const part = qualifiers.slice(i, i + 20_000).map((q) => ({ ...q, s: shares.get(q.t)!.toString() }));
      await tx.execute(sql`
        insert into settlement_qualifiers (run_id, tier_id, member_id, level_rank, evidence, share_fen)
        select ${runId}, t, m, r, e, s from json_to_recordset(${JSON.stringify(part)}::json) as x(t text, m bigint, r int, e jsonb, s bigint)`);
    }
    const p: Progress = { stage: 'preview', done: total, total, startedAt, updatedAt: new Date().toISOString() };
    await moveRun(tx, r, 'preview', sql`, volume_fen = ${volume.toString()}::bigint, preview_at = now(), progress = ${JSON.stringify(p)}::jsonb`);
    onProgress?.(p);
  });
}

// ---------------------------------------------------------------- approval, cancel

export async function approveRun(db: Db, actor: AuditContext, runId: number): Promise<void> {
  await db.transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    await moveRun(tx, run, 'approved', sql`, approved_by = ${actor.actorId}, approved_at = now()`);
    await recordAudit(tx, actor, { action: 'settlement.approved', targetType: 'settlement_run', targetId: runId, after: { month: monthLabel(run.month) } });
  });
}

export async function cancelRun(db: Db, actor: AuditContext, runId: number, reason: string): Promise<void> {
  await db.transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    await moveRun(tx, run, 'cancelled', sql`, cancelled_at = now(), cancel_reason = ${reason}`);
    await recordAudit(tx, actor, { action: 'settlement.cancelled', targetType: 'settlement_run', targetId: runId, reason, before: { state: run.state } });
  });
}

// ---------------------------------------------------------------- payment

/**
 * Pays the run (or resumes a payment a crash interrupted), a tier per
 * transaction: one ledger entry per tier and month (key
 * `dividend:<month>:<tier>`) with a credit for each qualifier, the
 * qualifiers marked paid and the tier closed in the same commit. A crash
 * leaves every tier either paid or not at all; the next call pays the rest.
 * Approval is needed first when the run was opened with approval on.
 * Returns the fen paid by this call.
 */
export async function payRun(db: Db, actor: AuditContext, runId: number, onProgress?: ProgressListener): Promise<Fen> {
  await db.transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    if (run.state === 'paying') return;
    if (run.state === 'preview' && run.approval_required) throw conflict('This run waits for finance approval before it is paid', { state: run.state });
    await moveRun(tx, run, 'paying');
    await recordAudit(tx, actor, { action: 'settlement.payment_started', targetType: 'settlement_run', targetId: runId, after: { month: monthLabel(run.month) } });
  });
  const startedAt = new Date().toISOString();
  let paid = 0n;
  for (;;) {
    const step = await payNextTier(db, actor, runId, startedAt, onProgress);
    if (step === null) break;
    paid += step;
  }
  return paid;
}

/** Pays the next unpaid tier of a paying run, or closes the run when none is left (then null). */
export async function payNextTier(db: Db, actor: AuditContext, runId: number, startedAt = new Date().toISOString(), onProgress?: ProgressListener): Promise<Fen | null> {
  return db.transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    if (run.state !== 'paying') return null;
    const tiers = await queryRows<{ tier_id: string; name: string; share_fen: string; qualifiers: number; paid_at: unknown }>(tx, sql`
      select tier_id, name, share_fen::text, qualifiers, paid_at from settlement_tiers where run_id = ${runId} order by pool_ppm desc, tier_id`);
    const total = tiers.reduce((n, t) => n + Number(t.qualifiers), 0);
    const paidSoFar = tiers.filter((t) => t.paid_at !== null).reduce((n, t) => n + Number(t.qualifiers), 0);
    const tier = tiers.find((t) => t.paid_at === null);
    if (!tier) {
      const p: Progress = { stage: 'done', done: total, total, startedAt, updatedAt: new Date().toISOString() };
      await moveRun(tx, run, 'paid', sql`, paid_at = now(), progress = ${JSON.stringify(p)}::jsonb`);
      await recordAudit(tx, actor, { action: 'settlement.paid', targetType: 'settlement_run', targetId: runId, after: { month: monthLabel(run.month) } });
      onProgress?.(p);
      return null;
    }
    const share = BigInt(tier.share_fen);
    let amount = 0n;
    if (share > 0n && Number(tier.qualifiers) > 0) {
      const members = await queryRows<{ member_id: number | string }>(tx, sql`
        select member_id from settlement_qualifiers where run_id = ${runId} and tier_id = ${tier.tier_id} order by member_id`);
      const account = run.pay_into === 'frozen' ? ('wallet:frozen' as const) : ('wallet:available' as const);
      const [posted] = await postBatch(tx, [
        {
          idempotencyKey: `dividend:${monthLabel(run.month)}:${tier.tier_id}`,
          kind: 'dividend',
          sourceType: 'settlement_run',
          sourceId: String(runId),
          memo: `${monthLabel(run.month)} ${tier.name}`,
          postings: [...members.map((m) => ({ account, memberId: Number(m.member_id), amount: share })), { account: 'rewards:expense' as const, amount: -share * BigInt(members.length) }],
        },
      ]);
      if (posted!.created) {
        amount = share * BigInt(members.length);
        if (run.pay_into === 'frozen') {
          // One lot for the tier's entry: it holds every qualifier's frozen share.
          await tx.execute(sql`
            insert into frozen_lots (entry_id, release_at) values (${posted!.entryId}, now() + make_interval(days => ${run.freeze_days}))`);
        }
      }
      await tx.execute(sql`update settlement_qualifiers set entry_id = ${posted!.entryId} where run_id = ${runId} and tier_id = ${tier.tier_id}`);
    }
    await tx.execute(sql`update settlement_tiers set paid_fen = share_fen * qualifiers, paid_at = now() where run_id = ${runId} and tier_id = ${tier.tier_id}`);
    const p: Progress = { stage: 'payment', done: paidSoFar + Number(tier.qualifiers), total, startedAt, updatedAt: new Date().toISOString() };
    await tx.execute(sql`update settlement_runs set progress = ${JSON.stringify(p)}::jsonb where id = ${runId}`);
    onProgress?.(p);
    return amount;
  });
}

/** Statistics and payment in one go (the CLI's `run` and the scheduler): opens the run if needed, resumes one a crash left behind. */
export async function settleMonth(db: Db, kind: DbKind, actor: AuditContext, month: string, timeZone: string, options: { pay: boolean; onProgress?: ProgressListener }): Promise<RunSummary> {
  const [current] = await runSummaries(db, { month, limit: 1 }).then((runs) => runs.filter((r) => r.state !== 'cancelled'));
  if (current?.state === 'paid' && options.pay) throw conflict(`${current.month} has been paid already; a paid month is never settled twice`, { runId: current.id, state: current.state });
  let runId = current?.id;
  if (runId === undefined) runId = await openRun(db, actor, month, timeZone);
  let run = await runSummary(db, runId);
  if (run.state === 'collecting') {
    if ((await collectStatistics(db, kind, runId, timeZone, options.onProgress)) === 'busy') throw conflict('Another worker is computing this run’s statistics; try again when it is done');
    run = await runSummary(db, runId);
  }
  if (options.pay && (run.state === 'approved' || run.state === 'paying' || (run.state === 'preview' && !run.approvalRequired))) {
    await payRun(db, actor, runId, options.onProgress);
    run = await runSummary(db, runId);
  }
  return run;
}

export type { Tier };
