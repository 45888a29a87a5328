import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { members } from '../members/members.schema.js';
import type { ConditionSetJson } from './conditions.js';

/**
 * The level ladder (等级), as it stands now. Members and history refer to a
 * level by id, which never changes; rank, name, price and conditions can.
 * A level nobody holds can be removed: it keeps its row (history still names
 * it) with `removed_at` set, and leaves the ladder.
 */
export const levels = pgTable(
  'levels',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    /** Unique among the levels in the ladder; higher is better. */
    rank: integer('rank').notNull(),
    /** Purchase price in fen; 0 = not for sale. */
    priceFen: bigint('price_fen', { mode: 'bigint' }).notNull().default(sql`0`),
    rateProfitSharePpm: integer('rate_profit_share_ppm').notNull().default(0),
    /** `{mode, conditions}` that lift a member here by performance; empty = not by performance. */
    upgrade: jsonb('upgrade').$type<ConditionSetJson>().notNull(),
    /** `{mode, conditions}` a member here must keep meeting, evaluated monthly when downgrades are on. */
    keep: jsonb('keep').$type<ConditionSetJson>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    removedAt: timestamp('removed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('levels_rank_key').on(t.rank).where(sql`${t.removedAt} is null`),
    check('levels_price_check', sql`${t.priceFen} >= 0`),
    check('levels_rate_check', sql`${t.rateProfitSharePpm} between 0 and 1000000`),
  ],
);

/** Every saved ladder, whole, with who saved it: version n is what the ladder was after the n-th save. */
export const levelLadderVersions = pgTable('level_ladder_versions', {
  version: integer('version').primaryKey(),
  /** The levels as saved (the API's JSON form, ids included). */
  levels: jsonb('levels').$type<unknown[]>().notNull(),
  savedByKind: text('saved_by_kind', { enum: ['staff', 'system'] }).notNull(),
  savedBy: bigint('saved_by', { mode: 'number' }),
  savedAt: timestamp('saved_at', { withTimezone: true }).notNull().defaultNow(),
});

export const levelCauses = ['purchase', 'performance', 'downgrade', 'staff'] as const;
export type LevelCause = (typeof levelCauses)[number];

/**
 * A member's level. Members without a row stand at the lowest enabled level,
 * so a million members need no rows until they move.
 */
export const memberLevels = pgTable(
  'member_levels',
  {
    memberId: bigint('member_id', { mode: 'number' }).primaryKey().references(() => members.id),
    levelId: bigint('level_id', { mode: 'number' }).notNull().references(() => levels.id),
    /** The level before the last change (written by the same statement, so it is what was really replaced). */
    previousLevelId: bigint('previous_level_id', { mode: 'number' }).references(() => levels.id),
    cause: text('cause').$type<LevelCause>().notNull(),
    since: timestamp('since', { withTimezone: true }).notNull().defaultNow(),
    /** The level last bought and when: downgrades never go below it within the protection window. */
    purchasedLevelId: bigint('purchased_level_id', { mode: 'number' }).references(() => levels.id),
    purchasedAt: timestamp('purchased_at', { withTimezone: true }),
  },
  (t) => [index('member_levels_level_idx').on(t.levelId)],
);

/** Every level change of every member: from, to, cause, who, why (or which order), when. */
export const levelHistory = pgTable(
  'level_history',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' }).notNull().references(() => members.id),
    fromLevelId: bigint('from_level_id', { mode: 'number' }).references(() => levels.id),
    toLevelId: bigint('to_level_id', { mode: 'number' }).notNull().references(() => levels.id),
    cause: text('cause').$type<LevelCause>().notNull(),
    actorKind: text('actor_kind', { enum: ['staff', 'member', 'system'] }).notNull(),
    actorId: bigint('actor_id', { mode: 'number' }),
    reason: text('reason'),
    orderId: bigint('order_id', { mode: 'number' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('level_history_member_idx').on(t.memberId, t.id),
    check('level_history_cause_check', sql`${t.cause} in ('purchase', 'performance', 'downgrade', 'staff')`),
  ],
);

/** Which periodic level jobs have run (daily sweep per day, downgrade per month), so each runs once across instances and restarts. */
export const levelJobRuns = pgTable(
  'level_job_runs',
  {
    job: text('job').notNull(),
    period: text('period').notNull(),
    result: jsonb('result'),
    ranAt: timestamp('ran_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.job, t.period] })],
);
