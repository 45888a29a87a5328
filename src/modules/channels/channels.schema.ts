import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { members } from '../members/members.schema.js';

export const channelKinds = ['push', 'sandbox', 'wechatpay', 'alipay'] as const;
export type ChannelKind = (typeof channelKinds)[number];

/**
 * A payment channel (三方通道) the platform talks to. Non-secret settings
 * (merchant ids, public keys, certificate serials) live in `config`; keys and
 * secrets are encrypted at rest in `secretsEnc` and never returned in full.
 */
export const channels = pgTable(
  'channels',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<ChannelKind>().notNull(),
    name: text('name').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    config: jsonb('config').notNull().default(sql`'{}'::jsonb`),
    secretsEnc: text('secrets_enc'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('channels_kind_check', sql`${t.kind} in ('push', 'sandbox', 'wechatpay', 'alipay')`), check('channels_id_check', sql`${t.id} ~ '^[a-z][a-z0-9_-]{1,31}$'`)],
);

/** Which member a channel's merchant reference belongs to. */
export const channelMerchants = pgTable(
  'channel_merchants',
  {
    channelId: text('channel_id').notNull().references(() => channels.id),
    merchantRef: text('merchant_ref').notNull(),
    memberId: bigint('member_id', { mode: 'number' }).notNull().references(() => members.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('channel_merchants_key').on(t.channelId, t.merchantRef), index('channel_merchants_member_idx').on(t.memberId)],
);

export const txnStatuses = ['settled', 'refunded'] as const;

/**
 * Sales and refunds pushed by channel partners, as received (idempotent on
 * channel + channel_txn_id). A refund whose sale has not arrived yet waits
 * in state `held` and is applied when the sale comes.
 */
export const channelTransactions = pgTable(
  'channel_transactions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    channelId: text('channel_id').notNull(),
    channelTxnId: text('channel_txn_id').notNull(),
    merchantRef: text('merchant_ref').notNull(),
    memberId: bigint('member_id', { mode: 'number' }).notNull(),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    status: text('status', { enum: txnStatuses }).notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    originalTxnId: text('original_txn_id'),
    state: text('state', { enum: ['applied', 'held'] }).notNull(),
    fingerprint: text('fingerprint').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('channel_transactions_key').on(t.channelId, t.channelTxnId),
    index('channel_transactions_held_idx').on(t.channelId, t.originalTxnId).where(sql`${t.state} = 'held'`),
    // Day ranges (the dashboard's sales today, a channel's reconciliation day) read a BRIN on the time the
    // channel reports: records arrive roughly in that order, and a BRIN costs nearly nothing per insert.
    // No member-keyed index: nothing lists a member's records, and a random-keyed btree written by every
    // sale cost a page write (and, after each checkpoint, a full-page image) per record.
    index('channel_transactions_occurred_brin').using('brin', t.occurredAt),
    check('channel_transactions_amount_check', sql`${t.amount} > 0`),
  ],
);

export type ChannelTransaction = typeof channelTransactions.$inferSelect;
