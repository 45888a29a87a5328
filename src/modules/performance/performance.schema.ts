import { sql } from 'drizzle-orm';
import { bigint, date, integer, pgTable, primaryKey, timestamp } from 'drizzle-orm/pg-core';

/**
 * Performance (业绩) per member per month, in the platform time zone.
 *
 * `personal_*` are the member's own settled sales and refunds; `team_*` are
 * the same sums over the whole downline, excluding the member ("team
 * including self" is team + personal). `team_active` counts downline members
 * with a settled sale in the month. Every figure a condition needs is one
 * primary-key read, whatever the depth or size of the team.
 *
 * How team totals stay current: each batch of transactions adds its sums to
 * the member's row and, in the same statement, to the row of every ancestor
 * on the member's stored path (member_tree.path), grouped so an ancestor
 * shared by many transactions in the batch is written once. The cost is the
 * number of distinct ancestors in the batch, not transactions × depth.
 */
export const memberPerformance = pgTable(
  'member_performance',
  {
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    /** First day of the month. */
    month: date('month', { mode: 'string' }).notNull(),
    personalSettled: bigint('personal_settled', { mode: 'bigint' }).notNull().default(sql`0`),
    personalRefunded: bigint('personal_refunded', { mode: 'bigint' }).notNull().default(sql`0`),
    personalTxns: integer('personal_txns').notNull().default(0),
    teamSettled: bigint('team_settled', { mode: 'bigint' }).notNull().default(sql`0`),
    teamRefunded: bigint('team_refunded', { mode: 'bigint' }).notNull().default(sql`0`),
    teamActive: integer('team_active').notNull().default(0),
    /**
     * The net (settled − refunded) of the member's rows of earlier months,
     * personal and team. With this row's own net it is the member's lifetime
     * figure as of this month, so a batch sees a lifetime threshold crossed
     * from the row it writes, without reading the member's other months
     * (see applyWindow). Kept by every writer in performance.service (the
     * consumer, moves, rebuilds); a rebuild recomputes them all.
     */
    earlierPersonalNet: bigint('earlier_personal_net', { mode: 'bigint' }).notNull().default(sql`0`),
    earlierTeamNet: bigint('earlier_team_net', { mode: 'bigint' }).notNull().default(sql`0`),
  },
  // No index on the team figures: every sale rewrites them for each ancestor, and with only the key indexed
  // those updates stay HOT (no index writes; the table keeps free room per page for them, see migration 0019).
  // The team ranking sorts one month's rows when staff open it.
  (t) => [primaryKey({ columns: [t.memberId, t.month] })],
);

/** Months closed by settlement: their figures are never rewritten; later records count in the month they arrive. */
export const performanceMonths = pgTable('performance_months', {
  month: date('month', { mode: 'string' }).primaryKey(),
  closedAt: timestamp('closed_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Transactions that counted in another month than the one they happened in
 * (their own month was closed when they arrived, or it was after the month
 * they arrived in). A rebuild reads these, so it attributes every record
 * exactly as the consumer did.
 */
export const performanceReattributions = pgTable('performance_reattributions', {
  transactionId: bigint('transaction_id', { mode: 'number' }).primaryKey(),
  month: date('month', { mode: 'string' }).notNull(),
  occurredMonth: date('occurred_month', { mode: 'string' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
