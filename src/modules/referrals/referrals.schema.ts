import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { members } from '../members/members.schema.js';

/**
 * The referral tree (推广关系), one row per member.
 *
 * Why this shape: every reward event needs the ≤ 3 nearest ancestors, and
 * team statistics need the whole downline, at a million members and chains
 * thousands deep. `path` holds every ancestor id from the root down to the
 * parent, so
 * - the nearest three are the last three elements of one row (a primary-key
 *   read, no recursion, whatever the depth);
 * - the downline of X is every row whose path contains X (GIN index), and
 *   the direct members are the rows with parent_id = X (btree);
 * - re-parenting rewrites the paths of the moved subtree only, in one
 *   statement.
 * A closure table would need a row per (ancestor, descendant) pair — hundreds
 * of millions with deep chains; nested sets make every insert shift half the
 * tree. Counts over a large downline come from the maintained `descendants`
 * and `direct_count` columns (each binding adds to the ancestors on its path),
 * not from counting rows on each request.
 */
export const memberTree = pgTable(
  'member_tree',
  {
    memberId: bigint('member_id', { mode: 'number' }).primaryKey().references(() => members.id),
    parentId: bigint('parent_id', { mode: 'number' }),
    /** 0 for a root. */
    depth: integer('depth').notNull(),
    /** Ancestor ids, root first, parent last. */
    path: bigint('path', { mode: 'number' }).array().notNull().default(sql`'{}'::bigint[]`),
    /**
     * The last three elements of `path` (parent last). Every reward event reads
     * this; a path thousands long is stored out of line (TOAST), and reading
     * three ids must not fetch it.
     */
    up3: bigint('up3', { mode: 'number' }).array().notNull().default(sql`'{}'::bigint[]`),
    /** Size of the whole downline, kept up to date by every binding and move (O(1) team counts). */
    descendants: integer('descendants').notNull().default(0),
    /** Number of direct members (直推). */
    directCount: integer('direct_count').notNull().default(0),
    boundAt: timestamp('bound_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Copies of the member's own facts that every reward event reads for the
     * seller and each of its three ancestors: its level (member_levels), its
     * account status (members) and its onboarding state. Kept by triggers on
     * those tables (migration 0021), each writing only its own column from
     * its own new row, so concurrent changes cannot interleave wrongly. One
     * key read here replaces three, thousands of times per batch.
     */
    levelId: bigint('level_id', { mode: 'number' }),
    /** members.status = 'active' */
    statusActive: boolean('status_active').notNull().default(false),
    /** onboarding_applications.state = 'active' */
    onboarded: boolean('onboarded').notNull().default(false),
  },
  // Also member_tree_facts_idx (migration 0023): member_id INCLUDE (up3, level_id, status_active, onboarded),
  // so every reward event reads these columns from the index alone. drizzle-kit cannot declare INCLUDE, so it
  // is in the migration only. Columns that change often (counts) stay out: their updates would stop being HOT.
  (t) => [
    index('member_tree_parent_idx').on(t.parentId, t.memberId),
    index('member_tree_path_gin').using('gin', t.path),
  ],
);

/** Every binding and every move, for every member: from, to, by whom, why, when. */
export const bindingHistory = pgTable(
  'binding_history',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    fromParentId: bigint('from_parent_id', { mode: 'number' }),
    toParentId: bigint('to_parent_id', { mode: 'number' }),
    /** invite_code | invite_link | staff_assign | staff_move | root */
    via: text('via').notNull(),
    actorKind: text('actor_kind', { enum: ['member', 'staff', 'system'] }).notNull(),
    actorId: bigint('actor_id', { mode: 'number' }),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('binding_history_member_idx').on(t.memberId, t.id)],
);

/** Each member's invite code (邀请码), used in links and on the share poster. */
export const inviteCodes = pgTable(
  'invite_codes',
  {
    memberId: bigint('member_id', { mode: 'number' }).primaryKey().references(() => members.id),
    code: text('code').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('invite_codes_code_key').on(t.code)],
);
