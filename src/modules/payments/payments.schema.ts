import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { members } from '../members/members.schema.js';

export const paymentPurposes = ['entry_fee', 'level_purchase'] as const;
export type PaymentPurpose = (typeof paymentPurposes)[number];
export const orderStatuses = ['pending', 'paid', 'failed', 'expired'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** Money a member pays the platform (entry fee, level purchase), through a channel. */
export const paymentOrders = pgTable(
  'payment_orders',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The out_trade_no the channel sees. */
    orderNo: text('order_no').notNull(),
    memberId: bigint('member_id', { mode: 'number' }).notNull().references(() => members.id),
    purpose: text('purpose').$type<PaymentPurpose>().notNull(),
    /** What is bought, e.g. the level id of a level purchase. */
    purposeRef: text('purpose_ref'),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    channelId: text('channel_id').notNull(),
    status: text('status').$type<OrderStatus>().notNull().default('pending'),
    channelTradeNo: text('channel_trade_no'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('payment_orders_order_no').on(t.orderNo),
    index('payment_orders_member_idx').on(t.memberId, t.id),
    index('payment_orders_pending_idx').on(t.expiresAt).where(sql`${t.status} = 'pending'`),
    check('payment_orders_amount_check', sql`${t.amount} > 0`),
    check('payment_orders_status_check', sql`${t.status} in ('pending', 'paid', 'failed', 'expired')`),
  ],
);

/**
 * Every payment confirmation received, applied or not. Confirmations for
 * unknown, expired or already-paid orders, or with the wrong amount, are kept
 * here and reported to finance; they never change money.
 */
export const paymentNotifications = pgTable(
  'payment_notifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    channelId: text('channel_id').notNull(),
    /** The channel's own notification id (or trade number): the same notification twice is recorded once. */
    dedupeKey: text('dedupe_key').notNull(),
    orderNo: text('order_no').notNull(),
    channelTradeNo: text('channel_trade_no'),
    amount: bigint('amount', { mode: 'bigint' }),
    outcome: text('outcome', { enum: ['applied', 'failed_payment', 'unknown_order', 'expired_order', 'already_paid', 'amount_mismatch'] }).notNull(),
    detail: jsonb('detail'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('payment_notifications_dedupe').on(t.channelId, t.dedupeKey), index('payment_notifications_outcome_idx').on(t.outcome, t.id)],
);

export type PaymentOrder = typeof paymentOrders.$inferSelect;
