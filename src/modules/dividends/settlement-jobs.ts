import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { systemAuditContext } from '../audit/audit.service.js';
import { dayOf } from '../levels/level-jobs.js';
import { monthOf, shiftMonth } from '../performance/performance.service.js';
import { readSettings } from '../settings/settings.service.js';
import { collectStatistics, openRun, payRun } from './settlement.service.js';
import { settlementSettingsDef } from './settlement-settings.js';

const timeFormatters = new Map<string, Intl.DateTimeFormat>();
/** 'HH:MM' of `at` in the zone. */
function timeOf(at: Date, timeZone: string): string {
  let f = timeFormatters.get(timeZone);
  if (!f) timeFormatters.set(timeZone, (f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  return f.format(at);
}

/**
 * Runs `work` only if no other process is running the same job: the lock is
 * a transaction-level advisory lock held, on a connection of its own, for as
 * long as the work runs (the work uses other connections, so its chunks
 * commit as they go). A crashed holder's connection closes and frees the
 * lock. PGlite is one process by construction (its data folder is locked),
 * so there the work simply runs.
 */
export async function exclusively<T>(db: Db, kind: 'postgres' | 'pglite', jobKey: number, work: () => Promise<T>): Promise<T | null> {
  if (kind === 'pglite') return work();
  return db.transaction(async (lockTx) => {
    const [got] = await queryRows<{ ok: boolean }>(lockTx, sql`select pg_try_advisory_xact_lock(7001009, ${jobKey}) as ok`);
    if (!got?.ok) return null;
    return work();
  });
}

export const SETTLEMENT_JOB_KEY = 1;

/**
 * The monthly settlement schedule, called every minute. From the statistics
 * day and time (platform time zone) it opens the run of the month just
 * ended — once: a run staff cancelled is not reopened by the scheduler — and
 * computes its statistics. It resumes a run a crash left collecting or
 * paying, and pays a run once it may be paid (approved, or previewed when
 * approval is off). Returns what it did, for the log.
 */
export async function runSettlementSchedule(db: Db, timeZone: string, now = new Date()): Promise<string[]> {
  const { value: s } = await readSettings(db, settlementSettingsDef);
  const actor = systemAuditContext('settlement-schedule');
  const did: string[] = [];
  const day = Number(dayOf(now, timeZone).slice(8, 10));
  const due = day > s.statisticsDay || (day === s.statisticsDay && timeOf(now, timeZone) >= s.statisticsTime);
  const month = shiftMonth(monthOf(now, timeZone), -1);
  if (due) {
    const [any] = await queryRows<{ n: number | string }>(db, sql`select count(*) as n from settlement_runs where month = ${month}::date`);
    if (Number(any!.n) === 0) {
      await openRun(db, actor, month, timeZone, now);
      did.push(`opened ${month.slice(0, 7)}`);
    }
  }
  const open = await queryRows<{ id: number | string; month: string; state: string; approval_required: number }>(db, sql`
    select id, month::text as month, state, approval_required from settlement_runs where state in ('collecting', 'preview', 'approved', 'paying') order by id`);
  for (const run of open) {
    const id = Number(run.id);
    if (run.state === 'collecting') {
      await collectStatistics(db, id, timeZone);
      did.push(`statistics of ${run.month.slice(0, 7)}`);
    }
    const [now2] = await queryRows<{ state: string }>(db, sql`select state from settlement_runs where id = ${id}`);
    const state = now2!.state;
    if (state === 'approved' || state === 'paying' || (state === 'preview' && Number(run.approval_required) === 0)) {
      await payRun(db, actor, id);
      did.push(`paid ${run.month.slice(0, 7)}`);
    }
  }
  return did;
}
