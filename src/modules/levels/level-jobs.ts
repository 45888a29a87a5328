import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { drainPerformance, monthOf, shiftMonth } from '../performance/performance.service.js';
import { evaluateDowngrades } from './downgrades.service.js';
import { levelJobRuns, levelLadderVersions } from './levels.schema.js';
import { sweepUpgrades } from './upgrades.service.js';

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
/** 'YYYY-MM-DD' of `at` in the platform time zone. */
export function dayOf(at: Date, timeZone: string): string {
  let f = dayFormatters.get(timeZone);
  if (!f) dayFormatters.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(at);
}

async function ran(db: Db, job: string, period: string) {
  const [row] = await db.select({ job: levelJobRuns.job }).from(levelJobRuns).where(and(eq(levelJobRuns.job, job), eq(levelJobRuns.period, period)));
  return row !== undefined;
}
async function markRan(db: Db, job: string, period: string, result: unknown) {
  await db.insert(levelJobRuns).values({ job, period, result }).onConflictDoNothing();
}

/**
 * The scheduler calls these every minute; each does its work once per
 * period (day, month) across restarts and instances. Two instances that
 * start the same period at once both run it, which is harmless: upgrades
 * only raise to a level the facts reach, downgrades only move members still
 * at the level they were read at.
 */
export async function runDailyLevelSweep(db: Db, timeZone: string, now = new Date()) {
  const day = dayOf(now, timeZone);
  if (await ran(db, 'daily_sweep', day)) return null;
  const result = await sweepUpgrades(db, timeZone);
  await markRan(db, 'daily_sweep', day, result);
  return result;
}

/**
 * After a ladder is saved: one sweep per ladder version. The batches only
 * look at members whose figures cross a threshold, so a member the new
 * ladder accepts on figures it already had (a level made easier, a new
 * level) rises here, within a minute of the save, instead of at the day's
 * sweep.
 */
export async function runLadderSweep(db: Db, timeZone: string) {
  const [head] = await db.select({ version: levelLadderVersions.version }).from(levelLadderVersions).orderBy(desc(levelLadderVersions.version)).limit(1);
  if (!head) return null;
  const version = String(head.version);
  if (await ran(db, 'ladder_sweep', version)) return null;
  const result = await sweepUpgrades(db, timeZone);
  await markRan(db, 'ladder_sweep', version, result);
  return result;
}

/**
 * Once the month has turned: the month just ended is evaluated against the
 * keep conditions. Recorded even while downgrades are off, so switching them
 * on mid-month acts from the next month end, not on a month already past.
 */
export async function runMonthlyDowngrade(db: Db, timeZone: string, now = new Date()) {
  const ended = shiftMonth(monthOf(now, timeZone), -1);
  if (await ran(db, 'monthly_downgrade', ended)) return null;
  // Everything received so far counts before the month is judged.
  await drainPerformance(db, timeZone);
  const result = await evaluateDowngrades(db, ended, now);
  await markRan(db, 'monthly_downgrade', ended, result);
  return result;
}
