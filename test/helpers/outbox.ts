import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../src/db/client.js';

/**
 * Waits until every stored outbox event is below the snapshot horizon, so a
 * consumer sees all of them. The horizon is cluster-wide on PostgreSQL: a test
 * file running in parallel against another database can hold it back for a
 * moment, and a consumer then (correctly) delivers nothing yet.
 */
export async function waitForOutboxHorizon(db: Db, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await queryRows<{ behind: boolean }>(db, sql`
      select exists(select 1 from outbox_events where xid >= pg_snapshot_xmin(pg_current_snapshot())) as behind`);
    if (!row?.behind) return;
    if (Date.now() > deadline) throw new Error('outbox events stayed behind the snapshot horizon');
    await new Promise((r) => setTimeout(r, 20));
  }
}
