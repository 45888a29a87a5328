import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_CSV_MAX_ROWS } from '../../src/modules/ledger/ledger.routes.js';
import { members } from '../../src/modules/members/members.schema.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { parseCsv } from '../helpers/csv.js';
import { paymentEntry as payment, postEntries, rewardEntry as reward } from '../helpers/ledger.js';

/**
 * GET /api/admin/ledger/entries.csv: the journal for a spreadsheet, one row
 * per posting, with the journal's filters and roles, debits and credits in
 * yuan, masked phones, defused formulas, and a refusal (not a cut) above the
 * row cap, which counts postings.
 */
let ctx: TestContext;
let finance: string;
let a: number;
let b: number;
const ids = new Map<string, number>();
let boundary: Date;

const get = (url: string, token?: string) => ctx.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });

beforeAll(async () => {
  ctx = await createTestContext();
  finance = (await ctx.staffToken(['finance'])).token;
  const rows = await ctx.database.db
    .insert(members)
    .values([
      { phone: '13830000001', passwordHash: 'x', displayName: '张三' },
      { phone: '13830000002', passwordHash: 'x', displayName: '李四' },
    ])
    .returning({ id: members.id });
  [a, b] = rows.map((r) => r.id) as [number, number];
  await postEntries(ctx.database.db, [reward('reward:1', a, 1_000n), payment('payment:SL1', 99_900n, '-1+cmd')], ids);
  // Entries take their time from their transaction; leave a gap so the boundary falls between them.
  await new Promise((r) => setTimeout(r, 50));
  boundary = new Date();
  await new Promise((r) => setTimeout(r, 50));
  await postEntries(ctx.database.db, [reward('reward:2', b, 2_550n, '=HYPERLINK("http://x")'), reward('reward:3', a, 5n)], ids);
});
afterAll(() => ctx.close());

/** The entry ids of a CSV's rows, one per posting. */
const entryIds = async (query: string) => {
  const res = await get(`/api/admin/ledger/entries.csv${query}`, finance);
  expect(res.statusCode, res.body).toBe(200);
  return parseCsv(res.body).slice(1).map((r) => Number(r[0]));
};
const twice = (...keys: string[]) => keys.flatMap((k) => [ids.get(k), ids.get(k)]);

describe('GET /api/admin/ledger/entries.csv', () => {
  it('is a zh-CN CSV download with a row per posting, newest entry first, debit and credit in yuan', async () => {
    const res = await get('/api/admin/ledger/entries.csv', finance);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="ledger-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    // Personal data: no shared cache keeps a copy.
    expect(res.headers['cache-control']).toBe('private, no-store');
    const [header, ...rows] = parseCsv(res.body);
    expect(header).toEqual(['分录号', '记账时间', '类型', '幂等键', '来源', '摘要', '科目', '科目代码', '会员ID', '会员', '手机号', '借方(元)', '贷方(元)', '过账后余额(元)']);
    expect(rows.map((r) => Number(r[0]))).toEqual(twice('reward:3', 'reward:2', 'payment:SL1', 'reward:1'));
    const [wallet, expense] = rows.filter((r) => Number(r[0]) === ids.get('reward:3'));
    expect(wallet![1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(wallet!.slice(2)).toEqual(['奖励', 'reward:3', 'test_event:reward:3', '奖励 reward:3', '会员可用余额', 'wallet:available', String(a), '张三', '138****0001', '0.05', '', '10.05']);
    expect(expense!.slice(6)).toEqual(['奖励支出', 'rewards:expense', '', '', '', '', '0.05', '']);
    const pay = rows.filter((r) => Number(r[0]) === ids.get('payment:SL1'));
    expect(pay.map((r) => [r[2], r[7], r[11], r[12]])).toEqual([
      ['支付收款', 'channel:clearing', '999.00', ''],
      ['支付收款', 'fees:onboarding', '', '999.00'],
    ]);
    expect(res.body).not.toContain('13830000001');
  });

  it('defuses cells a spreadsheet would run as formulas', async () => {
    const res = await get('/api/admin/ledger/entries.csv?key=reward:2', finance);
    const rows = parseCsv(res.body).slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row[5]).toBe(`'=HYPERLINK("http://x")`);
    // "-1+…" runs too; plain amounts stay numbers.
    const pay = parseCsv((await get('/api/admin/ledger/entries.csv?kind=payment', finance)).body).slice(1);
    expect(pay.map((r) => [r[5], r[11], r[12]])).toEqual([
      [`'-1+cmd`, '999.00', ''],
      [`'-1+cmd`, '', '999.00'],
    ]);
  });

  it("applies the journal's filters: kind, key prefix, member, time range", async () => {
    expect(await entryIds('?kind=payment')).toEqual(twice('payment:SL1'));
    expect(await entryIds('?kind=payment,reward&key=reward:')).toEqual(twice('reward:3', 'reward:2', 'reward:1'));
    // A member's entries keep all their postings, the platform side too.
    expect(await entryIds(`?memberId=${a}`)).toEqual(twice('reward:3', 'reward:1'));
    const at = encodeURIComponent(boundary.toISOString());
    expect(await entryIds(`?from=${at}`)).toEqual(twice('reward:3', 'reward:2'));
    expect(await entryIds(`?to=${at}&memberId=${a}`)).toEqual(twice('reward:1'));
    expect(await entryIds(`?memberId=${b}&kind=payment`)).toEqual([]);
    expect((await get('/api/admin/ledger/entries.csv?kind=gift', finance)).statusCode).toBe(400);
  });

  it('serves the roles of the journal (owner, finance, viewer) and no one else', async () => {
    for (const role of ['owner', 'viewer'] as const) expect((await get('/api/admin/ledger/entries.csv', (await ctx.staffToken([role])).token)).statusCode).toBe(200);
    for (const role of ['ops', 'risk'] as const) expect((await get('/api/admin/ledger/entries.csv', (await ctx.staffToken([role])).token)).statusCode).toBe(403);
    expect((await get('/api/admin/ledger/entries.csv', (await ctx.registerMember('13830009999')).token)).statusCode).toBe(403);
    expect((await get('/api/admin/ledger/entries.csv')).statusCode).toBe(401);
  });

  it(`refuses more than ${LEDGER_CSV_MAX_ROWS} postings instead of cutting the file short`, async () => {
    // Half the cap in entries of two postings each, plus one entry: one posting too many.
    const entries = LEDGER_CSV_MAX_ROWS / 2 + 1;
    await ctx.database.db.execute(sql`
      insert into ledger_entries (idempotency_key, kind, source_type, source_id, fingerprint)
      select 'bulk:' || g, 'adjustment', 'test', g::text, 'bulk' from generate_series(1, ${entries}::int) g`);
    await ctx.database.db.execute(sql`
      insert into ledger_postings (entry_id, account, amount)
      select id, account, amount from ledger_entries, (values ('channel:clearing', 1), ('fees:onboarding', -1)) v(account, amount)
      where starts_with(idempotency_key, 'bulk:')`);
    const over = await get('/api/admin/ledger/entries.csv', finance);
    expect(over.statusCode).toBe(400);
    expect(over.json().error.message).toContain('缩小筛选范围');
    // Narrower filters still export.
    expect(await entryIds('?key=reward:1')).toEqual(twice('reward:1'));
  }, 120_000);
});
