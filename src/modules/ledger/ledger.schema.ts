import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { members } from '../members/members.schema.js';

export const memberAccounts = ['wallet:frozen', 'wallet:available', 'wallet:withdrawing'] as const;
export const platformAccounts = [
  'fees:onboarding',
  'fees:level',
  'fees:withdrawal',
  'rewards:expense',
  'channel:clearing',
  'payouts:clearing',
  'rounding',
] as const;
export type MemberAccount = (typeof memberAccounts)[number];
export type PlatformAccount = (typeof platformAccounts)[number];
export type Account = MemberAccount | PlatformAccount;

const accountList = sql.raw([...memberAccounts, ...platformAccounts].map((a) => `'${a}'`).join(', '));

/**
 * A journal entry: one money movement. Append-only (a trigger refuses UPDATE
 * and DELETE); corrections are new entries. The caller's idempotency key makes
 * a retried post return the first entry instead of moving money twice.
 */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    idempotencyKey: text('idempotency_key').notNull(),
    kind: text('kind').notNull(),
    sourceType: text('source_type').notNull(),
    sourceId: text('source_id').notNull(),
    memo: text('memo'),
    /** Hash of the entry's content, to tell a true replay from a key reused for something else. */
    fingerprint: text('fingerprint').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ledger_entries_idempotency_key').on(t.idempotencyKey),
    // Entries by source, for clawbacks. Reward entries are left out: every reward event writes one, and the
    // rewards module finds a sale's entry through its event record (reward_events.entry_id) and hands it to
    // the clawback, so indexing them by source too cost an index write per event for no reader.
    index('ledger_entries_source_idx').on(t.sourceType, t.sourceId).where(sql`${t.kind} <> 'reward'`),
  ],
);

/**
 * Postings of an entry sum to zero; the database checks that for every insert
 * statement (see the ledger_invariants migration), so no code path can write
 * an unbalanced entry. Member postings carry the wallet balance after them,
 * which is what a statement line shows.
 */
export const ledgerPostings = pgTable(
  'ledger_postings',
  {
    /** Increases with insertion; statement lines are ordered and paged by it. */
    id: bigint('id', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    /**
     * No foreign key on purpose: a fresh connection caches the FK check's plan,
     * and on a young table that plan is a sequential scan, run once per posting
     * (measured: batch posting 20× slower). Postings are only ever written by
     * the posting API together with their entry, and verify-ledger reports any
     * posting without one.
     */
    entryId: bigint('entry_id', { mode: 'number' }).notNull(),
    account: text('account').$type<Account>().notNull(),
    memberId: bigint('member_id', { mode: 'number' }),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    balanceAfter: bigint('balance_after', { mode: 'bigint' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // Two indexes only, as every event writes several postings: the key serves
  // "postings of an entry", the partial index serves statements. Platform
  // balances are sums over a scan, which only reports run.
  (t) => [
    primaryKey({ name: 'ledger_postings_pkey', columns: [t.entryId, t.id] }),
    index('ledger_postings_member_idx').on(t.memberId, t.id).where(sql`${t.memberId} is not null`),
    check('ledger_postings_account_check', sql`${t.account} in (${accountList})`),
    check('ledger_postings_owner_check', sql`(${t.memberId} is not null) = (${t.account} like 'wallet:%')`),
    check('ledger_postings_nonzero', sql`${t.amount} <> 0`),
  ],
);

/**
 * Cached member balances, changed only together with the postings that
 * justify them. Frozen and withdrawing never go below zero; available may,
 * after a clawback, and then blocks withdrawals until earnings repay it.
 * Platform accounts have no cached row: every event touches them, so their
 * balance is derived from postings instead of serialising all events on one row.
 */
export const wallets = pgTable(
  'wallets',
  {
    memberId: bigint('member_id', { mode: 'number' }).primaryKey().references(() => members.id),
    frozen: bigint('frozen', { mode: 'bigint' }).notNull().default(sql`0`),
    available: bigint('available', { mode: 'bigint' }).notNull().default(sql`0`),
    withdrawing: bigint('withdrawing', { mode: 'bigint' }).notNull().default(sql`0`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('wallets_frozen_nonnegative', sql`${t.frozen} >= 0`), check('wallets_withdrawing_nonnegative', sql`${t.withdrawing} >= 0`)],
  // (fillfactor 70 is set in migration 0006: room on each page for HOT updates of hot wallets.)
);

/**
 * Credits waiting in `frozen` until their release time (SPEC §9 freeze
 * period), one lot per ledger entry: what it holds is the entry's own
 * `wallet:frozen` postings, so the lot stores no amounts or members of its
 * own. A reward event credits up to three members in one entry; a lot per
 * member cost three rows and nine index entries per sale, for figures the
 * postings already hold. A lot is released or clawed back whole.
 */
export const frozenLots = pgTable(
  'frozen_lots',
  {
    entryId: bigint('entry_id', { mode: 'number' }).primaryKey(),
    releaseAt: timestamp('release_at', { withTimezone: true }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closedBy: text('closed_by', { enum: ['release', 'clawback'] }),
  },
  (t) => [index('frozen_lots_due_idx').on(t.releaseAt, t.entryId).where(sql`${t.closedAt} is null`)],
);
