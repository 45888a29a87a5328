import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

/**
 * Domain events written in the same transaction as the change that raised
 * them (transactional outbox). Consumers read them in (xid, id) order and only
 * below the oldest running transaction, so an event committed late is never
 * skipped by a consumer cursor.
 */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
    type: text('type').notNull(),
    /** What the event is about, e.g. "channel_transaction:42". */
    subject: text('subject').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The producing transaction already applied the event for the consumer
     * that applies events inline (rewards pays the sales of batch pushes in
     * the push's transaction). That consumer reads through the partial index
     * below, which holds only the other events, so it never reads these.
     */
    appliedInline: boolean('applied_inline').notNull().default(false),
  },
  (t) => [
    // Keyed in the order consumers read: one index to maintain per event, where an id key and an (xid, id)
    // index were two (nothing looks an event up by its id alone; the identity keeps ids unique).
    primaryKey({ name: 'outbox_events_pkey', columns: [t.xid, t.id] }),
    index('outbox_events_not_inline_idx').on(t.xid, t.id).where(sql`not ${t.appliedInline}`),
  ],
);

/** How far each consumer has read. Advanced in the same transaction as the consumer's own writes. */
export const outboxCursors = pgTable('outbox_cursors', {
  consumer: text('consumer').primaryKey(),
  lastXid: xid8('last_xid').notNull().default(sql`'0'::xid8`),
  lastId: bigint('last_id', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
