import { sql } from 'drizzle-orm';
import { type Db, intArrayLiteral, queryRows } from '../../db/client.js';
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
      insert into frozen_lots (entry_id, release_at)
      select * from unnest(
        ${`{${lots.map(({ r }) => r.entryId).join(',')}}`}::bigint[],
        ${sql.param(lots.map(({ c }) => c.releaseAt!.toISOString()))}::timestamptz[])`);
  }
  return results;
}

/**
 * Moves due frozen lots to available, a batch per transaction. Safe to run in
 * several processes at once: lots are claimed with SKIP LOCKED and every
 * release has its own idempotency key. Resumable: it only ever looks at open lots.
 * Returns the members' credits released (a lot holds one per member it credits) and their sum.
 */
export async function releaseDue(db: Db, options: { now?: Date; batchSize?: number; maxBatches?: number } = {}): Promise<{ released: number; amount: Fen }> {
  const batchSize = options.batchSize ?? 500;
  let released = 0;
  let amount = 0n;
  for (let batch = 0; batch < (options.maxBatches ?? Number.MAX_SAFE_INTEGER); batch++) {
    const done = await db.transaction(async (tx) => {
      const lots = await queryRows<{ entry_id: number | string }>(tx, sql`
        select entry_id from frozen_lots
        where closed_at is null and release_at <= ${(options.now ?? new Date()).toISOString()}::timestamptz
        order by release_at, entry_id limit ${batchSize} for update skip locked`);
      if (lots.length === 0) return null;
      const entryIds = `{${lots.map((l) => l.entry_id).join(',')}}`;
      // What each lot holds: its entry's frozen credits, per member.
      const held = await queryRows<{ entry_id: number | string; source_type: string; source_id: string; member_id: number | string; amount: unknown }>(tx, sql`
        select e.id as entry_id, e.source_type, e.source_id, p.member_id, sum(p.amount) as amount
        from ledger_entries e join ledger_postings p on p.entry_id = e.id and p.account = 'wallet:frozen'
        where e.id = any(${entryIds}::bigint[])
        group by e.id, e.source_type, e.source_id, p.member_id
        order by e.id, p.member_id`);
      const byEntry = new Map<string, EntryInput>();
      let total = 0n;
      let credits = 0;
      for (const h of held) {
        const value = BigInt(String(h.amount));
        if (value === 0n) continue;
        total += value;
        credits++;
        const key = String(h.entry_id);
        let entry = byEntry.get(key);
        if (!entry) {
          entry = { idempotencyKey: `release:entry:${key}`, kind: 'release', sourceType: h.source_type, sourceId: h.source_id, memo: '冻结期满，转入可用余额', postings: [] };
          byEntry.set(key, entry);
        }
        entry.postings.push({ account: 'wallet:frozen', memberId: Number(h.member_id), amount: -value }, { account: 'wallet:available', memberId: Number(h.member_id), amount: value });
      }
      await postBatch(tx, [...byEntry.values()]);
      await tx.execute(sql`update frozen_lots set closed_at = now(), closed_by = 'release' where entry_id = any(${entryIds}::bigint[])`);
      return { lots: lots.length, credits, amount: total };
    });
    if (!done) break;
    released += done.credits;
    amount += done.amount;
    if (done.lots < batchSize) break;
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
 *
 * Entries of kind `reward` are not indexed by source (see ledger.schema.ts):
 * the caller names them in `rewardEntryIds`, as its own records know them.
 * They are reversed only if they are reward entries of this source.
 */
export async function clawback(
  tx: Db,
  input: { sourceType: string; sourceId: string; rewardEntryIds?: number[]; memo?: string },
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
    from (
      -- Each part reads by key: the source index (which holds no reward entries), and the named entries by id.
      select id from ledger_entries
      where source_type = ${input.sourceType} and source_id = ${input.sourceId} and kind <> 'reward' and kind not in ('clawback', 'release')
      union
      select id from ledger_entries
      where id = any(${intArrayLiteral(input.rewardEntryIds ?? [])}::bigint[]) and kind = 'reward'
        and source_type = ${input.sourceType} and source_id = ${input.sourceId}) e
    join ledger_postings p on p.entry_id = e.id
    order by p.id`);
  if (postings.length === 0) return { entryId: null, created: false, reversed: 0n };

  // Entries of this source whose lot is still open: their credits come back from frozen. Locked so the release job cannot race us.
  const sourceEntries = `{${[...new Set(postings.map((p) => p.entry_id))].join(',')}}`;
  const openLots = await queryRows<{ entry_id: number | string }>(tx, sql`
    select entry_id from frozen_lots where entry_id = any(${sourceEntries}::bigint[]) and closed_at is null order by entry_id for update`);
  const frozenEntries = new Set(openLots.map((l) => String(l.entry_id)));

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
      if (p.account === 'wallet:frozen' && frozenEntries.has(String(p.entry_id))) out.push({ account: 'wallet:frozen', memberId, amount });
      else out.push({ account: 'wallet:available', memberId, amount });
      if (amount < 0n) reversed += -amount;
    } else {
      out.push({ account: p.account as 'wallet:withdrawing', memberId, amount });
    }
  }
  const [result] = await postBatch(tx, [
    { idempotencyKey: key, kind: 'clawback', sourceType: input.sourceType, sourceId: input.sourceId, memo: input.memo ?? '来源退款，收回奖励', postings: out },
  ]);
  if (result!.created && openLots.length > 0) {
    await tx.execute(sql`update frozen_lots set closed_at = now(), closed_by = 'clawback' where entry_id = any(${`{${[...frozenEntries].join(',')}}`}::bigint[])`);
  }
  return { entryId: result!.entryId, created: result!.created, reversed };
}
