import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { consumeEvents, emitEvents } from '../../src/modules/outbox/outbox.service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { waitForOutboxHorizon } from '../helpers/outbox.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

const event = (n: number) => ({
  type: 'transaction_settled' as const,
  subject: `test:${n}`,
  payload: { transactionId: n, channelId: 't', channelTxnId: `t${n}`, memberId: 1, amountFen: '1', occurredAt: new Date().toISOString(), originalTxnId: null },
});

describe('the outbox', () => {
  it('delivers every event once, in commit order, across a transaction id that gains a digit', async () => {
    const db = database.db;
    const [{ xid }] = (await queryRows<{ xid: string }>(db, sql`select pg_current_xact_id()::text as xid`)) as [{ xid: string }];
    const current = Number(xid);
    const boundary = 10 ** String(current).length;
    // Each emit is its own transaction with its own id; cross the boundary (9…9 → 10…0) with events on both sides.
    const needed = boundary - current + 5;
    if (needed > 30_000) return; // a long-lived server far from the next power of ten: nothing to cross cheaply
    let n = 0;
    for (let i = 0; i < needed; i++) {
      const near = boundary - current - i;
      if (near <= 5 && near >= -5) await db.transaction((tx) => emitEvents(tx, [event(++n)]));
      else await db.execute(sql`select pg_current_xact_id()`);
    }
    const seen: number[] = [];
    await waitForOutboxHorizon(db);
    // One event per batch, so a wrong order would move the cursor past events not yet delivered.
    while ((await consumeEvents(db, 'digits', ['transaction_settled'], async (_tx, events) => void seen.push(...events.map((e) => e.payload.transactionId)), 1)) > 0) {
      /* drain */
    }
    expect(n).toBeGreaterThan(4);
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  }, 120_000);
});
