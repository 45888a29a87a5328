import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import type { FieldCipher } from '../../lib/crypto.js';
import { AppError, notFound } from '../../lib/errors.js';
import { type Fen, formatYuan } from '../../lib/money.js';
import { defineStateMachine } from '../../lib/state-machine.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { post, type PostingInput, walletBalance } from '../ledger/ledger.service.js';
import { members } from '../members/members.schema.js';
import { readSettings } from '../settings/settings.service.js';
import { quoteFee, withdrawalSettingsDef } from './withdrawal-settings.js';
import { type Withdrawal, withdrawalEvents, withdrawals, type WithdrawalStatus } from './withdrawals.schema.js';

export const withdrawalMachine = defineStateMachine<WithdrawalStatus>('withdrawal', {
  requested: ['approved', 'rejected'],
  approved: ['paying'],
  paying: ['paid', 'failed'],
  rejected: [],
  paid: [],
  failed: [],
});

/** The money each transition moves; statuses without an entry move none. */
function postingsFor(w: Withdrawal, to: WithdrawalStatus): PostingInput[] | null {
  const m = w.memberId;
  switch (to) {
    case 'rejected':
    case 'failed':
      return [
        { account: 'wallet:withdrawing', memberId: m, amount: -w.amount },
        { account: 'wallet:available', memberId: m, amount: w.amount },
      ];
    case 'paid': {
      const out: PostingInput[] = [
        { account: 'wallet:withdrawing', memberId: m, amount: -w.amount },
        { account: 'payouts:clearing', amount: w.net },
      ];
      if (w.fee > 0n) out.push({ account: 'fees:withdrawal', amount: w.fee });
      return out;
    }
    default:
      return null;
  }
}

const memoFor: Partial<Record<WithdrawalStatus, string>> = {
  rejected: '提现被驳回，资金退回可用余额',
  failed: '提现打款失败，资金退回可用余额',
  paid: '提现已打款',
};

/**
 * Applies one transition: checks it against the machine, updates the row only
 * if nobody changed it meanwhile, moves the money, and writes the history
 * (plus the audit log when staff act). Call inside a transaction.
 */
async function transition(
  tx: Db,
  w: Withdrawal,
  to: WithdrawalStatus,
  actor: AuditContext,
  extra: { reason?: string | null; channelRef?: string | null; batchId?: number | null } = {},
): Promise<Withdrawal> {
  withdrawalMachine.assert(w.status, to);
  const [updated] = await tx
    .update(withdrawals)
    .set({
      status: to,
      updatedAt: sql`now()`,
      ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
      ...(extra.channelRef !== undefined ? { channelRef: extra.channelRef } : {}),
      ...(extra.batchId !== undefined ? { batchId: extra.batchId } : {}),
    })
    .where(and(eq(withdrawals.id, w.id), eq(withdrawals.status, w.status)))
    .returning();
  if (!updated) throw new AppError('CONFLICT', `Withdrawal ${w.id} was changed meanwhile; reload it`);
  const postings = postingsFor(updated, to);
  if (postings) {
    await post(tx, {
      idempotencyKey: `withdrawal:${w.id}:${to}`,
      kind: to === 'paid' ? 'withdrawal_paid' : to === 'rejected' ? 'withdrawal_reject' : 'withdrawal_failed',
      sourceType: 'withdrawal',
      sourceId: String(w.id),
      memo: memoFor[to],
      postings,
    });
  }
  await tx.insert(withdrawalEvents).values({
    withdrawalId: w.id,
    fromStatus: w.status,
    toStatus: to,
    actorKind: actor.actorKind,
    actorId: actor.actorId,
    reason: extra.reason ?? null,
  });
  // Every transition is audited, whoever made it (finance, the member, or the payout job).
  await recordAudit(tx, actor, {
    action: `withdrawal.${to}`,
    targetType: 'withdrawal',
    targetId: w.id,
    before: { status: w.status },
    after: { status: to, ...(extra.channelRef ? { channelRef: extra.channelRef } : {}), ...(extra.batchId ? { batchId: extra.batchId } : {}) },
    reason: extra.reason ?? null,
  });
  return updated;
}

export interface WithdrawalRequest {
  memberId: number;
  idempotencyKey: string;
  amount: Fen;
  payee: { name: string; bank: string; account: string };
  ip?: string | null;
  requestId?: string | null;
}

/**
 * A member asks to withdraw. Under the member's wallet lock (so parallel
 * requests queue instead of overdrawing): replay check, status, negative
 * balance, minimum, daily limits, funds; then available → withdrawing.
 * Amounts below the review threshold are approved at once.
 */
export async function requestWithdrawal(
  db: Db,
  cipher: FieldCipher,
  timezone: string,
  input: WithdrawalRequest,
): Promise<{ withdrawal: Withdrawal; replayed: boolean }> {
  const { value: settings } = await readSettings(db, withdrawalSettingsDef);
  return db.transaction(async (tx) => {
    const [member] = await tx.select({ status: members.status }).from(members).where(eq(members.id, input.memberId));
    if (!member) throw notFound('Member');
    const balance = await walletBalance(tx, input.memberId, { lock: true });

    const [existing] = await tx
      .select()
      .from(withdrawals)
      .where(and(eq(withdrawals.memberId, input.memberId), eq(withdrawals.idempotencyKey, input.idempotencyKey)));
    if (existing) {
      const sameRequest =
        existing.amount === input.amount &&
        existing.payeeName === input.payee.name &&
        existing.payeeBank === input.payee.bank &&
        cipher.decrypt(existing.payeeAccountEnc) === input.payee.account;
      if (!sameRequest) throw new AppError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used for a different withdrawal');
      return { withdrawal: existing, replayed: true };
    }

    if (member.status !== 'active') throw new AppError('ACCOUNT_DISABLED', 'This account may not withdraw while it is suspended');
    if (balance.available < 0n) {
      throw new AppError('NEGATIVE_BALANCE', `Your available balance is negative (${formatYuan(balance.available)}); it must be repaid by earnings first`);
    }
    if (input.amount < settings.minAmountFen) {
      throw new AppError('BAD_REQUEST', `The minimum withdrawal is ${formatYuan(settings.minAmountFen)} yuan`, { minAmountFen: settings.minAmountFen.toString() });
    }
    const { fee, net } = quoteFee(settings, input.amount);
    if (net <= 0n) throw new AppError('BAD_REQUEST', 'The amount does not cover the fee');

    const [today] = await queryRows<{ count: unknown; total: unknown }>(tx, sql`
      select count(*) as count, coalesce(sum(amount), 0) as total from withdrawals
      where member_id = ${input.memberId} and status not in ('rejected', 'failed')
        and requested_at >= date_trunc('day', now() at time zone ${timezone}) at time zone ${timezone}`);
    if (Number(today!.count) >= settings.dailyCount) {
      throw new AppError('LIMIT_EXCEEDED', `At most ${settings.dailyCount} withdrawals per day`, { dailyCount: settings.dailyCount });
    }
    const todayTotal = BigInt(String(today!.total));
    if (todayTotal + input.amount > settings.dailyAmountFen) {
      throw new AppError('LIMIT_EXCEEDED', `At most ${formatYuan(settings.dailyAmountFen)} yuan per day; ${formatYuan(settings.dailyAmountFen - todayTotal)} left today`, {
        remainingFen: (settings.dailyAmountFen - todayTotal).toString(),
      });
    }
    if (balance.available < input.amount) {
      throw new AppError('INSUFFICIENT_FUNDS', `Available balance ${formatYuan(balance.available)} is less than ${formatYuan(input.amount)}`, {
        availableFen: balance.available.toString(),
      });
    }

    const reviewRequired = input.amount >= settings.reviewThresholdFen;
    const [created] = await tx
      .insert(withdrawals)
      .values({
        memberId: input.memberId,
        idempotencyKey: input.idempotencyKey,
        amount: input.amount,
        fee,
        net,
        status: 'requested',
        reviewRequired,
        channel: settings.payoutChannel,
        payeeName: input.payee.name,
        payeeBank: input.payee.bank,
        payeeAccountEnc: cipher.encrypt(input.payee.account),
        payeeAccountLast4: input.payee.account.slice(-4),
      })
      .returning();
    await post(tx, {
      idempotencyKey: `withdrawal:${created!.id}:requested`,
      kind: 'withdrawal_request',
      sourceType: 'withdrawal',
      sourceId: String(created!.id),
      memo: `提现申请 ${formatYuan(input.amount)}（手续费 ${formatYuan(fee)}）`,
      postings: [
        { account: 'wallet:available', memberId: input.memberId, amount: -input.amount },
        { account: 'wallet:withdrawing', memberId: input.memberId, amount: input.amount },
      ],
    });
    await tx.insert(withdrawalEvents).values({ withdrawalId: created!.id, fromStatus: null, toStatus: 'requested', actorKind: 'member', actorId: input.memberId });
    await recordAudit(tx, { actorKind: 'member', actorId: input.memberId, ip: input.ip ?? null, requestId: input.requestId ?? null }, {
      action: 'withdrawal.requested',
      targetType: 'withdrawal',
      targetId: created!.id,
      after: { status: 'requested', amount: input.amount.toString(), fee: fee.toString(), reviewRequired },
    });
    const withdrawal = reviewRequired
      ? created!
      : await transition(tx, created!, 'approved', { actorKind: 'system', actorId: null, ip: null, requestId: 'auto-approve' }, { reason: '低于复核金额，自动通过' });
    return { withdrawal, replayed: false };
  });
}

async function lockWithdrawal(tx: Db, id: number): Promise<Withdrawal> {
  const [w] = await tx.select().from(withdrawals).where(eq(withdrawals.id, id)).for('update');
  if (!w) throw notFound('Withdrawal');
  return w;
}

export async function approveWithdrawal(db: Db, audit: AuditContext, id: number): Promise<Withdrawal> {
  return db.transaction(async (tx) => transition(tx, await lockWithdrawal(tx, id), 'approved', audit));
}

export async function rejectWithdrawal(db: Db, audit: AuditContext, id: number, reason: string): Promise<Withdrawal> {
  return db.transaction(async (tx) => transition(tx, await lockWithdrawal(tx, id), 'rejected', audit, { reason }));
}

/**
 * Pays approved withdrawals of a channel that pays by API (the sandbox):
 * claim them (approved → paying) in one short transaction, call the channel
 * outside any transaction, then record paid or failed. Withdrawals left in
 * paying by a crash are picked up again after `staleAfterSeconds`.
 */
export async function processApiPayouts(
  db: Db,
  channel: { name: string; pay(w: Withdrawal): Promise<{ ok: true; reference: string } | { ok: false; reason: string }> },
  options: { ids?: number[]; limit?: number; staleAfterSeconds?: number } = {},
): Promise<{ paid: number; failed: number }> {
  const system: AuditContext = { actorKind: 'system', actorId: null, ip: null, requestId: `payout:${channel.name}` };
  const claimed = await db.transaction(async (tx) => {
    const rows = await queryRows<{ id: string | number }>(tx, sql`
      select id from withdrawals
      where channel = ${channel.name}
        and (status = 'approved' or (status = 'paying' and updated_at < now() - make_interval(secs => ${options.staleAfterSeconds ?? 300})))
        ${options.ids ? sql`and id = any(${sql.param(options.ids.map(String))}::bigint[])` : sql``}
      order by id limit ${options.limit ?? 100} for update skip locked`);
    const out: Withdrawal[] = [];
    for (const r of rows) {
      const w = await lockWithdrawal(tx, Number(r.id));
      out.push(w.status === 'approved' ? await transition(tx, w, 'paying', system) : w);
    }
    return out;
  });
  let paid = 0;
  let failed = 0;
  for (const w of claimed) {
    const outcome = await channel.pay(w);
    await db.transaction(async (tx) => {
      const current = await lockWithdrawal(tx, w.id);
      if (current.status !== 'paying') return; // finished by another worker meanwhile
      if (outcome.ok) {
        await transition(tx, current, 'paid', system, { channelRef: outcome.reference });
        paid++;
      } else {
        await transition(tx, current, 'failed', system, { reason: outcome.reason });
        failed++;
      }
    });
  }
  return { paid, failed };
}

export async function getWithdrawal(db: Db, id: number, memberId?: number) {
  const [w] = await db
    .select()
    .from(withdrawals)
    .where(memberId === undefined ? eq(withdrawals.id, id) : and(eq(withdrawals.id, id), eq(withdrawals.memberId, memberId)));
  // Another member's withdrawal is "not found", not "forbidden": its existence is not the caller's business.
  if (!w) throw notFound('Withdrawal');
  const events = await db.select().from(withdrawalEvents).where(eq(withdrawalEvents.withdrawalId, id)).orderBy(asc(withdrawalEvents.id));
  return { withdrawal: w, events };
}

export async function listWithdrawals(
  db: Db,
  filter: { memberId?: number | undefined; statuses?: WithdrawalStatus[] | undefined; before?: number | undefined; limit: number },
) {
  const where = [];
  if (filter.memberId !== undefined) where.push(eq(withdrawals.memberId, filter.memberId));
  if (filter.statuses?.length) where.push(inArray(withdrawals.status, filter.statuses));
  if (filter.before !== undefined) where.push(lt(withdrawals.id, filter.before));
  const rows = await db.select().from(withdrawals).where(where.length ? and(...where) : undefined).orderBy(desc(withdrawals.id)).limit(filter.limit + 1);
  const items = rows.slice(0, filter.limit);
  return { items, nextCursor: rows.length > filter.limit ? String(items.at(-1)!.id) : null };
}

const tooManyRows = (max: number) => new AppError('BAD_REQUEST', `符合条件的记录超过 ${max} 行，请缩小筛选范围后再导出 / More than ${max} rows match: narrow the filters`);

/** A withdrawal as a CSV export row needs it: with its member's name and phone (raw; the caller masks). */
export type ExportedWithdrawal = Withdrawal & { memberName: string | null; memberPhone: string | null };

/**
 * Every withdrawal the admin list's filter selects, newest first, read in
 * keyset pages of the list itself. More than `max` is refused (400) rather
 * than cut short: a silently truncated export would look complete.
 */
export async function exportWithdrawals(db: Db, filter: { statuses?: WithdrawalStatus[] | undefined }, max: number): Promise<ExportedWithdrawal[]> {
  const out: ExportedWithdrawal[] = [];
  let before: number | undefined;
  do {
    const page = await listWithdrawals(db, { ...filter, before, limit: Math.min(1000, max + 1 - out.length) });
    const ids = [...new Set(page.items.map((w) => w.memberId))];
    const names = new Map(
      (ids.length ? await db.select({ id: members.id, name: members.displayName, phone: members.phone }).from(members).where(inArray(members.id, ids)) : []).map((m) => [m.id, m]),
    );
    for (const w of page.items) out.push({ ...w, memberName: names.get(w.memberId)?.name ?? null, memberPhone: names.get(w.memberId)?.phone ?? null });
    if (out.length > max) throw tooManyRows(max);
    before = page.nextCursor === null ? undefined : Number(page.nextCursor);
  } while (before !== undefined);
  return out;
}

export { transition as applyWithdrawalTransition, lockWithdrawal };
