import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type Db, queryRows } from '../../src/db/client.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { walletBalance } from '../../src/modules/ledger/ledger.service.js';
import { releaseDue } from '../../src/modules/wallets/wallets.service.js';
import { databaseAt } from '../helpers/migrations.js';

/**
 * Migration 0020 turns frozen lots of one per member and entry into one per
 * entry. Databases written by the earlier shape must come through with every
 * frozen credit still frozen (and released later), and a state the new shape
 * cannot hold must stop the upgrade instead of losing money.
 */
const BEFORE = '0019_performance_hot_updates';

/** Two members; entry 1 credits both into frozen, entry 2 credited the first and was released (entry 3). */
async function oldShapeLedger(db: Db, secondLot: 'open' | 'released'): Promise<[number, number]> {
  const members = await queryRows<{ id: number }>(db, sql`
    insert into members (phone, password_hash, display_name) values ('13800000001', 'x', 'A'), ('13800000002', 'x', 'B') returning id`);
  const [a, b] = members.map((m) => Number(m.id)) as [number, number];
  await db.execute(sql`
    insert into ledger_entries (id, idempotency_key, kind, source_type, source_id, fingerprint) overriding system value values
      (1, 'reward:1', 'reward', 'channel_transaction', '1', 'f1'),
      (2, 'credit:2', 'credit', 'test', '2', 'f2'),
      (3, 'release:lot:3', 'release', 'test', '2', 'f3')`);
  await db.execute(sql`select setval('ledger_entries_id_seq', 10)`);
  await db.execute(sql`
    insert into ledger_postings (entry_id, account, member_id, amount) values
      (1, 'wallet:frozen', ${a}, 300), (1, 'wallet:frozen', ${b}, 200), (1, 'rewards:expense', null, -500),
      (2, 'wallet:frozen', ${a}, 100), (2, 'rewards:expense', null, -100),
      (3, 'wallet:frozen', ${a}, -100), (3, 'wallet:available', ${a}, 100)`);
  await db.execute(sql`update wallets set frozen = 300, available = 100 where member_id = ${a}`);
  await db.execute(sql`update wallets set frozen = 200 where member_id = ${b}`);
  await db.execute(sql`
    insert into frozen_lots (member_id, entry_id, source_type, source_id, amount, remaining, release_at, closed_at, closed_by) values
      (${a}, 1, 'channel_transaction', '1', 300, 300, '2026-12-01T00:00:00Z', null, null),
      (${b}, 1, 'channel_transaction', '1', 200, 200, '2026-12-01T00:00:00Z', null, null),
      (${a}, 2, 'test', '2', 100, 0, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', 'release')`);
  if (secondLot === 'released') {
    // A release run that stopped after the first member's lot of entry 1: the second is still open.
    await db.execute(sql`
      insert into ledger_entries (id, idempotency_key, kind, source_type, source_id, fingerprint) overriding system value values
        (4, 'release:lot:1', 'release', 'channel_transaction', '1', 'f4')`);
    await db.execute(sql`insert into ledger_postings (entry_id, account, member_id, amount) values (4, 'wallet:frozen', ${a}, -300), (4, 'wallet:available', ${a}, 300)`);
    await db.execute(sql`update wallets set frozen = 0, available = 400 where member_id = ${a}`);
    await db.execute(sql`update frozen_lots set remaining = 0, closed_at = now(), closed_by = 'release' where member_id = ${a} and entry_id = 1`);
  }
  return [a, b];
}

describe('migration 0020: frozen lots per entry', () => {
  it('keeps each open credit frozen, as one lot per entry, and the release job then frees it', async () => {
    const { db, upgrade, dispose } = await databaseAt(BEFORE);
    try {
      const [a, b] = await oldShapeLedger(db, 'open');
      expect((await verifyLedgerBefore(db)).length).toBe(0);

      await upgrade();

      const lots = await queryRows<{ entry_id: number; release_at: string; closed_by: string | null }>(db, sql`
        select entry_id::int, release_at::text, closed_by from frozen_lots order by entry_id`);
      expect(lots).toEqual([
        { entry_id: 1, release_at: '2026-12-01 00:00:00+00', closed_by: null },
        { entry_id: 2, release_at: '2026-11-01 00:00:00+00', closed_by: 'release' },
      ]);
      expect((await verifyLedger(db)).problems).toEqual([]);

      const released = await releaseDue(db, { now: new Date('2026-12-02T00:00:00Z') });
      // One lot, two members' credits.
      expect(released).toEqual({ released: 2, amount: 500n });
      expect(await walletBalance(db, a)).toEqual({ frozen: 0n, available: 400n, withdrawing: 0n });
      expect(await walletBalance(db, b)).toEqual({ frozen: 0n, available: 200n, withdrawing: 0n });
      expect((await verifyLedger(db)).problems).toEqual([]);
    } finally {
      await dispose();
    }
  });

  it('refuses an entry whose member lots are only partly released, and leaves the old lots as they were', async () => {
    const { db, upgrade, dispose } = await databaseAt(BEFORE);
    try {
      await oldShapeLedger(db, 'released');
      await expect(upgrade()).rejects.toThrow(/partly released/);
      const [old] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from frozen_lots where member_id is not null`);
      expect(old!.n).toBe(3);
    } finally {
      await dispose();
    }
  });
});

/** verify-ledger's own frozen check reads the new shape, so before the migration the wallets are checked against the old lots here. */
async function verifyLedgerBefore(db: Db) {
  return queryRows(db, sql`
    select w.member_id from wallets w
    left join (select member_id, sum(remaining) as total from frozen_lots where closed_at is null group by member_id) l on l.member_id = w.member_id
    where w.frozen <> coalesce(l.total, 0)`);
}
