import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Dividend tiers, one row per version: every save is a new version (audited),
 * and a settlement run names the version it qualified members with.
 */
export const dividendTierVersions = pgTable('dividend_tier_versions', {
  version: integer('version').primaryKey().generatedByDefaultAsIdentity(),
  tiers: jsonb('tiers').notNull(),
  note: text('note'),
  savedByKind: text('saved_by_kind').notNull(),
  savedBy: bigint('saved_by', { mode: 'number' }),
  savedAt: timestamp('saved_at', { withTimezone: true }).notNull().defaultNow(),
});

export const settlementStates = ['collecting', 'preview', 'approved', 'paying', 'paid', 'cancelled'] as const;
export type SettlementState = (typeof settlementStates)[number];

/**
 * One settlement run per month (a cancelled one may be followed by another).
 * collecting → preview → (approved →) paying → paid; cancelled from any
 * state before paying. `progress` is what the console and the CLI show.
 */
export const settlementRuns = pgTable(
  'settlement_runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    month: date('month').notNull(),
    state: text('state', { enum: settlementStates }).notNull(),
    tiersVersion: integer('tiers_version').notNull(),
    volumeFen: bigint('volume_fen', { mode: 'bigint' }),
    payInto: text('pay_into', { enum: ['available', 'frozen'] }).notNull(),
    /** Freeze period of a run paid into frozen, fixed when the run opens like everything it pays by. */
    freezeDays: integer('freeze_days').notNull(),
    approvalRequired: integer('approval_required').notNull(),
    /** The end of the payout day (settings: pay by the 3rd of the next month, platform time zone). */
    payBy: timestamp('pay_by', { withTimezone: true }).notNull(),
    progress: jsonb('progress').notNull().default(sql`'{}'::jsonb`),
    createdByKind: text('created_by_kind').notNull(),
    createdBy: bigint('created_by', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    previewAt: timestamp('preview_at', { withTimezone: true }),
    approvedBy: bigint('approved_by', { mode: 'number' }),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    cancelReason: text('cancel_reason'),
  },
  (t) => [
    uniqueIndex('settlement_runs_one_per_month').on(t.month).where(sql`${t.state} <> 'cancelled'`),
    check('settlement_runs_state_check', sql`${t.state} in ('collecting', 'preview', 'approved', 'paying', 'paid', 'cancelled')`),
  ],
);

/** Per tier of a run: the pool, the qualifiers, the equal share and the remainder kept by the platform. */
export const settlementTiers = pgTable(
  'settlement_tiers',
  {
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    tierId: text('tier_id').notNull(),
    name: text('name').notNull(),
    poolPpm: integer('pool_ppm').notNull(),
    poolFen: bigint('pool_fen', { mode: 'bigint' }).notNull(),
    qualifiers: integer('qualifiers').notNull(),
    shareFen: bigint('share_fen', { mode: 'bigint' }).notNull(),
    remainderFen: bigint('remainder_fen', { mode: 'bigint' }).notNull(),
    paidFen: bigint('paid_fen', { mode: 'bigint' }).notNull().default(sql`0`),
    paidAt: timestamp('paid_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.tierId] })],
);

/** Each qualifier of each tier, with the evidence of every condition, and the entry that paid it. */
export const settlementQualifiers = pgTable(
  'settlement_qualifiers',
  {
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    tierId: text('tier_id').notNull(),
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    levelRank: integer('level_rank'),
    evidence: jsonb('evidence').notNull(),
    shareFen: bigint('share_fen', { mode: 'bigint' }).notNull(),
    entryId: bigint('entry_id', { mode: 'number' }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.tierId, t.memberId] }), index('settlement_qualifiers_member_idx').on(t.memberId)],
);
