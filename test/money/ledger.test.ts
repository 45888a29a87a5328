import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { platformBalance, post, postBatch, walletBalance } from '../../src/modules/ledger/ledger.service.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertMembers } from '../helpers/members.js';

/** The database's own message (drizzle wraps it as the cause). */
async function dbError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { cause?: Error };
    return `${e.message} ${e.cause?.message ?? ''}`;
  }
  return 'no error';
}

let ctx: TestContext;
let a: number;
let b: number;
beforeAll(async () => {
  ctx = await createTestContext();
  [a, b] = (await insertMembers(ctx.database.db, 2)) as [number, number];
});
afterAll(() => ctx.close());

const db = () => ctx.database.db;
const reward = (key: string, member: number, amount: bigint) => ({
  idempotencyKey: key,
  kind: 'credit' as const,
  sourceType: 'test',
  sourceId: key,
  postings: [
    { account: 'wallet:available' as const, memberId: member, amount },
    { account: 'rewards:expense' as const, amount: -amount },
  ],
});

describe('posting', () => {
  it('moves money and updates the cached balance in the same transaction', async () => {
    const r = await db().transaction((tx) => post(tx, reward('p1', a, 500n)));
    expect(r.created).toBe(true);
    expect((await walletBalance(db(), a)).available).toBe(500n);
    expect(await platformBalance(db(), 'rewards:expense')).toBe(-500n);
  });

  it('a replay returns the first entry and changes nothing', async () => {
    const first = await db().transaction((tx) => post(tx, reward('p2', a, 100n)));
    const before = await walletBalance(db(), a);
    const again = await db().transaction((tx) => post(tx, reward('p2', a, 100n)));
    expect(again).toEqual({ entryId: first.entryId, created: false });
    expect(await walletBalance(db(), a)).toEqual(before);
  });

  it('the same key with other content is an error and writes nothing', async () => {
    await db().transaction((tx) => post(tx, reward('p3', a, 100n)));
    const before = await walletBalance(db(), a);
    await expect(db().transaction((tx) => post(tx, reward('p3', a, 101n)))).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    await expect(db().transaction((tx) => post(tx, reward('p3', b, 100n)))).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    expect(await walletBalance(db(), a)).toEqual(before);
  });

  it('entries posted as new go in without a replay check; a key that exists is refused and nothing is written', async () => {
    const [first] = await db().transaction((tx) => postBatch(tx, [reward('n1', a, 70n)], { newKeys: true }));
    expect(first!.created).toBe(true);
    const before = await walletBalance(db(), a);
    // Even with the same content: a caller that says "new" and is wrong has lost track of what it paid.
    await expect(db().transaction((tx) => postBatch(tx, [reward('n2', a, 5n), reward('n1', a, 70n)], { newKeys: true }))).rejects.toThrow(
      'a ledger entry posted as new has a key that already exists',
    );
    expect(await walletBalance(db(), a)).toEqual(before);
    const [n2] = await queryRows<{ n: unknown }>(db(), sql`select count(*) as n from ledger_entries where idempotency_key = 'n2'`);
    expect(Number(n2!.n)).toBe(0);
    // Without the option the same call is a replay of n1 and posts n2.
    const replay = await db().transaction((tx) => postBatch(tx, [reward('n2', a, 5n), reward('n1', a, 70n)]));
    expect(replay.map((r) => r.created)).toEqual([true, false]);
  });

  it('refuses unbalanced entries in code', async () => {
    const bad = { ...reward('p4', a, 100n), postings: [{ account: 'wallet:available' as const, memberId: a, amount: 100n }, { account: 'rewards:expense' as const, amount: -99n }] };
    await expect(db().transaction((tx) => post(tx, bad))).rejects.toMatchObject({ code: 'UNBALANCED_ENTRY' });
    const noMember = { ...reward('p5', a, 100n), postings: [{ account: 'wallet:available' as const, amount: 100n }, { account: 'rewards:expense' as const, amount: -100n }] };
    await expect(db().transaction((tx) => post(tx, noMember))).rejects.toMatchObject({ code: 'UNBALANCED_ENTRY' });
  });

  it('refuses to take frozen or withdrawing below zero', async () => {
    const entry = { ...reward('p6', a, 1n), postings: [{ account: 'wallet:frozen' as const, memberId: a, amount: -1n }, { account: 'wallet:available' as const, memberId: a, amount: 1n }] };
    await expect(db().transaction((tx) => post(tx, entry))).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
  });

  it('posts batches and records the balance after every posting', async () => {
    const [m] = await insertMembers(db(), 1);
    const results = await db().transaction((tx) => postBatch(tx, [reward('b1', m!, 10n), reward('b2', m!, 20n), reward('b3', m!, 30n), reward('b1', m!, 10n)]));
    expect(results.map((r) => r.created)).toEqual([true, true, true, true]);
    expect(results[3]!.entryId).toBe(results[0]!.entryId);
    const rows = await queryRows<{ amount: unknown; balance_after: unknown }>(db(), sql`select amount, balance_after from ledger_postings where member_id = ${m} order by id`);
    expect(rows.map((r) => [String(r.amount), String(r.balance_after)])).toEqual([['10', '10'], ['20', '30'], ['30', '60']]);
  });

  it('refuses wallets of unknown members', async () => {
    await expect(db().transaction((tx) => post(tx, reward('p7', 99_999_999, 5n)))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('the database itself', () => {
  it('refuses an unbalanced insert that bypasses the code', async () => {
    const [entry] = await queryRows<{ id: number }>(db(), sql`
      insert into ledger_entries (idempotency_key, kind, source_type, source_id, fingerprint) values ('raw1', 'adjustment', 'test', 'raw1', 'x') returning id`);
    expect(await dbError(db().execute(sql`insert into ledger_postings (entry_id, account, member_id, amount) values (${entry!.id}, 'rewards:expense', null, 5)`))).toMatch(/does not balance/);
    expect(await dbError(db().execute(sql`insert into ledger_postings (entry_id, account, member_id, amount) values (${entry!.id}, 'rewards:expense', null, 5), (${entry!.id}, 'rounding', null, -4)`))).toMatch(/does not balance/);
    await db().execute(sql`insert into ledger_postings (entry_id, account, member_id, amount) values (${entry!.id}, 'rewards:expense', null, 5), (${entry!.id}, 'rounding', null, -5)`);
  });

  it('keeps entries and postings append-only', async () => {
    expect(await dbError(db().execute(sql`update ledger_postings set amount = amount + 1`))).toMatch(/append-only/);
    expect(await dbError(db().execute(sql`delete from ledger_postings`))).toMatch(/append-only/);
    expect(await dbError(db().execute(sql`update ledger_entries set memo = 'x'`))).toMatch(/append-only/);
    expect(await dbError(db().execute(sql`truncate ledger_postings cascade`))).toMatch(/append-only/);
  });

  it('refuses unknown accounts and wallet postings without a member', async () => {
    const [entry] = await queryRows<{ id: number }>(db(), sql`
      insert into ledger_entries (idempotency_key, kind, source_type, source_id, fingerprint) values ('raw2', 'adjustment', 'test', 'raw2', 'x') returning id`);
    await expect(db().execute(sql`insert into ledger_postings (entry_id, account, member_id, amount) values (${entry!.id}, 'cash:magic', null, 5), (${entry!.id}, 'rounding', null, -5)`)).rejects.toThrow();
    await expect(db().execute(sql`insert into ledger_postings (entry_id, account, member_id, amount) values (${entry!.id}, 'wallet:available', null, 5), (${entry!.id}, 'rounding', null, -5)`)).rejects.toThrow();
  });
});

describe('verify-ledger', () => {
  it('is clean after normal work, and reports a tampered cached balance by account', async () => {
    expect((await verifyLedger(db())).ok).toBe(true);
    await db().execute(sql`update wallets set available = available + 7 where member_id = ${a}`);
    const report = await verifyLedger(db());
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ check: 'balance_mismatch', account: `wallet:available#${a}` }));
    await db().execute(sql`update wallets set available = available - 7 where member_id = ${a}`);
    expect((await verifyLedger(db())).ok).toBe(true);
  });

  it('the staff endpoint answers owner and finance', async () => {
    const finance = await ctx.staffToken(['finance']);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/admin/ledger/verify', headers: { authorization: `Bearer ${finance.token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, problems: [] });
    expect(res.json().entries).toBeGreaterThan(5);
    const platform = await ctx.app.inject({ method: 'GET', url: '/api/admin/ledger/platform-accounts', headers: { authorization: `Bearer ${finance.token}` } });
    expect(platform.json().items).toContainEqual({ account: 'rewards:expense', balanceFen: expect.stringMatching(/^-\d+$/) });
  });
});
