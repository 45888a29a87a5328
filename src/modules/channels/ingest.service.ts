import crypto from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, intArrayLiteral, queryRows, queryRowsPrepared, textArrayLiteral } from '../../db/client.js';
import { canonicalInstant } from '../../lib/instants.js';
import { parseFen } from '../../lib/money.js';
import type { TransactionEventPayload } from '../outbox/events.js';
import { emitEvents, type NewOutboxEvent, type OutboxEvent } from '../outbox/outbox.service.js';

/**
 * Transaction push (三方数据推送): records of merchants' own sales and refunds,
 * stored idempotently and turned into `transaction_settled` /
 * `transaction_refunded` outbox events for the modules that pay rewards and
 * count performance. A batch answers per record; one bad record never blocks
 * the others.
 */
export const MAX_BATCH = 1000;

export const pushRecordSchema = z
  .object({
    channel_txn_id: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'expected 1-64 letters, digits, _ . : -' }),
    merchant_ref: z.string().min(1).max(64),
    amount_fen: z.union([z.number(), z.string()]),
    status: z.enum(['settled', 'refunded']),
    occurred_at: z.iso.datetime({ offset: true }),
    original_txn_id: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).optional(),
  })
  .strict();
export type PushRecord = z.infer<typeof pushRecordSchema>;

/**
 * What runs inside a push's transaction for the sales it stored (the rewards
 * module pays them there, so a batch push commits its payouts with its
 * records, in parallel with other pushes). Events it handles are still in
 * the outbox for the other consumers. One slot: the app sets it at start-up.
 */
export type SalesStoredHandler = (tx: Db, events: OutboxEvent<TransactionEventPayload>[]) => Promise<void>;
let salesStoredHandler: SalesStoredHandler | null = null;
export function setSalesStoredHandler(handler: SalesStoredHandler | null) {
  salesStoredHandler = handler;
}
/**
 * Batches at least this large are handled in the push's transaction. Single
 * records are left to the outbox consumer, which gathers them into batches:
 * a dozen statements per one-record push would cost more than they save.
 */
export const INLINE_MIN_RECORDS = 20;

export type RecordOutcome = 'accepted' | 'held' | 'duplicate' | 'conflict' | 'rejected';

export interface RecordResult {
  index: number;
  channel_txn_id: string | null;
  result: RecordOutcome;
  /** For duplicates: the outcome the first delivery got ("accepted" or "held"). */
  original_result?: 'accepted' | 'held';
  code?: string;
  message?: string;
}

interface Candidate {
  index: number;
  txnId: string;
  merchantRef: string;
  amount: bigint;
  status: 'settled' | 'refunded';
  occurredAt: string;
  originalTxnId: string | null;
  fingerprint: string;
  state: 'applied' | 'held';
}

const fingerprintOf = (r: { merchant_ref: string; amount: bigint; status: string; occurred_at: string; original_txn_id?: string | undefined }) =>
  crypto.hash('sha256', JSON.stringify([r.merchant_ref, r.amount.toString(), r.status, canonicalInstant(r.occurred_at), r.original_txn_id ?? null]), 'hex').slice(0, 32);

const reject = (index: number, txnId: string | null, code: string, message: string): RecordResult => ({ index, channel_txn_id: txnId, result: 'rejected', code, message });

type StoredTransaction = { id: number; channelId: string; txnId: string; memberId: number; amount: bigint; status: string; occurredAt: string; originalTxnId: string | null };

/** The event payload of a stored transaction (eventPayloadSql builds the same in SQL). */
const payloadOf = (t: StoredTransaction): TransactionEventPayload => ({
  transactionId: t.id,
  channelId: t.channelId,
  channelTxnId: t.txnId,
  memberId: t.memberId,
  amountFen: t.amount.toString(),
  occurredAt: canonicalInstant(t.occurredAt),
  originalTxnId: t.originalTxnId,
});

export function eventOf(t: StoredTransaction): NewOutboxEvent {
  return { type: t.status === 'settled' ? 'transaction_settled' : 'transaction_refunded', subject: `channel_transaction:${t.id}`, payload: payloadOf(t) };
}

/** Validates, stores and emits a batch, all in one transaction. Results are in input order. */
export async function ingestRecords(db: Db, channelId: string, raw: unknown[]): Promise<RecordResult[]> {
  const results: (RecordResult | undefined)[] = new Array(raw.length);
  const valid: { index: number; rec: PushRecord; amount: bigint; fingerprint: string }[] = [];
  raw.forEach((item, index) => {
    const parsed = pushRecordSchema.safeParse(item);
    const txnId = typeof (item as { channel_txn_id?: unknown })?.channel_txn_id === 'string' ? (item as { channel_txn_id: string }).channel_txn_id : null;
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      results[index] = reject(index, txnId, 'VALIDATION_FAILED', `${issue.path.join('.') || 'record'}: ${issue.message}`);
      return;
    }
    const rec = parsed.data;
    let amount: bigint;
    try {
      amount = parseFen(rec.amount_fen, { allowZero: false });
    } catch (err) {
      results[index] = reject(index, rec.channel_txn_id, 'VALIDATION_FAILED', `amount_fen: ${(err as Error).message}`);
      return;
    }
    if (rec.status === 'refunded' && !rec.original_txn_id) {
      results[index] = reject(index, rec.channel_txn_id, 'VALIDATION_FAILED', 'original_txn_id: required for a refund');
      return;
    }
    if (rec.status === 'settled' && rec.original_txn_id) {
      results[index] = reject(index, rec.channel_txn_id, 'VALIDATION_FAILED', 'original_txn_id: only refunds refer to an original transaction');
      return;
    }
    valid.push({ index, rec, amount, fingerprint: fingerprintOf({ ...rec, amount }) });
  });

  // The same id twice in one batch: the first counts, an identical second is a duplicate, a different one a conflict.
  const firstByTxn = new Map<string, (typeof valid)[number]>();
  const unique: typeof valid = [];
  for (const v of valid) {
    const first = firstByTxn.get(v.rec.channel_txn_id);
    if (!first) {
      firstByTxn.set(v.rec.channel_txn_id, v);
      unique.push(v);
    } else if (first.fingerprint === v.fingerprint) {
      results[v.index] = { index: v.index, channel_txn_id: v.rec.channel_txn_id, result: 'duplicate' };
    } else {
      results[v.index] = { index: v.index, channel_txn_id: v.rec.channel_txn_id, result: 'conflict', code: 'CONFLICT', message: 'the same channel_txn_id appears with different content' };
    }
  }
  if (unique.length === 0) return finish(results);

  // Sales only (the usual case): one autocommitted statement does it all.
  // Refunds need their sales locked first, so they take a transaction.
  const hasRefunds = unique.some((u) => u.rec.status === 'refunded');
  const inline = salesStoredHandler !== null && unique.length >= INLINE_MIN_RECORDS;
  const outcome =
    hasRefunds || inline
      ? await db.transaction(async (tx) => {
          const stored = await store(tx, channelId, unique, results, hasRefunds, inline);
          if (inline && stored.sales.length > 0) await salesStoredHandler!(tx, stored.sales);
          return stored;
        })
      : await store(db, channelId, unique, results, false, false);
  if (outcome.heldSales.length > 0) {
    // Refunds that were waiting for a sale that has just arrived.
    await db.transaction(async (tx) => emitEvents(tx, await releaseHeldRefunds(tx, channelId, outcome.heldSales)));
  }
  return finish(results);
}

type Valid = { index: number; rec: PushRecord; amount: bigint; fingerprint: string };

/** `inline`: the caller hands the stored sales to the inline handler in this transaction, so their events are marked applied_inline. */
async function store(db: Db, channelId: string, unique: Valid[], results: (RecordResult | undefined)[], withRefunds: boolean, inline: boolean) {
  const stored = new Map<string, { merchantRef: string; amount: bigint; status: string; refunded: bigint }>();
  const alreadyStored = new Set<string>();
  if (withRefunds) {
    // Originals of refunds already stored, locked so that concurrent refunds of one sale queue up.
    const originalIds = [...new Set(unique.filter((u) => u.rec.status === 'refunded').map((u) => u.rec.original_txn_id!))];
    const rows = await queryRows<{ channel_txn_id: string; merchant_ref: string; amount: unknown; status: string; refunded: unknown }>(db, sql`
      select s.channel_txn_id, s.merchant_ref, s.amount, s.status,
        coalesce((select sum(r.amount) from channel_transactions r
                  where r.channel_id = s.channel_id and r.original_txn_id = s.channel_txn_id and r.state = 'applied'), 0) as refunded
      from channel_transactions s
      where s.channel_id = ${channelId} and s.channel_txn_id = any(${sql.param(originalIds)}::text[])
      order by s.id for update`);
    for (const r of rows) stored.set(r.channel_txn_id, { merchantRef: r.merchant_ref, amount: BigInt(String(r.amount)), status: r.status, refunded: BigInt(String(r.refunded)) });
    // Refunds we already hold are replays: they go straight to the duplicate/conflict check
    // below, instead of being counted against their sale a second time.
    const refundIds = unique.filter((u) => u.rec.status === 'refunded').map((u) => u.rec.channel_txn_id);
    const seen = await queryRows<{ channel_txn_id: string }>(db, sql`
      select channel_txn_id from channel_transactions where channel_id = ${channelId} and channel_txn_id = any(${sql.param(refundIds)}::text[])`);
    for (const r of seen) alreadyStored.add(r.channel_txn_id);
  }
  const batchSales = new Map(unique.filter((u) => u.rec.status === 'settled').map((u) => [u.rec.channel_txn_id, u]));

  const candidates: Candidate[] = [];
  for (const u of unique) {
    let state: 'applied' | 'held' = 'applied';
    if (u.rec.status === 'refunded' && !alreadyStored.has(u.rec.channel_txn_id)) {
      const orig = stored.get(u.rec.original_txn_id!);
      const inBatch = batchSales.get(u.rec.original_txn_id!);
      const sale = orig ?? (inBatch ? { merchantRef: inBatch.rec.merchant_ref, amount: inBatch.amount, status: 'settled', refunded: 0n } : undefined);
      if (!sale) state = 'held';
      else {
        const problem =
          sale.status !== 'settled'
            ? 'original_txn_id refers to a refund, not a sale'
            : sale.merchantRef !== u.rec.merchant_ref
              ? 'the refund and its sale belong to different merchants'
              : sale.refunded + u.amount > sale.amount
                ? `refunds would exceed the sale (${sale.amount} fen, ${sale.refunded} already refunded)`
                : null;
        if (problem) {
          results[u.index] = reject(u.index, u.rec.channel_txn_id, 'INVALID_REFUND', problem);
          continue;
        }
        sale.refunded += u.amount;
        if (orig) stored.set(u.rec.original_txn_id!, sale);
      }
    }
    candidates.push({
      index: u.index,
      txnId: u.rec.channel_txn_id,
      merchantRef: u.rec.merchant_ref,
      amount: u.amount,
      status: u.rec.status,
      occurredAt: u.rec.occurred_at,
      originalTxnId: u.rec.original_txn_id ?? null,
      fingerprint: u.fingerprint,
      state,
    });
  }
  if (candidates.length === 0) return { heldSales: [] as string[], sales: [] as OutboxEvent<TransactionEventPayload>[] };

  // One statement: resolve merchants, store, and write the outbox events of
  // what was stored. Records of unknown merchants and replays insert nothing.
  const single = candidates.length === 1 && candidates[0]!.status === 'settled' && !withRefunds;
  const [row] = single ? await storeOneSale(db, channelId, candidates[0]!) : await (withRefunds ? queryRows : <T>(d: Db, q: SQL) => queryRowsPrepared<T>(d, 'ingest_store_v6', q))<StoredRow>(db, sql`
    with u as (
      select * from unnest(
        ${textArrayLiteral(candidates.map((c) => c.txnId))}::text[],
        ${textArrayLiteral(candidates.map((c) => c.merchantRef))}::text[],
        ${intArrayLiteral(candidates.map((c) => c.amount))}::bigint[],
        ${textArrayLiteral(candidates.map((c) => c.status))}::text[],
        ${textArrayLiteral(candidates.map((c) => c.occurredAt))}::timestamptz[],
        ${textArrayLiteral(candidates.map((c) => c.originalTxnId))}::text[],
        ${textArrayLiteral(candidates.map((c) => c.state))}::text[],
        ${textArrayLiteral(candidates.map((c) => c.fingerprint))}::text[]) with ordinality as u(t, m, a, s, o, ot, st, f, ord)),
    -- One index probe per record (the LIMIT keeps the planner from hashing the whole merchants table instead).
    mm as (
      select u.*, cm.member_id from u
      cross join lateral (select member_id from channel_merchants c where c.channel_id = ${channelId} and c.merchant_ref = u.m limit 1) cm),
    -- Sales first: ids, and so the events' order, then put every sale before the refunds of this push, so a
    -- refund listed before its own sale still reaches the rewards consumer after the sale it takes back.
    ins as (
      insert into channel_transactions (channel_id, channel_txn_id, merchant_ref, member_id, amount, status, occurred_at, original_txn_id, state, fingerprint)
      select ${channelId}, t, m, member_id, a, s, o, ot, st, f from mm order by s = 'refunded', ord
      on conflict (channel_id, channel_txn_id) do nothing
      returning id, channel_txn_id, member_id, amount, status, occurred_at, original_txn_id, state),
    ev as (
      insert into outbox_events (type, subject, payload, applied_inline)
      select case when status = 'settled' then 'transaction_settled' else 'transaction_refunded' end,
        'channel_transaction:' || id,
        ${eventPayloadSql(channelId)},
        ${inline}::boolean and status = 'settled'
      from ins where state = 'applied' order by id
      returning id, type, subject),
    held as (
      select distinct r.original_txn_id from channel_transactions r
      where r.channel_id = ${channelId} and r.state = 'held'
        and r.original_txn_id in (select channel_txn_id from ins where status = 'settled'))
    select (select json_agg(json_build_array(channel_txn_id, id, state, member_id)) from ins) as inserted,
      (select json_agg(distinct m) from u where not exists (select 1 from mm where mm.t = u.t)) as unknown,
      (select json_agg(json_build_array(id, subject) order by id) from ev where type = 'transaction_settled') as sales,
      now() as created_at,
      (select json_agg(original_txn_id) from held) as held_sales`);

  const unknown = new Set(row!.unknown ?? []);
  const inserted = new Map((row!.inserted ?? []).map(([txnId, id, state, memberId]) => [txnId, { id: Number(id), state, memberId: Number(memberId) }]));
  const replays: Candidate[] = [];
  for (const c of candidates) {
    if (unknown.has(c.merchantRef)) {
      results[c.index] = reject(c.index, c.txnId, 'UNKNOWN_MERCHANT', `merchant_ref "${c.merchantRef}" is not bound to a member on this channel`);
    } else if (inserted.has(c.txnId)) {
      results[c.index] = { index: c.index, channel_txn_id: c.txnId, result: inserted.get(c.txnId)!.state === 'held' ? 'held' : 'accepted' };
    } else replays.push(c);
  }
  if (replays.length > 0) {
    const existing = await queryRows<{ channel_txn_id: string; fingerprint: string; state: 'applied' | 'held' }>(db, sql`
      select channel_txn_id, fingerprint, state from channel_transactions
      where channel_id = ${channelId} and channel_txn_id = any(${sql.param(replays.map((r) => r.txnId))}::text[])`);
    const byId = new Map(existing.map((e) => [e.channel_txn_id, e]));
    for (const r of replays) {
      const e = byId.get(r.txnId)!;
      results[r.index] =
        e.fingerprint === r.fingerprint
          ? { index: r.index, channel_txn_id: r.txnId, result: 'duplicate', original_result: e.state === 'held' ? 'held' : 'accepted' }
          : { index: r.index, channel_txn_id: r.txnId, result: 'conflict', code: 'CONFLICT', message: 'this channel_txn_id was received before with different content' };
    }
  }
  // The stored sales' events, rebuilt from what we sent and the ids the statement gave them (the same
  // payload eventPayloadSql stored): sent back as JSON, they were nine tenths of the statement's answer.
  const storedSales = new Map<number, TransactionEventPayload>();
  for (const c of candidates) {
    const i = inserted.get(c.txnId);
    if (i && c.status === 'settled') storedSales.set(i.id, payloadOf({ id: i.id, channelId, txnId: c.txnId, memberId: i.memberId, amount: c.amount, status: c.status, occurredAt: c.occurredAt, originalTxnId: c.originalTxnId }));
  }
  const createdAt = new Date(row!.created_at);
  const sales = (row!.sales ?? []).map(([eventId, subject]): OutboxEvent<TransactionEventPayload> => ({
    id: Number(eventId),
    type: 'transaction_settled',
    subject,
    payload: storedSales.get(Number(subject.slice(subject.indexOf(':') + 1)))!,
    createdAt,
  }));
  return { heldSales: row!.held_sales ?? [], sales };
}

/**
 * A stored transaction's event payload (payloadOf's shape), built in SQL from
 * the rows the store statements insert, so the event commits with its row.
 */
const eventPayloadSql = (channelId: string) => sql`
  jsonb_build_object('transactionId', id, 'channelId', ${channelId}::text, 'channelTxnId', channel_txn_id, 'memberId', member_id,
    'amountFen', amount::text, 'occurredAt', to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'originalTxnId', original_txn_id)`;

interface StoredRow {
  /** [channel_txn_id, transaction id, state, member id] per inserted record. */
  inserted: [string, number | string, string, number | string][] | null;
  unknown: string[] | null;
  held_sales: string[] | null;
  /** [event id, subject] of the stored sales' events, by event id. */
  sales: [number | string, string][] | null;
  created_at: string | Date;
}

/**
 * The store statement for the most common push, one sale, with scalar
 * parameters: its plan does not depend on them, so PostgreSQL soon reuses
 * one generic plan for the prepared statement. The batch statement's
 * parameters are arrays whose length changes its plan, so PostgreSQL plans
 * it afresh on each execution, which cost a one-record push as much as
 * running it. Same effects and answer as the batch statement.
 */
function storeOneSale(db: Db, channelId: string, c: Candidate): Promise<StoredRow[]> {
  return queryRowsPrepared<StoredRow>(db, 'ingest_store_one_v2', sql`
    with cm as (
      select member_id from channel_merchants where channel_id = ${channelId} and merchant_ref = ${c.merchantRef}),
    ins as (
      insert into channel_transactions (channel_id, channel_txn_id, merchant_ref, member_id, amount, status, occurred_at, original_txn_id, state, fingerprint)
      select ${channelId}::text, ${c.txnId}::text, ${c.merchantRef}::text, cm.member_id, ${c.amount.toString()}::bigint, 'settled', ${c.occurredAt}::timestamptz, null, 'applied', ${c.fingerprint}::text
      from cm
      on conflict (channel_id, channel_txn_id) do nothing
      returning id, channel_txn_id, member_id, amount, occurred_at, original_txn_id, state),
    ev as (
      insert into outbox_events (type, subject, payload)
      select 'transaction_settled', 'channel_transaction:' || id,
        ${eventPayloadSql(channelId)}
      from ins
      returning id, subject)
    select (select json_agg(json_build_array(channel_txn_id, id, state, member_id)) from ins) as inserted,
      case when exists (select 1 from cm) then null else json_build_array(${c.merchantRef}::text) end as unknown,
      (select json_agg(json_build_array(id, subject)) from ev) as sales,
      now() as created_at,
      case when exists (select 1 from ins) and exists (
        select 1 from channel_transactions r where r.channel_id = ${channelId} and r.state = 'held' and r.original_txn_id = ${c.txnId})
        then json_build_array(${c.txnId}::text) end as held_sales`);
}

function finish(results: (RecordResult | undefined)[]): RecordResult[] {
  return results.map((r, i) => r ?? reject(i, null, 'INTERNAL', 'record was not processed'));
}

/**
 * Applies held refunds whose sale is now stored (within the sale's limits)
 * and returns their events. Run by ingest when sales arrive, and by the
 * background sweep for refunds and sales that raced in separate requests.
 */
export async function releaseHeldRefunds(tx: Db, channelId: string, saleTxnIds?: string[]): Promise<NewOutboxEvent[]> {
  const rows = await queryRows<{ id: number | string; channel_txn_id: string; member_id: number | string; amount: unknown; occurred_at: string | Date; original_txn_id: string; merchant_ref: string; sale_amount: unknown; sale_merchant: string; sale_status: string; already: unknown }>(tx, sql`
    select r.id, r.channel_txn_id, r.member_id, r.amount, r.occurred_at, r.original_txn_id, r.merchant_ref,
      s.amount as sale_amount, s.merchant_ref as sale_merchant, s.status as sale_status,
      coalesce((select sum(x.amount) from channel_transactions x
                where x.channel_id = s.channel_id and x.original_txn_id = s.channel_txn_id and x.state = 'applied'), 0) as already
    from channel_transactions r
    join channel_transactions s on s.channel_id = r.channel_id and s.channel_txn_id = r.original_txn_id
    where r.channel_id = ${channelId} and r.state = 'held'
      ${saleTxnIds ? sql`and r.original_txn_id = any(${sql.param(saleTxnIds)}::text[])` : sql``}
    order by s.id, r.id
    for update of r, s`);
  const events: NewOutboxEvent[] = [];
  const used = new Map<string, bigint>();
  for (const r of rows) {
    const amount = BigInt(String(r.amount));
    const already = used.get(r.original_txn_id) ?? BigInt(String(r.already));
    // A held refund that does not fit its sale stays held for staff to look at (it shows in reconciliation).
    if (r.sale_status !== 'settled' || r.sale_merchant !== r.merchant_ref || already + amount > BigInt(String(r.sale_amount))) continue;
    used.set(r.original_txn_id, already + amount);
    await tx.execute(sql`update channel_transactions set state = 'applied' where id = ${r.id}`);
    events.push(
      eventOf({ id: Number(r.id), channelId, txnId: r.channel_txn_id, memberId: Number(r.member_id), amount, status: 'refunded', occurredAt: new Date(r.occurred_at).toISOString(), originalTxnId: r.original_txn_id }),
    );
  }
  return events;
}

/**
 * Background sweep: a refund and its sale that arrived in two concurrent
 * requests may each have missed the other; this applies such refunds.
 */
export async function sweepHeldRefunds(db: Db): Promise<number> {
  const channels = await queryRows<{ channel_id: string }>(db, sql`select distinct channel_id from channel_transactions where state = 'held'`);
  let applied = 0;
  for (const { channel_id } of channels) {
    applied += await db.transaction(async (tx) => {
      const events = await releaseHeldRefunds(tx, channel_id);
      await emitEvents(tx, events);
      return events.length;
    });
  }
  return applied;
}
