import { eq, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError, notFound } from '../../lib/errors.js';
import { type AuditContext, recordAudit, systemAuditContext } from '../audit/audit.service.js';
import { onboardingApplications } from '../onboarding/onboarding.schema.js';
import { emitEvents } from '../outbox/outbox.service.js';
import type { PaymentOrder } from '../payments/payments.schema.js';
import { registerPurpose } from '../payments/payments.service.js';
import { readSettings } from '../settings/settings.service.js';
import { levelById, levelOf, purchasePrice } from './ladder.js';
import { readLadderForChange } from './ladder.service.js';
import { levelSettingsDef } from './level-settings.js';
import { levels } from './levels.schema.js';
import { applyLevelChanges, memberLevelRows, recordUnchanged } from './member-level.service.js';
import { evaluateParentsOf } from './upgrades.service.js';

const ORDER_TTL_MINUTES = 30;

/** Only members whose onboarding is complete (entry fee paid) buy levels. */
export async function isOnboarded(db: Db, memberId: number): Promise<boolean> {
  const [app] = await db.select({ state: onboardingApplications.state }).from(onboardingApplications).where(eq(onboardingApplications.memberId, memberId));
  return app?.state === 'active';
}

const lockedLevelRow = async (tx: Db, memberId: number) => (await memberLevelRows(tx, [memberId], true)).get(memberId);

function levelIdOf(purposeRef: string | null): number {
  if (purposeRef === null || !/^[1-9]\d{0,15}$/.test(purposeRef)) throw new AppError('BAD_REQUEST', 'purposeRef must be the id of the level to buy');
  return Number(purposeRef);
}

/**
 * Level purchase (购买升级) as a payment purpose: `purposeRef` is the target
 * level's id. The price is decided when the order is opened; confirmation
 * applies it in the payment's own transaction.
 */
registerPurpose('level_purchase', {
  feeAccount: 'fees:level',
  label: '等级购买',
  reusePending: true,
  async price(tx, memberId, purposeRef) {
    const levelId = levelIdOf(purposeRef);
    if (!(await isOnboarded(tx, memberId))) throw new AppError('CONFLICT', '完成入驻（进件审核并支付入驻费）后才能购买等级');
    const ladder = await readLadderForChange(tx);
    const target = levelById(ladder, levelId);
    if (!target) throw notFound('Level');
    const current = levelOf(ladder, (await lockedLevelRow(tx, memberId))?.levelId);
    const details = { levelId: target.id, currentLevelId: current.id };
    if (!target.enabled) throw new AppError('CONFLICT', `「${target.name}」已停用，不能购买`, details);
    if (target.priceFen <= 0n) throw new AppError('CONFLICT', `「${target.name}」不开放购买`, details);
    if (target.rank <= current.rank) throw new AppError('CONFLICT', `当前等级「${current.name}」已不低于「${target.name}」`, details);
    const { value: settings } = await readSettings(tx, levelSettingsDef);
    const amount = purchasePrice(current, target, settings.upgradeByDifference);
    if (amount === null) throw new AppError('CONFLICT', `「${target.name}」与当前等级没有差价，无需购买`, details);
    // One open purchase at a time: two orders for different levels, both paid, would buy one of them for nothing.
    const [open] = await queryRows<{ purpose_ref: string; order_no: string }>(tx, sql`
      select purpose_ref, order_no from payment_orders
      where member_id = ${memberId} and purpose = 'level_purchase' and status = 'pending' and expires_at > now()
        and purpose_ref is distinct from ${purposeRef}
      limit 1`);
    if (open) throw new AppError('CONFLICT', '已有一笔未完成的等级购买订单，请先完成支付或等待其过期', { ...details, pendingOrderNo: open.order_no, pendingLevelId: Number(open.purpose_ref) });
    return { amount, ttlMinutes: ORDER_TTL_MINUTES };
  },
  async onConfirmed(tx, order, paidAt) {
    await applyPurchase(tx, order, paidAt);
  },
});

/**
 * What a confirmed purchase does, in the confirmation's transaction (which
 * runs once per order): the member rises to the bought level at once — or,
 * if it already stands there or higher, keeps its level and the purchase is
 * recorded for a refund. A purchase that raised the member protects the
 * bought level from downgrades, and `level_purchased` carries the amount paid.
 */
async function applyPurchase(tx: Db, order: PaymentOrder, paidAt: Date) {
  const ladder = await readLadderForChange(tx);
  const levelId = Number(order.purposeRef);
  const memberActor: AuditContext = { actorKind: 'member', actorId: order.memberId, ip: null, requestId: `payment:${order.orderNo}` };
  const current = levelOf(ladder, (await lockedLevelRow(tx, order.memberId))?.levelId);
  const bought = levelById(ladder, levelId);
  if (!bought) {
    // Removal is refused while orders are pending, so this needs a person: the money is booked, the level is gone.
    const [row] = await tx.select({ name: levels.name }).from(levels).where(eq(levels.id, levelId));
    await recordAudit(tx, systemAuditContext('payment-confirmation'), {
      action: 'levels.purchase_unapplied',
      targetType: 'payment_order',
      targetId: order.id,
      after: { orderNo: order.orderNo, levelId, levelName: row?.name ?? null },
      reason: '所购等级已不在等级体系中，需人工处理',
    });
    return;
  }
  let raised = false;
  if (bought.rank > current.rank) {
    const applied = await applyLevelChanges(
      tx,
      [{ memberId: order.memberId, fromLevelId: current.id, toLevelId: bought.id, reason: `购买「${bought.name}」（订单 ${order.orderNo}）` }],
      { guard: 'raise', cause: 'purchase', actor: memberActor, orderId: order.id },
    );
    raised = applied.length > 0;
  }
  if (!raised) {
    // Paid for a level the member already stands at or above: it bought nothing. The money is booked and
    // a person refunds it; no level_purchased (it must not earn anyone a reward) and the protection stays.
    await recordUnchanged(tx, {
      memberId: order.memberId,
      levelId: current.id,
      cause: 'purchase',
      actor: memberActor,
      reason: `购买「${bought.name}」（订单 ${order.orderNo}）时已达到该等级或更高，等级不变，待退款`,
      orderId: order.id,
    });
    await recordAudit(tx, systemAuditContext('payment-confirmation'), {
      action: 'levels.purchase_without_effect',
      targetType: 'payment_order',
      targetId: order.id,
      after: { orderNo: order.orderNo, memberId: order.memberId, boughtLevelId: bought.id, currentLevelId: current.id, amountFen: order.amount.toString() },
      reason: '所购等级不高于当前等级，需人工退款',
    });
    return;
  }
  await tx.execute(sql`update member_levels set purchased_level_id = ${bought.id}, purchased_at = ${paidAt.toISOString()}::timestamptz where member_id = ${order.memberId}`);
  await emitEvents(tx, [
    {
      type: 'level_purchased',
      subject: `member:${order.memberId}`,
      payload: {
        memberId: order.memberId,
        orderId: order.id,
        orderNo: order.orderNo,
        fromLevelId: current.id,
        toLevelId: bought.id,
        amountFen: order.amount.toString(),
        paidAt: paidAt.toISOString(),
      },
    },
  ]);
  if (raised) await evaluateParentsOf(tx, [order.memberId]);
}
