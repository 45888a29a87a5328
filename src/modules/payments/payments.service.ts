import crypto from 'node:crypto';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, queryRows } from '../../db/client.js';
import { AppError, notFound } from '../../lib/errors.js';
import { formatYuan, type Fen } from '../../lib/money.js';
import type { PlatformAccount } from '../ledger/ledger.schema.js';
import { post } from '../ledger/ledger.service.js';
import { emitEvents } from '../outbox/outbox.service.js';
import { readSettings, type SettingsDefinition } from '../settings/settings.service.js';
import { type PaymentOrder, paymentNotifications, paymentOrders, type PaymentPurpose } from './payments.schema.js';

/** The entry fee (入驻费) members pay once their application is approved. */
export const entryFeeSettingsDef: SettingsDefinition<{ amountFen: bigint; orderTtlMinutes: number }> = {
  key: 'entry_fee',
  schema: z.object({
    amountFen: z.union([z.string().regex(/^\d{1,12}$/), z.number().int().min(1)]).transform((v) => BigInt(v)),
    orderTtlMinutes: z.number().int().min(5).max(24 * 60),
  }),
  defaults: () => ({ amountFen: 99_900n, orderTtlMinutes: 30 }),
};

/**
 * What a purpose costs and where its money goes. The module that owns the
 * purpose (onboarding, levels) consumes the `payment_confirmed` event.
 */
interface PurposeDefinition {
  feeAccount: PlatformAccount;
  label: string;
  price(db: Db, memberId: number, purposeRef: string | null): Promise<{ amount: Fen; ttlMinutes: number }>;
}

const purposes: Partial<Record<PaymentPurpose, PurposeDefinition>> = {
  entry_fee: {
    feeAccount: 'fees:onboarding',
    label: '入驻费',
    async price(db) {
      const { value } = await readSettings(db, entryFeeSettingsDef);
      return { amount: value.amountFen, ttlMinutes: value.orderTtlMinutes };
    },
  },
};

/** Lets the levels module register `level_purchase` (its price depends on the ladder). */
export function registerPurpose(purpose: PaymentPurpose, definition: PurposeDefinition) {
  purposes[purpose] = definition;
}

const newOrderNo = () => {
  const d = new Date();
  const stamp = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `SL${stamp}${crypto.randomBytes(8).toString('hex').toUpperCase()}`;
};

export async function createOrder(db: Db, input: { memberId: number; purpose: PaymentPurpose; purposeRef?: string | null; channelId: string }): Promise<PaymentOrder> {
  const definition = purposes[input.purpose];
  if (!definition) throw new AppError('BAD_REQUEST', `Payments for ${input.purpose} are not available`);
  const { amount, ttlMinutes } = await definition.price(db, input.memberId, input.purposeRef ?? null);
  const [order] = await db
    .insert(paymentOrders)
    .values({
      orderNo: newOrderNo(),
      memberId: input.memberId,
      purpose: input.purpose,
      purposeRef: input.purposeRef ?? null,
      amount,
      channelId: input.channelId,
      expiresAt: new Date(Date.now() + ttlMinutes * 60_000),
    })
    .returning();
  return order!;
}

export interface Confirmation {
  channelId: string;
  dedupeKey: string;
  orderNo: string;
  channelTradeNo: string | null;
  amount: Fen | null;
  paid: boolean;
  paidAt: Date | null;
  detail?: unknown;
}

export type ConfirmationOutcome = (typeof paymentNotifications.$inferSelect)['outcome'] | 'duplicate';

/**
 * Applies a verified confirmation exactly once: the order becomes paid, the
 * ledger records channel clearing → fee revenue, and `payment_confirmed` goes
 * to the outbox, all in one transaction. Anything else is recorded and
 * reported, and changes no money. The same notification again is a duplicate.
 */
export async function confirmPayment(db: Db, c: Confirmation): Promise<ConfirmationOutcome> {
  return db.transaction(async (tx) => {
    const [order] = await tx.select().from(paymentOrders).where(eq(paymentOrders.orderNo, c.orderNo)).for('update');
    let outcome: Exclude<ConfirmationOutcome, 'duplicate'>;
    if (!order || order.channelId !== c.channelId) outcome = 'unknown_order';
    else if (!c.paid) outcome = 'failed_payment';
    else if (order.status === 'paid') outcome = order.channelTradeNo === c.channelTradeNo ? 'applied' : 'already_paid';
    else if (c.amount === null || c.amount !== order.amount) outcome = 'amount_mismatch';
    else if (order.status === 'expired' || order.expiresAt.getTime() < Date.now() - 5 * 60_000) outcome = 'expired_order';
    else outcome = 'applied';

    const inserted = await tx
      .insert(paymentNotifications)
      .values({ channelId: c.channelId, dedupeKey: c.dedupeKey, orderNo: c.orderNo, channelTradeNo: c.channelTradeNo, amount: c.amount, outcome, detail: c.detail ?? null })
      .onConflictDoNothing()
      .returning({ id: paymentNotifications.id });
    if (inserted.length === 0) return 'duplicate';
    if (!order) return outcome;

    if (outcome === 'failed_payment' && order.status === 'pending') {
      await tx.update(paymentOrders).set({ status: 'failed', updatedAt: sql`now()` }).where(eq(paymentOrders.id, order.id));
    }
    if (outcome === 'applied' && order.status !== 'paid') {
      const definition = purposes[order.purpose];
      if (!definition) throw new Error(`no purpose definition for ${order.purpose}`);
      await tx
        .update(paymentOrders)
        .set({ status: 'paid', channelTradeNo: c.channelTradeNo, paidAt: c.paidAt ?? sql`now()`, updatedAt: sql`now()` })
        .where(eq(paymentOrders.id, order.id));
      await post(tx, {
        idempotencyKey: `payment:${order.orderNo}`,
        kind: 'payment',
        sourceType: 'payment_order',
        sourceId: String(order.id),
        memo: `${definition.label} ${formatYuan(order.amount)}`,
        postings: [
          { account: 'channel:clearing', amount: order.amount },
          { account: definition.feeAccount, amount: -order.amount },
        ],
      });
      await emitEvents(tx, [
        {
          type: 'payment_confirmed',
          subject: `payment_order:${order.id}`,
          payload: {
            orderId: order.id,
            orderNo: order.orderNo,
            memberId: order.memberId,
            purpose: order.purpose,
            purposeRef: order.purposeRef,
            amountFen: order.amount.toString(),
            channelId: order.channelId,
            paidAt: (c.paidAt ?? new Date()).toISOString(),
          },
        },
      ]);
    }
    return outcome;
  });
}

/** Pending orders past their time become expired (a late confirmation is then reported, not applied). */
export async function expireOrders(db: Db): Promise<number> {
  const rows = await queryRows<{ id: unknown }>(db, sql`
    update payment_orders set status = 'expired', updated_at = now()
    where status = 'pending' and expires_at < now() returning id`);
  return rows.length;
}

export async function getOrder(db: Db, orderNo: string, memberId?: number): Promise<PaymentOrder> {
  const [order] = await db
    .select()
    .from(paymentOrders)
    .where(memberId === undefined ? eq(paymentOrders.orderNo, orderNo) : and(eq(paymentOrders.orderNo, orderNo), eq(paymentOrders.memberId, memberId)));
  if (!order) throw notFound('Payment order');
  return order;
}

export async function listOrders(db: Db, filter: { memberId?: number | undefined; before?: number | undefined; limit: number }) {
  const where = [];
  if (filter.memberId !== undefined) where.push(eq(paymentOrders.memberId, filter.memberId));
  if (filter.before !== undefined) where.push(lt(paymentOrders.id, filter.before));
  const rows = await db.select().from(paymentOrders).where(where.length ? and(...where) : undefined).orderBy(desc(paymentOrders.id)).limit(filter.limit + 1);
  const items = rows.slice(0, filter.limit);
  return { items, nextCursor: rows.length > filter.limit ? String(items.at(-1)!.id) : null };
}

/** Confirmations that changed nothing and need a person: unknown or expired orders, double payments, wrong amounts. */
export async function listAnomalies(db: Db, limit = 200) {
  return db
    .select()
    .from(paymentNotifications)
    .where(sql`${paymentNotifications.outcome} in ('unknown_order', 'expired_order', 'already_paid', 'amount_mismatch')`)
    .orderBy(desc(paymentNotifications.id))
    .limit(limit);
}
