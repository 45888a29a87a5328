import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { members } from '../members/members.schema.js';

export const withdrawalStatuses = ['requested', 'approved', 'rejected', 'paying', 'paid', 'failed'] as const;
export type WithdrawalStatus = (typeof withdrawalStatuses)[number];
export const payoutChannels = ['sandbox', 'bank_batch'] as const;
export type PayoutChannel = (typeof payoutChannels)[number];

export const withdrawals = pgTable(
  'withdrawals',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: bigint('member_id', { mode: 'number' }).notNull().references(() => members.id),
    /** The client's Idempotency-Key header: one withdrawal per key per member. */
    idempotencyKey: text('idempotency_key').notNull(),
    /** Taken from available: fee included. */
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    fee: bigint('fee', { mode: 'bigint' }).notNull(),
    /** What reaches the member's bank: amount − fee. */
    net: bigint('net', { mode: 'bigint' }).notNull(),
    status: text('status').$type<WithdrawalStatus>().notNull(),
    reviewRequired: boolean('review_required').notNull(),
    channel: text('channel').$type<PayoutChannel>().notNull(),
    payeeName: text('payee_name').notNull(),
    payeeBank: text('payee_bank').notNull(),
    /** Encrypted at rest (lib/crypto); responses show only the last four digits. */
    payeeAccountEnc: text('payee_account_enc').notNull(),
    payeeAccountLast4: text('payee_account_last4').notNull(),
    batchId: bigint('batch_id', { mode: 'number' }),
    channelRef: text('channel_ref'),
    reason: text('reason'),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('withdrawals_member_key').on(t.memberId, t.idempotencyKey),
    index('withdrawals_member_idx').on(t.memberId, t.id),
    index('withdrawals_status_idx').on(t.status, t.id),
    check('withdrawals_amounts_check', sql`${t.amount} > 0 and ${t.fee} >= 0 and ${t.net} > 0 and ${t.net} + ${t.fee} = ${t.amount}`),
    check('withdrawals_status_check', sql`${t.status} in ('requested', 'approved', 'rejected', 'paying', 'paid', 'failed')`),
  ],
);

/** Every status change of a withdrawal: the history the member and finance see. */
export const withdrawalEvents = pgTable(
  'withdrawal_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    withdrawalId: bigint('withdrawal_id', { mode: 'number' }).notNull().references(() => withdrawals.id),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorKind: text('actor_kind', { enum: ['staff', 'member', 'system'] }).notNull(),
    actorId: bigint('actor_id', { mode: 'number' }),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('withdrawal_events_withdrawal_idx').on(t.withdrawalId, t.id)],
);

/** A bank transfer file finance exported; its results file is imported back against it. */
export const payoutBatches = pgTable('payout_batches', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  createdBy: bigint('created_by', { mode: 'number' }),
  count: bigint('count', { mode: 'number' }).notNull(),
  total: bigint('total', { mode: 'bigint' }).notNull(),
  resultsImportedAt: timestamp('results_imported_at', { withTimezone: true }),
});

export type Withdrawal = typeof withdrawals.$inferSelect;
