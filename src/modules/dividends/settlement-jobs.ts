import { sql } from 'drizzle-orm';
import { type DbKind } from './job-lock.js';
export { exclusively } from './job-lock.js';
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

export const SETTLEMENT_JOB_KEY = 1;

/**
 * The monthly settlement schedule, called every minute. From the statistics
 * day and time (platform time zone) it opens the run of the month just
 * ended — once: a run staff cancelled is not reopened by the scheduler — and
 * computes its statistics. It resumes a run a crash left collecting or
 * paying, and pays a run once it may be paid (approved, or previewed when
 * approval is off). Returns what it did, for the log.
 */
export async function runSettlementSchedule(db: Db, kind: DbKind, timeZone: string, now = new Date()): Promise<string[]> {
  const { value: s } = await readSettings(db, settlementSettingsDef);
  const actor = systemAuditContext('settlement-schedule');
  const did: string[] = [];
  const day = Number(dayOf(now, timeZone).slice(8, 10));
  const due = day > s.statisticsDay || (day === s.statisticsDay && timeOf(now, timeZone) >= s.statisticsTime);
  const month = shiftMonth(monthOf(now, timeZone), -1);
  if (due) {
    const [any] = await queryRows<{ n: number | string }>(db, sql`select count(*) as n from settlement_runs where month = ${month}::date`);
    if (Number(any!.n) === 0) {
      try {
        await openRun(db, actor, month, timeZone, now);
        did.push(`opened ${month.slice(0, 7)}`);
      } catch (err) {
        did.push(`could not open ${month.slice(0, 7)}: ${(err as Error).message}`);
      }
    }
  }
  const open = await queryRows<{ id: number | string; month: string; state: string; approval_required: number }>(db, sql`
    select id, month::text as month, state, approval_required from settlement_runs where state in ('collecting', 'preview', 'approved', 'paying') order by id`);
  for (const run of open) {
    const id = Number(run.id);
    const label = run.month.slice(0, 7);
    // Each run on its own: one that fails (and is logged) does not hold up the others.
    try {
      if (run.state === 'collecting') did.push(`${(await collectStatistics(db, kind, id, timeZone)) === 'busy' ? 'statistics busy elsewhere for' : 'statistics of'} ${label}`);
      const [after] = await queryRows<{ state: string; late: boolean }>(db, sql`select state, now() > pay_by as late from settlement_runs where id = ${id}`);
      if (after!.state === 'approved' || after!.state === 'paying' || (after!.state === 'preview' && Number(run.approval_required) === 0)) {
        await payRun(db, actor, id);
        did.push(`paid ${label}`);
      } else if (after!.late && after!.state !== 'paid' && after!.state !== 'cancelled') did.push(`late ${label}: ${after!.state}, past its payout day`);
    } catch (err) {
      did.push(`failed ${label}: ${(err as Error).message}`);
    }
  }
  return did;
}
