import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { consumeEvents, consumeEventWindow, emitEvents, eventsWaitingOnHorizon, windowEvents } from '../../src/modules/outbox/outbox.service.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.js';
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

  it('leaves events applied in their producing transaction to the consumers that did not apply them', async () => {
    const db = database.db;
    await db.transaction(async (tx) => {
      await emitEvents(tx, [1001, 1002, 1003, 1004, 1005].map(event));
      // As a batch push marks the sales it paid inline.
      await tx.execute(sql`update outbox_events set applied_inline = true where subject in ('test:1002', 'test:1004', 'test:1005')`);
    });
    await waitForOutboxHorizon(db);
    const take = async (consumer: string, options: { skipAppliedInline?: boolean }) => {
      const seen: number[] = [];
      while ((await consumeEvents(db, consumer, ['transaction_settled'], async (_tx, events) => void seen.push(...events.map((e) => e.payload.transactionId)), 2, options)) > 0) {
        /* drain */
      }
      // The tests above may have left events of their own (ids up to a dozen) for a new consumer too.
      return seen.filter((id) => id > 1000);
    };
    expect(await take('inline-aware', { skipAppliedInline: true })).toEqual([1001, 1003]);
    // Its cursor stops at 1003, yet nothing is waiting for it; for a consumer that applies everything, 1004 and 1005 are.
    expect(await eventsWaitingOnHorizon(db, 'inline-aware', ['transaction_settled'], { skipAppliedInline: true })).toBe(false);
    expect(await eventsWaitingOnHorizon(db, 'inline-aware', ['transaction_settled'])).toBe(true);
    expect(await take('everything', {})).toEqual([1001, 1002, 1003, 1004, 1005]);
  });

  it('hands a SQL consumer its batches as windows: only its types, in order, limit by limit, and a failed batch comes back whole', async () => {
    const db = database.db;
    await db.transaction((tx) => emitEvents(tx, [2001, 2002, 2003].map(event)));
    await db.transaction((tx) =>
      emitEvents(tx, [{ type: 'onboarding_fee_paid', subject: 'test:fee', payload: { memberId: 1, orderId: 1, orderNo: 'X', amountFen: '1', paidAt: new Date().toISOString() } }]),
    );
    await db.transaction((tx) => emitEvents(tx, [2004, 2005].map(event)));
    await waitForOutboxHorizon(db);
    // Read inside the window by SQL, as the performance consumer does.
    const ids = async (tx: typeof db, w: Parameters<typeof windowEvents>[0]) =>
      (await queryRows<{ t: number }>(tx, sql`select (e.payload->>'transactionId')::int as t, e.type from ${windowEvents(w)} e order by e.xid, e.id`)).map((r) => r.t);

    let failed: number[] = [];
    await expect(consumeEventWindow(db, 'window', ['transaction_settled'], async (tx, w) => {
      failed = await ids(tx, w);
      throw new Error('handler failed');
    }, 2)).rejects.toThrow('handler failed');
    const batches: number[][] = [];
    const counts: number[] = [];
    for (;;) {
      const n = await consumeEventWindow(db, 'window', ['transaction_settled'], async (tx, w) => void batches.push(await ids(tx, w)), 2);
      counts.push(n);
      if (n === 0) break;
    }
    expect(failed).toHaveLength(2);
    expect(batches[0]).toEqual(failed);
    // Earlier tests' events come first for this new consumer; ours follow, two at a time, the fee event left out.
    const ours = batches.map((b) => b.filter((id) => id > 2000)).filter((b) => b.length > 0);
    expect(ours.flat()).toEqual([2001, 2002, 2003, 2004, 2005]);
    expect(batches.every((b) => b.length <= 2)).toBe(true);
    expect(counts.slice(0, -1).reduce((a, b) => a + b, 0)).toBe(batches.flat().length);
    expect(await consumeEventWindow(db, 'window', ['transaction_settled'], async () => {
      throw new Error('no batch expected');
    })).toBe(0);
  });

  it.skipIf(!onPostgres)('never lets a window pass an event whose transaction is still open (PostgreSQL)', async () => {
    const db = database.db;
    await consumeEventWindow(db, 'horizon', ['transaction_settled'], async () => {}, 100_000);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let emitted!: () => void;
    const started = new Promise<void>((r) => (emitted = r));
    // An earlier transaction emits first and stays open; a later one emits and commits.
    const early = db.transaction(async (tx) => {
      await emitEvents(tx, [event(3001)]);
      emitted();
      await held;
    });
    await started;
    await db.transaction((tx) => emitEvents(tx, [event(3002)]));
    const seen: number[] = [];
    const take = () => consumeEventWindow(db, 'horizon', ['transaction_settled'], async (tx, w) => {
      seen.push(...(await queryRows<{ t: number }>(tx, sql`select (e.payload->>'transactionId')::int as t from ${windowEvents(w)} e order by e.xid, e.id`)).map((r) => r.t));
    }, 100);
    expect(await take()).toBe(0);
    release();
    await early;
    await waitForOutboxHorizon(db);
    while ((await take()) > 0) {
      /* drain */
    }
    expect(seen).toEqual([3001, 3002]);
  });
});
