import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { consumeEvents } from '../../src/modules/outbox/outbox.service.js';
import { databaseAt } from '../helpers/migrations.js';

/**
 * Migration 0022 marks the outbox events of sales their batch push paid
 * (applied_inline), and the rewards consumer stops reading them. Sales a
 * push paid before the upgrade that the rewards cursor has not passed yet
 * must come through marked, or the consumer would hand them over again.
 */
const BEFORE = '0021_member_tree_facts';

describe('migration 0022 (events applied inline)', () => {
  it('marks the paid sales the rewards cursor has not passed; the consumer then gets only the unpaid events', async () => {
    const { db, upgrade, dispose } = await databaseAt(BEFORE);
    try {
      const payload = (n: number) => JSON.stringify({ transactionId: n, channelId: 'c', channelTxnId: `t${n}`, memberId: 1, amountFen: '100', occurredAt: '2026-11-01T00:00:00.000Z', originalTxnId: null });
      const events = await queryRows<{ id: number }>(db, sql`
        insert into outbox_events (type, subject, payload) values
          ('transaction_settled', 'channel_transaction:1', ${payload(1)}::jsonb),
          ('transaction_settled', 'channel_transaction:2', ${payload(2)}::jsonb),
          ('transaction_settled', 'channel_transaction:3', ${payload(3)}::jsonb),
          ('transaction_refunded', 'channel_transaction:4', ${payload(4)}::jsonb)
        returning id`);
      const [e1, e2, e3, e4] = events.map((e) => Number(e.id)) as [number, number, number, number];
      // e1 was paid and passed; e2 was paid by its push, the cursor not there yet; e3 and e4 wait for the consumer.
      await db.execute(sql`
        insert into reward_events (event_id, kind, subject, member_id, base_fen, occurred_at, version, inputs, total_fen)
        select id, 'transaction_settled', subject, 1, 100, now(), 1, '{}'::json, 0 from outbox_events where id in (${e1}, ${e2})`);
      await db.execute(sql`insert into outbox_cursors (consumer, last_xid, last_id) select 'rewards', xid, id from outbox_events where id = ${e1}`);

      await upgrade();
      const marked = await queryRows<{ id: number }>(db, sql`select id from outbox_events where applied_inline order by id`);
      expect(marked.map((r) => Number(r.id))).toEqual([e2]);
      const handed: number[] = [];
      while ((await consumeEvents(db, 'rewards', ['transaction_settled', 'transaction_refunded'], async (_tx, batch) => void handed.push(...batch.map((e) => e.id)), 100, { skipAppliedInline: true })) > 0) {
        /* drain */
      }
      expect(handed).toEqual([e3, e4]);
    } finally {
      await dispose();
    }
  });
});
