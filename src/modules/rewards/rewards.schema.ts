import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, json, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Rule sets, one row per version. Edits happen in the one draft; publishing
 * makes it the active version and retires the previous one. Published and
 * retired versions are never changed: payouts name them.
 */
export const rewardRuleSets = pgTable(
  'reward_rule_sets',
  {
    version: integer('version').primaryKey().generatedByDefaultAsIdentity(),
    state: text('state', { enum: ['draft', 'published', 'retired'] }).notNull(),
    body: jsonb('body').notNull(),
    /** The version the draft started from. */
    basedOn: integer('based_on'),
    note: text('note'),
    createdBy: bigint('created_by', { mode: 'number' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    publishedBy: bigint('published_by', { mode: 'number' }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('reward_rule_sets_one_draft').on(t.state).where(sql`${t.state} = 'draft'`),
    uniqueIndex('reward_rule_sets_one_published').on(t.state).where(sql`${t.state} = 'published'`),
    check('reward_rule_sets_state_check', sql`${t.state} in ('draft', 'published', 'retired')`),
  ],
);

/**
 * One row per processed event: what the engine was given (the member, its
 * ancestors with levels, status and performance, the caps usage it read) and
 * which version ran. The engine is deterministic, so this is enough to answer
 * "why was X (not) paid" exactly, and to simulate a draft on the same inputs.
 */
export const rewardEvents = pgTable(
  'reward_events',
  {
    eventId: bigint('event_id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    /** The outbox subject, e.g. channel_transaction:42 — what a refund looks up. */
    subject: text('subject').notNull(),
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    baseFen: bigint('base_fen', { mode: 'bigint' }).notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    version: integer('version').notNull(),
    /** json, not jsonb: written once per event and read rarely, so storing the text as sent is cheaper. */
    inputs: json('inputs').notNull(),
    totalFen: bigint('total_fen', { mode: 'bigint' }).notNull(),
    entryId: bigint('entry_id', { mode: 'number' }),
    processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set when a refund of the sale reversed the payouts. */
    clawedBackAt: timestamp('clawed_back_at', { withTimezone: true }),
    clawbackEntryId: bigint('clawback_entry_id', { mode: 'number' }),
  },
  // BRIN for the period scans of simulation: events arrive in time order, and a BRIN index costs nearly nothing per insert.
  (t) => [index('reward_events_occurred_brin').using('brin', t.occurredAt), index('reward_events_subject_idx').on(t.subject)],
);

/** Each payout line: who, which rule or profit share, how much, and the cuts: what the words shown to the member are made of. */
export const rewardPayouts = pgTable(
  'reward_payouts',
  {
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    generation: smallint('generation').notNull(),
    /** rule | profit_share | peer_bonus */
    kind: text('kind').notNull(),
    ruleId: text('rule_id'),
    version: integer('version').notNull(),
    trigger: text('trigger').notNull(),
    baseFen: bigint('base_fen', { mode: 'bigint' }).notNull(),
    ratePpm: integer('rate_ppm').notNull(),
    fixedFen: bigint('fixed_fen', { mode: 'bigint' }).notNull(),
    grossFen: bigint('gross_fen', { mode: 'bigint' }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    cuts: jsonb('cuts'),
    /**
     * The words of lines written before migration 0024. Newer lines are said from their columns when read
     * (payoutText): the words were a third of each row, and everything they say is stored beside them.
     */
    text: text('text'),
    entryId: bigint('entry_id', { mode: 'number' }).notNull(),
    /** Platform-time-zone day and month of the event: the periods of caps. */
    day: date('day').notNull(),
    month: date('month').notNull(),
    levelRank: integer('level_rank').notNull(),
    clawedBackAt: timestamp('clawed_back_at', { withTimezone: true }),
  },
  (t) => [
    index('reward_payouts_member_month_idx').on(t.memberId, t.month),
    // Statement lines, replays and clawbacks all find payouts by their ledger entry: the key leads with it, so
    // each payout maintains one index for both (no separate event or id index).
    primaryKey({ name: 'reward_payouts_pkey', columns: [t.entryId, t.id] }),
  ],
);
