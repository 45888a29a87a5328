import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError, notFound } from '../../lib/errors.js';
import type { Fen } from '../../lib/money.js';
import { maskPhone } from '../auth/sms.js';
import type { Account } from './ledger.schema.js';
import type { EntryKind } from './ledger.service.js';

/**
 * The journal as finance browses it (账本流水): entries newest first, each
 * with all of its postings. Read-only.
 *
 * Which index serves what (ledger_entries has only its primary key, the
 * idempotency-key index and the source index, which leaves reward entries
 * out; postings are keyed by (entry_id, id) plus a partial index on
 * (member_id, id)):
 * - the page itself walks the entries' primary key backwards from the cursor
 *   and stops after a page of matches; kind, key prefix and dates are
 *   filters on that walk (ids grow with time, so recent pages are cheap);
 * - "entries of member X" starts from ledger_postings_member_idx, so it
 *   reads that member's postings only, never the whole table;
 * - the postings of the page's entries come from the postings' primary key.
 * The key prefix is matched with starts_with, not a range on the unique
 * index: a range is only a prefix match under the C collation.
 */
export interface EntryFilter {
  kinds?: EntryKind[] | undefined;
  /** Idempotency keys starting with this, e.g. "withdrawal:42:" or "reward:". */
  keyPrefix?: string | undefined;
  /** Entries with at least one posting on this member's wallet accounts. */
  memberId?: number | undefined;
  /** created_at >= from */
  from?: Date | undefined;
  /** created_at < to */
  to?: Date | undefined;
  /** Entries older than this entry id (the previous page's nextCursor). */
  before?: number | undefined;
  limit: number;
}

export interface JournalPosting {
  id: number;
  account: Account;
  memberId: number | null;
  memberName: string | null;
  /** Masked (138****0001). */
  memberPhone: string | null;
  /** Signed, as stored: the postings of an entry sum to zero. */
  amount: Fen;
  /** The wallet balance after this posting; null for platform accounts. */
  balanceAfter: Fen | null;
}

export interface JournalEntry {
  id: number;
  idempotencyKey: string;
  kind: string;
  sourceType: string;
  sourceId: string;
  memo: string | null;
  createdAt: Date;
  postings: JournalPosting[];
}

type EntryRow = { id: string | number; idempotency_key: string; kind: string; source_type: string; source_id: string; memo: string | null; created_at: string | Date };

export async function listEntries(db: Db, f: EntryFilter): Promise<{ items: JournalEntry[]; nextCursor: string | null }> {
  const rows = await queryRows<EntryRow>(db, sql`
    select e.id, e.idempotency_key, e.kind, e.source_type, e.source_id, e.memo, e.created_at
    from ledger_entries e
    where true
      ${f.memberId !== undefined
        ? sql`and e.id in (
            select p.entry_id from ledger_postings p
            where p.member_id = ${f.memberId} ${f.before !== undefined ? sql`and p.entry_id < ${f.before}` : sql``})`
        : sql``}
      ${f.kinds?.length ? sql`and e.kind = any(${sql.param(f.kinds)}::text[])` : sql``}
      ${f.keyPrefix ? sql`and starts_with(e.idempotency_key, ${f.keyPrefix})` : sql``}
      ${f.from ? sql`and e.created_at >= ${f.from.toISOString()}::timestamptz` : sql``}
      ${f.to ? sql`and e.created_at < ${f.to.toISOString()}::timestamptz` : sql``}
      ${f.before !== undefined ? sql`and e.id < ${f.before}` : sql``}
    order by e.id desc
    limit ${f.limit + 1}`);
  const page = rows.slice(0, f.limit);
  const items = await withPostings(db, page);
  return { items, nextCursor: rows.length > f.limit ? String(items.at(-1)!.id) : null };
}

/**
 * Every entry the journal's filters select, newest first, read in keyset
 * pages of the list itself. The export has a line per posting, so `max`
 * counts postings; more is refused (400) rather than cut short, since a
 * silently truncated journal would look complete.
 */
export async function exportEntries(db: Db, filter: Omit<EntryFilter, 'before' | 'limit'>, maxPostings: number): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  let postings = 0;
  let before: number | undefined;
  do {
    const page = await listEntries(db, { ...filter, before, limit: 500 });
    out.push(...page.items);
    postings += page.items.reduce((n, e) => n + e.postings.length, 0);
    if (postings > maxPostings) throw new AppError('BAD_REQUEST', `符合条件的记录超过 ${maxPostings} 行，请缩小筛选范围后再导出 / More than ${maxPostings} rows match: narrow the filters`);
    before = page.nextCursor === null ? undefined : Number(page.nextCursor);
  } while (before !== undefined);
  return out;
}

export async function getEntry(db: Db, id: number): Promise<JournalEntry> {
  const rows = await queryRows<EntryRow>(db, sql`
    select id, idempotency_key, kind, source_type, source_id, memo, created_at from ledger_entries where id = ${id}`);
  if (rows.length === 0) throw notFound('Ledger entry');
  return (await withPostings(db, rows))[0]!;
}

async function withPostings(db: Db, rows: EntryRow[]): Promise<JournalEntry[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => String(r.id));
  const postings = await queryRows<{
    id: string | number;
    entry_id: string | number;
    account: Account;
    member_id: string | number | null;
    amount: unknown;
    balance_after: unknown;
    display_name: string | null;
    phone: string | null;
  }>(db, sql`
    select p.id, p.entry_id, p.account, p.member_id, p.amount, p.balance_after, m.display_name, m.phone
    from ledger_postings p left join members m on m.id = p.member_id
    where p.entry_id = any(${sql.param(ids)}::bigint[])
    order by p.entry_id, p.id`);
  const byEntry = new Map<number, JournalPosting[]>();
  for (const p of postings) {
    const list = byEntry.get(Number(p.entry_id)) ?? [];
    list.push({
      id: Number(p.id),
      account: p.account,
      memberId: p.member_id === null ? null : Number(p.member_id),
      memberName: p.display_name,
      memberPhone: p.phone === null ? null : maskPhone(p.phone),
      amount: BigInt(String(p.amount)),
      balanceAfter: p.balance_after === null ? null : BigInt(String(p.balance_after)),
    });
    byEntry.set(Number(p.entry_id), list);
  }
  return rows.map((r) => ({
    id: Number(r.id),
    idempotencyKey: r.idempotency_key,
    kind: r.kind,
    sourceType: r.source_type,
    sourceId: r.source_id,
    memo: r.memo,
    createdAt: new Date(r.created_at),
    postings: byEntry.get(Number(r.id)) ?? [],
  }));
}
