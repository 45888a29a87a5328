import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';

export interface LedgerProblem {
  check: 'entry_unbalanced' | 'balance_mismatch' | 'negative_balance' | 'frozen_lots_mismatch' | 'entry_without_source' | 'posting_without_entry';
  /** The account concerned, e.g. "wallet:frozen#42", or the entry for entry checks. */
  account: string;
  expected?: string;
  actual?: string;
  detail: string;
}

export interface LedgerReport {
  ok: boolean;
  checkedAt: string;
  entries: number;
  postings: number;
  wallets: number;
  problems: LedgerProblem[];
}

/**
 * Checks what must always hold: every entry sums to zero, every cached
 * wallet balance equals the sum of its postings, frozen and withdrawing are
 * never negative, open frozen lots add up to the frozen balance, and every
 * entry names its source. Read-only; safe to run at any time.
 */
export async function verifyLedger(db: Db, limit = 1000): Promise<LedgerReport> {
  const problems: LedgerProblem[] = [];
  const unbalanced = await queryRows<{ entry_id: string | number; total: unknown }>(db, sql`
    select entry_id, sum(amount) as total from ledger_postings group by entry_id having sum(amount) <> 0 limit ${limit}`);
  for (const r of unbalanced) {
    problems.push({ check: 'entry_unbalanced', account: `entry#${r.entry_id}`, expected: '0', actual: String(r.total), detail: `entry ${r.entry_id} postings sum to ${r.total}` });
  }

  const mismatched = await queryRows<Record<string, unknown>>(db, sql`
    with sums as (
      select member_id,
        coalesce(sum(amount) filter (where account = 'wallet:frozen'), 0) as frozen,
        coalesce(sum(amount) filter (where account = 'wallet:available'), 0) as available,
        coalesce(sum(amount) filter (where account = 'wallet:withdrawing'), 0) as withdrawing
      from ledger_postings where member_id is not null group by member_id)
    select coalesce(w.member_id, s.member_id) as member_id,
      coalesce(w.frozen, 0) as c_frozen, coalesce(s.frozen, 0) as s_frozen,
      coalesce(w.available, 0) as c_available, coalesce(s.available, 0) as s_available,
      coalesce(w.withdrawing, 0) as c_withdrawing, coalesce(s.withdrawing, 0) as s_withdrawing
    from wallets w full outer join sums s on s.member_id = w.member_id
    where coalesce(w.frozen, 0) <> coalesce(s.frozen, 0)
       or coalesce(w.available, 0) <> coalesce(s.available, 0)
       or coalesce(w.withdrawing, 0) <> coalesce(s.withdrawing, 0)
    limit ${limit}`);
  for (const r of mismatched) {
    for (const col of ['frozen', 'available', 'withdrawing'] as const) {
      const cached = String(r[`c_${col}`]);
      const summed = String(r[`s_${col}`]);
      if (cached !== summed) {
        problems.push({
          check: 'balance_mismatch',
          account: `wallet:${col}#${r.member_id}`,
          expected: summed,
          actual: cached,
          detail: `cached ${col} balance of member ${r.member_id} is ${cached}, its postings sum to ${summed}`,
        });
      }
    }
  }

  const negative = await queryRows<{ member_id: string | number; frozen: unknown; withdrawing: unknown }>(db, sql`
    select member_id, frozen, withdrawing from wallets where frozen < 0 or withdrawing < 0 limit ${limit}`);
  for (const r of negative) {
    problems.push({ check: 'negative_balance', account: `wallet#${r.member_id}`, detail: `frozen ${r.frozen}, withdrawing ${r.withdrawing}: neither may be negative` });
  }

  const lots = await queryRows<{ member_id: string | number; frozen: unknown; lots: unknown }>(db, sql`
    select coalesce(w.member_id, l.member_id) as member_id, coalesce(w.frozen, 0) as frozen, coalesce(l.total, 0) as lots
    from wallets w full outer join (
      select p.member_id, sum(p.amount) as total from frozen_lots f
      join ledger_postings p on p.entry_id = f.entry_id and p.account = 'wallet:frozen'
      where f.closed_at is null group by p.member_id) l
      on l.member_id = w.member_id
    where coalesce(w.frozen, 0) <> coalesce(l.total, 0) limit ${limit}`);
  for (const r of lots) {
    problems.push({
      check: 'frozen_lots_mismatch',
      account: `wallet:frozen#${r.member_id}`,
      expected: String(r.lots),
      actual: String(r.frozen),
      detail: `member ${r.member_id}: open frozen lots hold ${r.lots}, the frozen balance is ${r.frozen}`,
    });
  }

  const sourceless = await queryRows<{ id: string | number }>(db, sql`
    select id from ledger_entries where source_type = '' or source_id = '' limit ${limit}`);
  for (const r of sourceless) problems.push({ check: 'entry_without_source', account: `entry#${r.id}`, detail: `entry ${r.id} names no source` });

  const orphans = await queryRows<{ entry_id: string | number }>(db, sql`
    select distinct p.entry_id from ledger_postings p left join ledger_entries e on e.id = p.entry_id where e.id is null limit ${limit}`);
  for (const r of orphans) problems.push({ check: 'posting_without_entry', account: `entry#${r.entry_id}`, detail: `postings refer to entry ${r.entry_id}, which does not exist` });

  const [counts] = await queryRows<{ entries: unknown; postings: unknown; wallets: unknown }>(db, sql`
    select (select count(*) from ledger_entries) as entries, (select count(*) from ledger_postings) as postings, (select count(*) from wallets) as wallets`);
  return {
    ok: problems.length === 0,
    checkedAt: new Date().toISOString(),
    entries: Number(counts!.entries),
    postings: Number(counts!.postings),
    wallets: Number(counts!.wallets),
    problems,
  };
}
