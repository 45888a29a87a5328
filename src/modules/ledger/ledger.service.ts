import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Db, intArrayLiteral, queryRows, textArrayLiteral } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import type { Fen } from '../../lib/money.js';
import { type Account, type MemberAccount, memberAccounts } from './ledger.schema.js';

/**
 * The posting API every module uses to move money. Rules it keeps:
 * - an entry's postings sum to zero (checked here, and again by the database);
 * - the idempotency key is unique per entry: the same key with the same
 *   content returns the first entry and changes nothing; with other content
 *   it is an error;
 * - wallet balances change in the same statement batch as the postings,
 *   under row locks taken in ascending member order (no deadlocks between
 *   concurrent posts touching the same members).
 * Always call it with the caller's transaction handle.
 */
export const entryKinds = [
  'credit',
  'reward',
  'dividend',
  'release',
  'clawback',
  'withdrawal_request',
  'withdrawal_reject',
  'withdrawal_paid',
  'withdrawal_failed',
  'payment',
  'adjustment',
] as const;
export type EntryKind = (typeof entryKinds)[number];

export interface PostingInput {
  account: Account;
  /** Required for wallet accounts, absent for platform accounts. */
  memberId?: number | undefined;
  amount: Fen;
}

export interface EntryInput {
  idempotencyKey: string;
  kind: EntryKind;
  sourceType: string;
  sourceId: string;
  memo?: string | undefined;
  postings: PostingInput[];
  /**
   * An id taken beforehand with reserveEntryIds, for callers that write the
   * records pointing at the entry first and post last (so the wallet rows
   * the post locks are held only until the commit that follows).
   */
  id?: number | undefined;
}

export interface WalletBalance {
  frozen: Fen;
  available: Fen;
  withdrawing: Fen;
}

export interface PostResult {
  entryId: number;
  /** False when the key had been posted before (a replay): nothing changed. */
  created: boolean;
}

const isMemberAccount = (a: Account): a is MemberAccount => (memberAccounts as readonly string[]).includes(a);

function fingerprintOf(e: EntryInput): string {
  const canonical = JSON.stringify([
    e.kind,
    e.sourceType,
    e.sourceId,
    e.postings.map((p) => [p.account, p.memberId ?? null, p.amount.toString()]),
  ]);
  // One-shot hash: a batch fingerprints a thousand entries, and a Hash object each costs more than the digest.
  return crypto.hash('sha256', canonical, 'hex').slice(0, 32);
}

function validate(e: EntryInput): void {
  if (!e.idempotencyKey || e.idempotencyKey.length > 200) throw new AppError('BAD_REQUEST', 'An entry needs an idempotency key of at most 200 characters');
  if (e.postings.length < 2) throw new AppError('UNBALANCED_ENTRY', `Entry ${e.idempotencyKey} needs at least two postings`);
  let sum = 0n;
  for (const p of e.postings) {
    if (p.amount === 0n) throw new AppError('UNBALANCED_ENTRY', `Entry ${e.idempotencyKey} has a zero posting`);
    if (isMemberAccount(p.account) !== (p.memberId !== undefined)) {
      throw new AppError('UNBALANCED_ENTRY', `Entry ${e.idempotencyKey}: ${p.account} ${isMemberAccount(p.account) ? 'needs' : 'must not have'} a member`);
    }
    sum += p.amount;
  }
  if (sum !== 0n) throw new AppError('UNBALANCED_ENTRY', `Entry ${e.idempotencyKey} does not balance (sum ${sum})`);
}

/** Ids for entries about to be posted (see EntryInput.id); unused ones are simply skipped, as rolled-back inserts skip theirs. */
export async function reserveEntryIds(tx: Db, count: number): Promise<number[]> {
  if (count === 0) return [];
  // One text row, not a row per id: batches reserve a thousand at a time.
  const [row] = await queryRows<{ ids: string }>(tx, sql`select string_agg(nextval('ledger_entries_id_seq')::text, ',') as ids from generate_series(1, ${count}::int)`);
  return row!.ids.split(',').map(Number);
}

export async function post(tx: Db, entry: EntryInput): Promise<PostResult> {
  return (await postBatch(tx, [entry]))[0]!;
}

/**
 * Posts many entries in three statements (entries, wallets, postings), which is
 * what makes batched event processing fast. Results are in input order.
 *
 * `newKeys`: the caller knows no entry has these keys yet (e.g. one entry per
 * new reward event, whose record is written in the same transaction), so
 * there is no replay to recognise and the entries go in with a plain insert:
 * ON CONFLICT makes PostgreSQL insert each row speculatively and confirm it,
 * a second WAL record and about 2 us per row. A key that does exist is then
 * an error (nothing is written), never a silent replay.
 */
export async function postBatch(tx: Db, entries: EntryInput[], options: { newKeys?: boolean } = {}): Promise<PostResult[]> {
  if (entries.length === 0) return [];
  const byKey = new Map<string, { entry: EntryInput; fingerprint: string }>();
  for (const entry of entries) {
    validate(entry);
    const fingerprint = fingerprintOf(entry);
    const seen = byKey.get(entry.idempotencyKey);
    if (seen && seen.fingerprint !== fingerprint) {
      throw new AppError('IDEMPOTENCY_CONFLICT', `Idempotency key ${entry.idempotencyKey} is used twice with different content`);
    }
    byKey.set(entry.idempotencyKey, { entry, fingerprint });
  }
  const unique = [...byKey.values()];

  let inserted: { k: string; id: number | string }[];
  try {
    inserted = await insertEntries(tx, unique, options.newKeys ?? false);
  } catch (err) {
    throw translateWalletError(err);
  }
  const ids = new Map<string, { id: number; created: boolean }>();
  for (const row of inserted) ids.set(row.k, { id: Number(row.id), created: true });

  const replayed = unique.filter((u) => !ids.has(u.entry.idempotencyKey));
  if (replayed.length > 0) {
    const existing = await queryRows<{ id: number | string; idempotency_key: string; fingerprint: string }>(tx, sql`
      select id, idempotency_key, fingerprint from ledger_entries
      where idempotency_key = any(${sql.param(replayed.map((u) => u.entry.idempotencyKey))}::text[])`);
    const found = new Map(existing.map((r) => [r.idempotency_key, r]));
    for (const u of replayed) {
      const row = found.get(u.entry.idempotencyKey);
      if (!row) throw new Error(`entry ${u.entry.idempotencyKey} neither inserted nor found`);
      if (row.fingerprint !== u.fingerprint) {
        throw new AppError('IDEMPOTENCY_CONFLICT', `Idempotency key ${u.entry.idempotencyKey} was already used for a different entry`);
      }
      ids.set(u.entry.idempotencyKey, { id: Number(row.id), created: false });
    }
  }
  return entries.map((e) => {
    const r = ids.get(e.idempotencyKey)!;
    return { entryId: r.id, created: r.created };
  });
}

/**
 * Entries, wallet updates and postings in one statement, the shape of the
 * pg-floor: one round trip per batch, and wallet rows locked only from their
 * UPDATE to the commit. Entries whose key already exists are skipped by ON
 * CONFLICT, and so are their postings and wallet changes; the caller then
 * checks them as replays.
 *
 * Lock order: the wallet deltas are sorted by member id and the UPDATE walks
 * them in that order (a nested loop over the sorted deltas into the primary
 * key), so two batches lock shared wallets in the same order. Each member
 * posting records the balance after it: the wallet's new balance minus the
 * postings that follow it in this batch.
 */
async function insertEntries(tx: Db, unique: { entry: EntryInput; fingerprint: string }[], newKeys: boolean) {
  const eord: number[] = [];
  const accounts: string[] = [];
  const owners: (number | null)[] = [];
  const amounts: string[] = [];
  unique.forEach(({ entry }, i) => {
    for (const p of entry.postings) {
      eord.push(i + 1);
      accounts.push(p.account);
      owners.push(p.memberId ?? null);
      amounts.push(p.amount.toString());
    }
  });
  const rows = await queryRows<{ inserted: { k: string; id: number | string }[] | null; wallets: unknown; expected: unknown }>(tx, sql`
    with e_in as (
      select * from unnest(
        ${textArrayLiteral(unique.map((u) => u.entry.idempotencyKey))}::text[],
        ${textArrayLiteral(unique.map((u) => u.entry.kind))}::text[],
        ${textArrayLiteral(unique.map((u) => u.entry.sourceType))}::text[],
        ${textArrayLiteral(unique.map((u) => u.entry.sourceId))}::text[],
        ${textArrayLiteral(unique.map((u) => u.entry.memo ?? null))}::text[],
        ${textArrayLiteral(unique.map((u) => u.fingerprint))}::text[],
        ${intArrayLiteral(unique.map((u) => u.entry.id ?? null))}::bigint[]) with ordinality as t(k, kind, st, si, memo, fp, id, ord)),
    ins_e as (
      insert into ledger_entries (id, idempotency_key, kind, source_type, source_id, memo, fingerprint) overriding system value
      select coalesce(id, nextval('ledger_entries_id_seq')), k, kind, st, si, memo, fp from e_in order by ord
      ${newKeys ? sql`` : sql`on conflict (idempotency_key) do nothing`}
      returning id, idempotency_key),
    p_in as (
      select * from unnest(
        ${intArrayLiteral(eord)}::int[],
        ${textArrayLiteral(accounts)}::text[],
        ${intArrayLiteral(owners)}::bigint[],
        ${intArrayLiteral(amounts)}::bigint[]) with ordinality as t(eord, account, member_id, amount, pord)),
    p_new as (
      select ie.id as entry_id, p.pord, p.account, p.member_id, p.amount
      from p_in p join e_in e on e.ord = p.eord join ins_e ie on ie.idempotency_key = e.k),
    d as (
      select member_id,
        coalesce(sum(amount) filter (where account = 'wallet:frozen'), 0) as frozen,
        coalesce(sum(amount) filter (where account = 'wallet:available'), 0) as available,
        coalesce(sum(amount) filter (where account = 'wallet:withdrawing'), 0) as withdrawing
      from p_new where member_id is not null group by member_id order by member_id),
    upd as (
      update wallets w set
        frozen = w.frozen + d.frozen,
        available = w.available + d.available,
        withdrawing = w.withdrawing + d.withdrawing,
        updated_at = now()
      from d where w.member_id = d.member_id
      returning w.member_id, w.frozen, w.available, w.withdrawing),
    pb as (
      select p.entry_id, p.pord, p.account, p.member_id, p.amount,
        case p.account when 'wallet:frozen' then u.frozen when 'wallet:available' then u.available when 'wallet:withdrawing' then u.withdrawing end
          - coalesce(sum(p.amount) over (partition by p.member_id, p.account order by p.pord desc rows between unbounded preceding and 1 preceding), 0)
          as balance_after
      from p_new p left join upd u on u.member_id = p.member_id),
    ins_p as (
      insert into ledger_postings (entry_id, account, member_id, amount, balance_after)
      select entry_id, account, member_id, amount, balance_after from pb order by pord
      returning 1)
    select (select json_agg(json_build_object('k', idempotency_key, 'id', id)) from ins_e) as inserted,
      (select count(*) from upd) as wallets, (select count(*) from d) as expected, (select count(*) from ins_p) as postings`);
  const row = rows[0]!;
  if (Number(row.wallets) !== Number(row.expected)) throw new AppError('NOT_FOUND', 'Member not found');
  return row.inserted ?? [];
}

function translateWalletError(err: unknown): unknown {
  const e = err as { code?: string; constraint?: string; message?: string; cause?: { code?: string; constraint?: string } };
  const code = e.code ?? e.cause?.code;
  const constraint = e.constraint ?? e.cause?.constraint ?? '';
  if (code === '23514' && /wallets_(frozen|withdrawing)_nonnegative/.test(constraint + (e.message ?? ''))) {
    return new AppError('INSUFFICIENT_FUNDS', 'The wallet does not hold enough for this movement');
  }
  if (code === '23503') return new AppError('NOT_FOUND', 'Member not found');
  // Only entries posted with newKeys get here (the others skip existing keys): the caller's records and the ledger disagree.
  if (code === '23505' && constraint === 'ledger_entries_idempotency_key') return new Error('a ledger entry posted as new has a key that already exists', { cause: err });
  return err;
}

/** Current balances of one wallet (zeros when it has never been posted to). */
export async function walletBalance(db: Db, memberId: number, options: { lock?: boolean } = {}): Promise<WalletBalance> {
  const rows = await queryRows<{ frozen: unknown; available: unknown; withdrawing: unknown }>(db, sql`
    select frozen, available, withdrawing from wallets where member_id = ${memberId} ${options.lock ? sql`for update` : sql``}`);
  const r = rows[0];
  if (!r) return { frozen: 0n, available: 0n, withdrawing: 0n };
  return { frozen: BigInt(String(r.frozen)), available: BigInt(String(r.available)), withdrawing: BigInt(String(r.withdrawing)) };
}

/** A platform account's balance, derived from its postings (there is no hot cached row). */
export async function platformBalance(db: Db, account: Account): Promise<Fen> {
  const [r] = await queryRows<{ total: unknown }>(db, sql`
    select coalesce(sum(amount), 0) as total from ledger_postings where member_id is null and account = ${account}`);
  return BigInt(String(r!.total));
}
