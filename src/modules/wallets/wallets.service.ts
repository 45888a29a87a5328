import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import type { Fen } from '../../lib/money.js';
import type { PlatformAccount } from '../ledger/ledger.schema.js';
import { type EntryInput, postBatch, type PostResult } from '../ledger/ledger.service.js';

/**
 * Paying members: credits (into frozen with a release time, or straight into
 * available), the release job, and clawback of everything a source produced.
 */
export interface CreditInput {
  idempotencyKey: string;
  memberId: number;
  amount: Fen;
  /** The platform account that pays (e.g. rewards:expense). */
  from: PlatformAccount;
  sourceType: string;
  sourceId: string;
  memo?: string | undefined;
  /** Set: the credit waits in frozen until then. Unset: straight to available. */
  releaseAt?: Date | undefined;
  /** The entry's kind in statements and reports (default: credit). */
  kind?: 'credit' | 'dividend' | undefined;
}

export async function credit(tx: Db, input: CreditInput): Promise<PostResult> {
  return (await creditBatch(tx, [input]))[0]!;
}

/** Many credits in one go: one ledger batch plus one insert of their frozen lots. */
export async function creditBatch(tx: Db, inputs: CreditInput[]): Promise<PostResult[]> {
  for (const c of inputs) if (c.amount <= 0n) throw new AppError('BAD_REQUEST', 'A credit must be positive');
  const entries: EntryInput[] = inputs.map((c) => ({
    idempotencyKey: c.idempotencyKey,
    kind: c.kind ?? 'credit',
    sourceType: c.sourceType,
    sourceId: c.sourceId,
    memo: c.memo,
    postings: [
      { account: c.releaseAt ? 'wallet:frozen' : 'wallet:available', memberId: c.memberId, amount: c.amount },
      { account: c.from, amount: -c.amount },
    ],
  }));
  const results = await postBatch(tx, entries);
  const lots = inputs.map((c, i) => ({ c, r: results[i]! })).filter(({ c, r }) => r.created && c.releaseAt);
  if (lots.length > 0) {
    await tx.execute(sql`
      insert into frozen_lots (member_id, entry_id, source_type, source_id, amount, remaining, release_at)
      select m, e, st, si, a, a, r from unnest(
        ${sql.param(lots.map(({ c }) => String(c.memberId)))}::bigint[],
        ${sql.param(lots.map(({ r }) => String(r.entryId)))}::bigint[],
        ${sql.param(lots.map(({ c }) => c.sourceType))}::text[],
        ${sql.param(lots.map(({ c }) => c.sourceId))}::text[],
        ${sql.param(lots.map(({ c }) => c.amount.toString()))}::bigint[],
        ${sql.param(lots.map(({ c }) => c.releaseAt!.toISOString()))}::timestamptz[]) as t(m, e, st, si, a, r)`);
  }
  return results;
}

/**
 * Moves due frozen lots to available, a batch per transaction. Safe to run in
 * several processes at once: lots are claimed with SKIP LOCKED and every
 * release has its own idempotency key. Resumable: it only ever looks at open lots.
 */
export async function releaseDue(db: Db, options: { now?: Date; batchSize?: number; maxBatches?: number } = {}): Promise<{ released: number; amount: Fen }> {
  const batchSize = options.batchSize ?? 500;
  let released = 0;
  let amount = 0n;
  for (let batch = 0; batch < (options.maxBatches ?? Number.MAX_SAFE_INTEGER); batch++) {
    const done = await db.transaction(async (tx) => {
      const lots = await queryRows<{ id: number | string; member_id: number | string; remaining: unknown; source_type: string; source_id: string }>(tx, sql`
        select id, member_id, remaining, source_type, source_id from frozen_lots
        where closed_at is null and release_at <= ${(options.now ?? new Date()).toISOString()}::timestamptz
        order by release_at, id limit ${batchSize} for update skip locked`);
      if (lots.length === 0) return null;
      const entries: EntryInput[] = lots.map((l) => {
        const value = BigInt(String(l.remaining));
        return {
          idempotencyKey: `release:lot:${l.id}`,
          kind: 'release',
          sourceType: l.source_type,
          sourceId: l.source_id,
          memo: '冻结期满，转入可用余额',
          postings: [
            { account: 'wallet:frozen', memberId: Number(l.member_id), amount: -value },
            { account: 'wallet:available', memberId: Number(l.member_id), amount: value },
          ],
        };
      });
      await postBatch(tx, entries);
      await tx.execute(sql`
        update frozen_lots set remaining = 0, closed_at = now(), closed_by = 'release'
        where id = any(${sql.param(lots.map((l) => String(l.id)))}::bigint[])`);
      return { count: lots.length, amount: lots.reduce((s, l) => s + BigInt(String(l.remaining)), 0n) };
    });
    if (!done) break;
    released += done.count;
    amount += done.amount;
    if (done.count < batchSize) break;
  }
  return { released, amount };
}

/**
 * Reverses every posting that a source produced (e.g. the rewards of a
 * refunded transaction). Wallet credits come back from frozen while their lot
 * is still frozen, otherwise from available, which may go negative; the
 * negative balance then blocks withdrawals until later earnings repay it.
 * Once per source: a second call returns the first reversal. (A source is
 * one refunded transaction or event, so nothing credits it after its clawback.)
 */
export async function clawback(
  tx: Db,
  input: { sourceType: string; sourceId: string; memo?: string },
): Promise<{ entryId: number | null; created: boolean; reversed: Fen }> {
  const key = `clawback:${input.sourceType}:${input.sourceId}`;
  // One clawback of a source at a time: a concurrent second call waits here
  // and then finds the first one's entry instead of recomputing a reversal
  // that would differ (the lots the first closed no longer look frozen).
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
  const [done] = await queryRows<{ id: number | string; reversed: unknown }>(tx, sql`
    select e.id, coalesce(-(select sum(p.amount) from ledger_postings p where p.entry_id = e.id and p.member_id is not null), 0) as reversed
    from ledger_entries e where e.idempotency_key = ${key}`);
  if (done) return { entryId: Number(done.id), created: false, reversed: BigInt(String(done.reversed)) };
  const postings = await queryRows<{ account: string; member_id: number | string | null; amount: unknown; entry_id: number | string }>(tx, sql`
    select p.account, p.member_id, p.amount, p.entry_id
    from ledger_entries e join ledger_postings p on p.entry_id = e.id
    where e.source_type = ${input.sourceType} and e.source_id = ${input.sourceId} and e.kind not in ('clawback', 'release')
    order by p.id`);
  if (postings.length === 0) return { entryId: null, created: false, reversed: 0n };

  // Lots of this source still frozen: their credit comes back from frozen. Locked so the release job cannot race us.
  const openLots = await queryRows<{ id: number | string; entry_id: number | string; member_id: number | string; remaining: unknown }>(tx, sql`
    select id, entry_id, member_id, remaining from frozen_lots
    where source_type = ${input.sourceType} and source_id = ${input.sourceId} and closed_at is null
    order by id for update`);
  const frozenByEntryMember = new Map(openLots.map((l) => [`${l.entry_id}:${l.member_id}`, BigInt(String(l.remaining))]));

  let reversed = 0n;
  const out: EntryInput['postings'] = [];
  for (const p of postings) {
    const amount = -BigInt(String(p.amount));
    if (p.member_id === null) {
      out.push({ account: p.account as PlatformAccount, amount });
      continue;
    }
    const memberId = Number(p.member_id);
    if (p.account === 'wallet:frozen' || p.account === 'wallet:available') {
      // A credit (amount > 0 originally): take it back from frozen if its lot is still open, else from available.
      const open = frozenByEntryMember.get(`${p.entry_id}:${memberId}`) ?? 0n;
      const fromFrozen = p.account === 'wallet:frozen' ? (open < -amount ? open : -amount) : 0n;
      if (fromFrozen > 0n) out.push({ account: 'wallet:frozen', memberId, amount: -fromFrozen });
      const rest = amount + fromFrozen;
      if (rest !== 0n) out.push({ account: 'wallet:available', memberId, amount: rest });
      if (amount < 0n) reversed += -amount;
    } else {
      out.push({ account: p.account as 'wallet:withdrawing', memberId, amount });
    }
  }
  const [result] = await postBatch(tx, [
    { idempotencyKey: key, kind: 'clawback', sourceType: input.sourceType, sourceId: input.sourceId, memo: input.memo ?? '来源退款，收回奖励', postings: out },
  ]);
  if (result!.created && openLots.length > 0) {
    await tx.execute(sql`
      update frozen_lots set remaining = 0, closed_at = now(), closed_by = 'clawback'
      where id = any(${sql.param(openLots.map((l) => String(l.id)))}::bigint[])`);
  }
  return { entryId: result!.entryId, created: result!.created, reversed };
}
