import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { queryRows } from '../../src/db/client.js';
import { drainPerformance, PERFORMANCE_CONSUMER } from '../../src/modules/performance/performance.service.js';

/**
 * Runs the performance consumer until every transaction event written so
 * far is applied. The consumer only takes events below the oldest running
 * transaction of the whole server, so on a PostgreSQL shared with other test
 * files one pass can stop short while their transactions are open.
 */
export async function drainAllPerformance(db: Db, timeZone: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await drainPerformance(db, timeZone);
    const [row] = await queryRows<{ pending: boolean }>(db, sql`
      select exists(
        select 1 from outbox_events e
        where e.type in ('transaction_settled', 'transaction_refunded')
          and (e.xid, e.id) > coalesce((select (last_xid, last_id) from outbox_cursors where consumer = ${PERFORMANCE_CONSUMER}), ('0'::xid8, 0::bigint))
      ) as pending`);
    if (!row!.pending) return;
    if (Date.now() > deadline) throw new Error('performance events still pending');
    await new Promise((r) => setTimeout(r, 20));
  }
}
