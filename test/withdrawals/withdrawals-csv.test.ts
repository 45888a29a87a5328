import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members } from '../../src/modules/members/members.schema.js';
import { WITHDRAWALS_CSV_MAX_ROWS } from '../../src/modules/withdrawals/withdrawals.routes.js';
import { withdrawals, type WithdrawalStatus } from '../../src/modules/withdrawals/withdrawals.schema.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { parseCsv } from '../helpers/csv.js';

/**
 * GET /api/admin/withdrawals.csv: the list's rows for finance's spreadsheet,
 * with the list's status filter, its roles, money in yuan, masked accounts and
 * phones, defused formulas, and a refusal (not a cut) above the row cap.
 */
let ctx: TestContext;
let finance: string;
let memberId: number;
const ids = new Map<string, number>();

const get = (url: string, token?: string) => ctx.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });

beforeAll(async () => {
  ctx = await createTestContext();
  finance = (await ctx.staffToken(['finance'])).token;
  const [m] = await ctx.database.db.insert(members).values({ phone: '13712345678', passwordHash: 'x', displayName: '王小明' }).returning({ id: members.id });
  memberId = m!.id;
  const rows: { key: string; status: WithdrawalStatus; payeeName: string; reason: string | null; hour: number }[] = [
    { key: 'w1', status: 'requested', payeeName: '王小明', reason: null, hour: 1 },
    { key: 'w2', status: 'paid', payeeName: '王小明', reason: null, hour: 2 },
    { key: 'w3', status: 'rejected', payeeName: '=HYPERLINK("http://x","点我")', reason: '@SUM(A1), 资料不符', hour: 3 },
    { key: 'w4', status: 'requested', payeeName: '王小明', reason: null, hour: 4 },
  ];
  for (const r of rows) {
    const at = new Date(Date.UTC(2026, 2, 1, r.hour, 0, 0));
    const [w] = await ctx.database.db
      .insert(withdrawals)
      .values({
        memberId,
        idempotencyKey: r.key,
        amount: 12_345n,
        fee: 200n,
        net: 12_145n,
        status: r.status,
        reviewRequired: r.key === 'w4',
        channel: 'bank_batch',
        payeeName: r.payeeName,
        // Member-typed text: "-1+…" is a formula too; only a plain negative number stays a number.
        payeeBank: r.key === 'w3' ? "-1+cmd|' /C calc'!A0" : '招商银行',
        payeeAccountEnc: 'not-read-by-the-export',
        payeeAccountLast4: '6789',
        reason: r.reason,
        requestedAt: at,
        updatedAt: at,
      })
      .returning({ id: withdrawals.id });
    ids.set(r.key, w!.id);
  }
});
afterAll(() => ctx.close());

describe('GET /api/admin/withdrawals.csv', () => {
  it('is a zh-CN CSV download of the list, newest first, yuan, masked', async () => {
    const res = await get('/api/admin/withdrawals.csv', finance);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="withdrawals-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    // Personal data: no shared cache keeps a copy.
    expect(res.headers['cache-control']).toBe('private, no-store');
    const [header, ...rows] = parseCsv(res.body);
    expect(header).toEqual(['编号', '申请时间', '会员ID', '会员', '手机号', '提现金额(元)', '手续费(元)', '实际到账(元)', '状态', '大额审核', '打款通道', '收款人', '收款银行', '收款账号', '打款批次', '通道流水号', '原因', '更新时间']);
    const list = (await get('/api/admin/withdrawals?limit=100', finance)).json() as { items: { id: number }[] };
    expect(rows.map((r) => Number(r[0]))).toEqual(list.items.map((w) => w.id));
    expect(rows.find((r) => Number(r[0]) === ids.get('w4'))).toEqual([
      String(ids.get('w4')),
      '2026-03-01 12:00:00', // 04:00 UTC in the platform's zone (Asia/Shanghai)
      String(memberId),
      '王小明',
      '137****5678',
      '123.45',
      '2.00',
      '121.45',
      '待审核',
      '是',
      '银行批量代付',
      '王小明',
      '招商银行',
      '****6789',
      '',
      '',
      '',
      '2026-03-01 12:00:00',
    ]);
    // Neither the full phone nor anything of the stored account beyond its last four leaves the server.
    expect(res.body).not.toContain('13712345678');
    expect(res.body).not.toContain('not-read-by-the-export');
  });

  it('defuses cells a spreadsheet would run as formulas', async () => {
    const res = await get('/api/admin/withdrawals.csv?status=rejected', finance);
    const [, row] = parseCsv(res.body);
    expect(row![11]).toBe(`'=HYPERLINK("http://x","点我")`);
    expect(row![12]).toBe(`'-1+cmd|' /C calc'!A0`);
    expect(row![16]).toBe(`'@SUM(A1), 资料不符`);
    // Amounts stay plain numbers.
    expect(row!.slice(5, 8)).toEqual(['123.45', '2.00', '121.45']);
  });

  it("applies the list's status filter", async () => {
    const only = async (query: string) => parseCsv((await get(`/api/admin/withdrawals.csv?${query}`, finance)).body).slice(1).map((r) => Number(r[0]));
    expect(await only('status=requested')).toEqual([ids.get('w4'), ids.get('w1')]);
    expect(await only('status=paid,rejected')).toEqual([ids.get('w3'), ids.get('w2')]);
    expect(await only('status=failed')).toEqual([]);
    const bad = await get('/api/admin/withdrawals.csv?status=lost', finance);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('serves the roles of the list (owner, finance, viewer) and no one else', async () => {
    for (const role of ['owner', 'viewer'] as const) expect((await get('/api/admin/withdrawals.csv', (await ctx.staffToken([role])).token)).statusCode).toBe(200);
    for (const role of ['ops', 'risk'] as const) {
      const res = await get('/api/admin/withdrawals.csv', (await ctx.staffToken([role])).token);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('application/json');
    }
    expect((await get('/api/admin/withdrawals.csv', (await ctx.registerMember('13712340000')).token)).statusCode).toBe(403);
    expect((await get('/api/admin/withdrawals.csv')).statusCode).toBe(401);
  });

  it(`refuses more than ${WITHDRAWALS_CSV_MAX_ROWS} rows instead of cutting the file short`, async () => {
    // Exactly the cap is still one file; one more asks for narrower filters.
    const add = (n: number, from: number) =>
      ctx.database.db.execute(sql`
        insert into withdrawals (member_id, idempotency_key, amount, fee, net, status, review_required, channel, payee_name, payee_bank, payee_account_enc, payee_account_last4)
        select ${memberId}, 'bulk-' || g, 100, 0, 100, 'failed', false, 'bank_batch', 'x', 'y', 'z', '0000' from generate_series(${from}::int, ${from + n - 1}::int) g`);
    await add(WITHDRAWALS_CSV_MAX_ROWS, 1);
    const full = await get('/api/admin/withdrawals.csv?status=failed', finance);
    expect(full.statusCode).toBe(200);
    expect(parseCsv(full.body)).toHaveLength(WITHDRAWALS_CSV_MAX_ROWS + 1);
    await add(1, WITHDRAWALS_CSV_MAX_ROWS + 1);
    const over = await get('/api/admin/withdrawals.csv?status=failed', finance);
    expect(over.statusCode).toBe(400);
    expect(over.json().error.message).toContain('缩小筛选范围');
    // A narrower filter still exports.
    expect((await get('/api/admin/withdrawals.csv?status=requested', finance)).statusCode).toBe(200);
  }, 120_000);
});
