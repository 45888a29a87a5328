import { bigint, date, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** A channel's daily statement compared with what we received; kept as it was, never applied by itself. */
export const reconciliationReports = pgTable(
  'reconciliation_reports',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    channelId: text('channel_id').notNull(),
    /** The statement's business day in the platform time zone. */
    day: date('day').notNull(),
    fileName: text('file_name'),
    createdBy: bigint('created_by', { mode: 'number' }),
    /** matched, missingOurs, missingTheirs, amountMismatch, statusMismatch, invalidLines */
    counts: jsonb('counts').notNull(),
    /** Every difference, with both sides' values. */
    lines: jsonb('lines').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('reconciliation_reports_channel_idx').on(t.channelId, t.day)],
);
