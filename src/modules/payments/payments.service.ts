import crypto from 'node:crypto';
import { and, desc, eq, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError, notFound } from '../../lib/errors.js';
import { formatYuan, type Fen } from '../../lib/money.js';
import type { PlatformAccount } from '../ledger/ledger.schema.js';
import { post } from '../ledger/ledger.service.js';
import { emitEvents } from '../outbox/outbox.service.js';
import { members } from '../members/members.schema.js';
import { type OrderStatus, type PaymentOrder, paymentNotifications, paymentOrders, type PaymentPurpose } from './payments.schema.js';

/**
 * What a purpose costs, where its money goes and what it does once paid.
 * The module that owns the purpose (onboarding, levels) registers it, so
 * payments never need to know about applications or ladders.
 */
export interface PurposeDefinition {
  feeAccount: PlatformAccount;
  label: string;
  /** The price now; throws (4xx) when the member may not buy this now. Runs in the order's transaction. */
  price(tx: Db, memberId: number, purposeRef: string | null): Promise<{ amount: Fen; ttlMinutes: number }>;
  /** A pending, unexpired order for the same thing is handed out again instead of a second one. */
  reusePending?: boolean;
  /** Side effects of opening an order (e.g. the application moves to fee_pending), in the order's transaction. */
  onOrderCreated?(tx: Db, order: PaymentOrder): Promise<void>;
  /** What the payment buys, applied in the same transaction as the confirmation and its ledger entry. */
  onConfirmed?(tx: Db, order: PaymentOrder, paidAt: Date): Promise<void>;
}

const purposes: Partial<Record<PaymentPurpose, PurposeDefinition>> = {};

/** Owners of a purpose register it when their module loads (onboarding: entry_fee; levels: level_purchase). */
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
  return db.transaction(async (tx) => {
    // One order at a time per member and purpose: serialise concurrent clicks.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`order:${input.memberId}:${input.purpose}`}, 0))`);
    const { amount, ttlMinutes } = await definition.price(tx, input.memberId, input.purposeRef ?? null);
    if (definition.reusePending) {
      const [open] = await tx
        .select()
        .from(paymentOrders)
        .where(
          and(
            eq(paymentOrders.memberId, input.memberId),
            eq(paymentOrders.purpose, input.purpose),
            eq(paymentOrders.channelId, input.channelId),
            eq(paymentOrders.status, 'pending'),
            eq(paymentOrders.amount, amount),
            sql`${paymentOrders.purposeRef} is not distinct from ${input.purposeRef ?? null}`,
            sql`${paymentOrders.expiresAt} > now() + interval '2 minutes'`,
          ),
        )
        .orderBy(desc(paymentOrders.id))
        .limit(1);
      if (open) return open;
    }
    const [order] = await tx
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
    await definition.onOrderCreated?.(tx, order!);
    return order!;
  });
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
      const paidAt = c.paidAt ?? new Date();
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
            paidAt: paidAt.toISOString(),
          },
        },
      ]);
      await definition.onConfirmed?.(tx, { ...order, status: 'paid', channelTradeNo: c.channelTradeNo, paidAt }, paidAt);
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

export interface OrderFilter {
  memberId?: number | undefined;
  status?: OrderStatus | undefined;
  purpose?: PaymentPurpose | undefined;
  channelId?: string | undefined;
  /** An order number or a member's phone, matched exactly (see orderSearch). */
  q?: string | undefined;
  /** Created at or after / before; paid at or after / before (an unpaid order has no paid time, so a paid range leaves it out). */
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
  paidFrom?: Date | undefined;
  paidTo?: Date | undefined;
  /** Keyset cursor: orders with a smaller id (older) than this. */
  before?: number | undefined;
  limit: number;
}

const phoneShape = /^1[3-9]\d{9}$/;

/**
 * Search by an exact order number or an exact member phone. Order numbers are
 * ours ("SL…") and never look like a phone, so the shape of the text picks the
 * lookup: each one is then a unique-index probe (payment_orders_order_no, or
 * members_phone_key into payment_orders_member_idx) instead of an OR that
 * would scan the table.
 */
function orderSearch(q: string): SQL {
  // A phone is unique: a scalar subquery, so the planner probes the member index with its one id.
  if (phoneShape.test(q)) return sql`${paymentOrders.memberId} = (select ${members.id} from ${members} where ${members.phone} = ${q})`;
  return eq(paymentOrders.orderNo, q);
}

/** Orders newest first (by id), filtered, one keyset page at a time: `nextCursor` is the last id shown. */
export async function listOrders(db: Db, filter: OrderFilter) {
  const where: SQL[] = [];
  if (filter.memberId !== undefined) where.push(eq(paymentOrders.memberId, filter.memberId));
  if (filter.status !== undefined) where.push(eq(paymentOrders.status, filter.status));
  if (filter.purpose !== undefined) where.push(eq(paymentOrders.purpose, filter.purpose));
  if (filter.channelId !== undefined) where.push(eq(paymentOrders.channelId, filter.channelId));
  if (filter.q !== undefined) where.push(orderSearch(filter.q));
  if (filter.createdFrom) where.push(gte(paymentOrders.createdAt, filter.createdFrom));
  if (filter.createdTo) where.push(lt(paymentOrders.createdAt, filter.createdTo));
  if (filter.paidFrom) where.push(gte(paymentOrders.paidAt, filter.paidFrom));
  if (filter.paidTo) where.push(lt(paymentOrders.paidAt, filter.paidTo));
  if (filter.before !== undefined) where.push(lt(paymentOrders.id, filter.before));
  const rows = await db.select().from(paymentOrders).where(where.length ? and(...where) : undefined).orderBy(desc(paymentOrders.id)).limit(filter.limit + 1);
  const items = rows.slice(0, filter.limit);
  return { items, nextCursor: rows.length > filter.limit ? String(items.at(-1)!.id) : null };
}

/** An order as a CSV export row needs it: with its member's name and phone (raw; the caller masks). */
export type ExportedOrder = PaymentOrder & { memberName: string | null; memberPhone: string | null };

/**
 * Every order the admin list's filters select, newest first, read in keyset
 * pages of the list itself. More than `max` is refused (400) rather than cut
 * short: a silently truncated export would look complete.
 */
export async function exportOrders(db: Db, filter: Omit<OrderFilter, 'before' | 'limit'>, max: number): Promise<ExportedOrder[]> {
  const out: ExportedOrder[] = [];
  let before: number | undefined;
  do {
    const page = await listOrders(db, { ...filter, before, limit: Math.min(1000, max + 1 - out.length) });
    const ids = [...new Set(page.items.map((o) => o.memberId))];
    const names = new Map(
      (ids.length ? await db.select({ id: members.id, name: members.displayName, phone: members.phone }).from(members).where(inArray(members.id, ids)) : []).map((m) => [m.id, m]),
    );
    for (const o of page.items) out.push({ ...o, memberName: names.get(o.memberId)?.name ?? null, memberPhone: names.get(o.memberId)?.phone ?? null });
    if (out.length > max) throw new AppError('BAD_REQUEST', `符合条件的记录超过 ${max} 行，请缩小筛选范围后再导出 / More than ${max} rows match: narrow the filters`);
    before = page.nextCursor === null ? undefined : Number(page.nextCursor);
  } while (before !== undefined);
  return out;
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
