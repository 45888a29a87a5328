import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';

export type DbKind = 'postgres' | 'pglite';

/**
 * Runs `work` only if no other process is running the same job: the lock is
 * a transaction-level advisory lock held, on a connection of its own, for as
 * long as the work runs (the work uses other connections, so its steps
 * commit as they go). A crashed holder's connection closes and frees the
 * lock. PGlite is one process by construction (its data folder is locked),
 * so there the work simply runs. Null when someone else holds the job.
 */
export async function exclusively<T>(db: Db, kind: DbKind, jobKey: number, work: () => Promise<T>): Promise<T | null> {
  if (kind === 'pglite') return work();
  return db.transaction(async (lockTx) => {
    const [got] = await queryRows<{ ok: boolean }>(lockTx, sql`select pg_try_advisory_xact_lock(7001009, ${jobKey}) as ok`);
    if (!got?.ok) return null;
    return work();
  });
}
