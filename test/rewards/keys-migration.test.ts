import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { consumeEvents } from '../../src/modules/outbox/outbox.service.js';
import { databaseAt } from '../helpers/migrations.js';

/**
 * Migration 0023 re-keys outbox_events by (xid, id) and reward_payouts by
 * (entry_id, id), dropping the indexes those keys replace, and adds an index
 * that covers what every reward event reads of a tree row. Existing rows must come through, consumers must still read in order,
 * and the covered reads must need no table visit.
 */
const BEFORE = '0022_outbox_applied_inline';

describe('migration 0023 (keys in read order)', () => {
  it('keeps events and payouts, reads them by the new keys, and serves tree facts from the index alone', async () => {
    const { db, upgrade, dispose } = await databaseAt(BEFORE);
    try {
      const events = await queryRows<{ id: number }>(db, sql`
        insert into outbox_events (type, subject, payload) values
          ('transaction_settled', 'channel_transaction:1', '{}'::jsonb),
          ('transaction_settled', 'channel_transaction:2', '{}'::jsonb),
          ('transaction_refunded', 'channel_transaction:3', '{}'::jsonb)
        returning id`);
      const payout = (entryId: number, memberId: number, fen: number) => sql`
        (1, ${memberId}, 1, 'rule', 1, 'transaction_settled', 10000, 10000, 0, ${fen}, ${fen}, 'x', ${entryId}, '2026-11-30', '2026-11-01', 1)`;
      await db.execute(sql`
        insert into reward_payouts (event_id, member_id, generation, kind, version, trigger, base_fen, rate_ppm, fixed_fen, gross_fen, amount_fen, text, entry_id, day, month, level_rank)
        values ${payout(7, 1, 100)}, ${payout(7, 2, 50)}, ${payout(8, 1, 30)}`);

      await upgrade();

      const keys = await queryRows<{ table: string; key: string }>(db, sql`
        select c.conrelid::regclass::text as table, pg_get_constraintdef(c.oid) as key from pg_constraint c
        where c.contype = 'p' and c.conrelid in ('outbox_events'::regclass, 'reward_payouts'::regclass) order by 1`);
      expect(keys).toEqual([
        { table: 'outbox_events', key: 'PRIMARY KEY (xid, id)' },
        { table: 'reward_payouts', key: 'PRIMARY KEY (entry_id, id)' },
      ]);
      const gone = await queryRows<{ n: number }>(db, sql`
        select count(*)::int as n from pg_indexes where indexname in ('outbox_events_order_idx', 'reward_payouts_entry_idx')`);
      expect(gone[0]!.n).toBe(0);

      // The consumer still gets every event once, in order.
      const handed: number[] = [];
      while ((await consumeEvents(db, 'rewards', ['transaction_settled', 'transaction_refunded'], async (_tx, batch) => void handed.push(...batch.map((e) => e.id)), 2)) > 0) {
        /* drain */
      }
      expect(handed).toEqual(events.map((e) => Number(e.id)));
      // New events still get ids from the identity, and the new key refuses none of them.
      await db.execute(sql`insert into outbox_events (type, subject, payload) values ('transaction_settled', 'channel_transaction:4', '{}'::jsonb)`);
      expect((await queryRows<{ n: number }>(db, sql`select count(distinct id)::int as n from outbox_events`))[0]!.n).toBe(4);

      const byEntry = await queryRows<{ member_id: number; fen: string }>(db, sql`
        select member_id, amount_fen::text as fen from reward_payouts where entry_id = 7 order by member_id`);
      expect(byEntry.map((r) => [Number(r.member_id), r.fen])).toEqual([
        [1, '100'],
        [2, '50'],
      ]);

      // What loadBatchFacts reads of tree rows, from the index alone (the planner is kept off whole-table
      // scans, which it would pick for a test's handful of rows).
      await db.execute(sql`set enable_seqscan = off`);
      await db.execute(sql`set enable_bitmapscan = off`);
      const plan = await queryRows<{ 'QUERY PLAN': string }>(db, sql`
        explain select member_id, up3, level_id, status_active and onboarded from member_tree where member_id = any('{1,2,3}'::bigint[])`);
      expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toContain('Index Only Scan using member_tree_facts_idx');
    } finally {
      await dispose();
    }
  });
});
