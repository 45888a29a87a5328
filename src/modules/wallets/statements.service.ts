import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import type { Fen } from '../../lib/money.js';

export interface StatementLine {
  id: number;
  at: Date;
  type: string;
  account: string;
  amount: Fen;
  balanceAfter: Fen;
  /** Part of a credit that went to repay a negative available balance. */
  debtRepaid: Fen;
  sourceType: string;
  sourceId: string;
  entryId: number;
  memo: string | null;
}

export interface StatementFilter {
  memberId: number;
  types?: string[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Lines older than this posting id (the previous page's nextCursor). */
  before?: number | undefined;
  limit: number;
}

/** A member's statement (明细): its wallet postings, newest first, keyset-paginated. */
export async function listStatement(db: Db, f: StatementFilter): Promise<{ items: StatementLine[]; nextCursor: string | null }> {
  const rows = await queryRows<Record<string, unknown>>(db, sql`
    select p.id, p.created_at, e.kind, p.account, p.amount, p.balance_after, e.source_type, e.source_id, e.id as entry_id, e.memo
    from ledger_postings p join ledger_entries e on e.id = p.entry_id
    where p.member_id = ${f.memberId}
      ${f.types?.length ? sql`and e.kind = any(${sql.param(f.types)}::text[])` : sql``}
      ${f.from ? sql`and p.created_at >= ${f.from.toISOString()}::timestamptz` : sql``}
      ${f.to ? sql`and p.created_at < ${f.to.toISOString()}::timestamptz` : sql``}
      ${f.before !== undefined ? sql`and p.id < ${f.before}` : sql``}
    order by p.id desc
    limit ${f.limit + 1}`);
  const items = rows.slice(0, f.limit).map((r): StatementLine => {
    const amount = BigInt(String(r.amount));
    const balanceAfter = BigInt(String(r.balance_after));
    const before = balanceAfter - amount;
    const debtRepaid = r.account === 'wallet:available' && amount > 0n && before < 0n ? (amount < -before ? amount : -before) : 0n;
    return {
      id: Number(r.id),
      at: new Date(r.created_at as string),
      type: String(r.kind),
      account: String(r.account),
      amount,
      balanceAfter,
      debtRepaid,
      sourceType: String(r.source_type),
      sourceId: String(r.source_id),
      entryId: Number(r.entry_id),
      memo: (r.memo as string | null) ?? null,
    };
  });
  return { items, nextCursor: rows.length > f.limit ? String(items.at(-1)!.id) : null };
}
