import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members } from '../../src/modules/members/members.schema.js';
import { PAYMENTS_CSV_MAX_ROWS } from '../../src/modules/payments/payments.routes.js';
import { type OrderStatus, paymentOrders } from '../../src/modules/payments/payments.schema.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { parseCsv } from '../helpers/csv.js';

/**
 * GET /api/admin/payments.csv: the order list's rows for a spreadsheet, with
 * every filter of the list, its roles, money in yuan, masked phones, defused
 * formulas, and a refusal (not a cut) above the row cap.
 */
let ctx: TestContext;
let finance: string;
const payers: { id: number; phone: string }[] = [];

const get = (url: string, token?: string) => ctx.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });
const day = (n: number) => new Date(Date.UTC(2026, 2, 1 + n, 2, 0, 0));

beforeAll(async () => {
  ctx = await createTestContext();
  finance = (await ctx.staffToken(['finance'])).token;
  for (const phone of ['13620000001', '13620000002']) {
    const [m] = await ctx.database.db.insert(members).values({ phone, passwordHash: 'x', displayName: `会员${phone.slice(-1)}` }).returning({ id: members.id });
    payers.push({ id: m!.id, phone });
  }
  const statuses: OrderStatus[] = ['pending', 'paid', 'failed', 'expired'];
  for (let i = 0; i < 12; i++) {
    const status = statuses[i % 4]!;
    const createdAt = day(i);
    await ctx.database.db.insert(paymentOrders).values({
      orderNo: `SLCSV${String(i).padStart(4, '0')}`,
      memberId: payers[i % 2]!.id,
      purpose: i % 3 === 0 ? 'level_purchase' : 'entry_fee',
      purposeRef: i % 3 === 0 ? '2' : i === 5 ? '-2+3' : null,
      amount: 99_950n,
      channelId: i < 6 ? 'sandbox' : 'wxpay-main',
      status,
      // A channel's trade number is the channel's text: one of them looks like a formula.
      channelTradeNo: status === 'paid' ? (i === 5 ? '=2+3' : `T${i}`) : null,
      expiresAt: new Date(createdAt.getTime() + 30 * 60_000),
      paidAt: status === 'paid' ? new Date(createdAt.getTime() + 10 * 60_000) : null,
      createdAt,
    });
  }
});
afterAll(() => ctx.close());

/** Order numbers of the CSV and of the JSON list for the same query, in the order each shows them. */
async function both(query: string) {
  const csv = await get(`/api/admin/payments.csv?${query}`, finance);
  expect(csv.statusCode, csv.body).toBe(200);
  const json = await get(`/api/admin/payments?limit=200&${query}`, finance);
  expect(json.statusCode, json.body).toBe(200);
  return { csv: parseCsv(csv.body).slice(1).map((r) => r[0]), list: (json.json() as { items: { orderNo: string }[] }).items.map((o) => o.orderNo) };
}

describe('GET /api/admin/payments.csv', () => {
  it('is a zh-CN CSV download of the orders, newest first, yuan, masked phones', async () => {
    const res = await get('/api/admin/payments.csv', finance);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="payments-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    // Personal data: no shared cache keeps a copy.
    expect(res.headers['cache-control']).toBe('private, no-store');
    const [header, ...rows] = parseCsv(res.body);
    expect(header).toEqual(['订单号', '创建时间', '会员ID', '会员', '手机号', '用途', '用途参数', '金额(元)', '支付通道', '状态', '支付时间', '过期时间', '通道交易号']);
    expect(rows).toHaveLength(12);
    expect(rows[0]![0]).toBe('SLCSV0011');
    // Order 9: paid, level purchase, WeChat Pay channel, the second payer; 2026-03-10 02:00 UTC is 10:00 in Asia/Shanghai.
    expect(rows.find((r) => r[0] === 'SLCSV0009')).toEqual([
      'SLCSV0009',
      '2026-03-10 10:00:00',
      String(payers[1]!.id),
      '会员2',
      '136****0002',
      '等级购买',
      '2',
      '999.50',
      'wxpay-main',
      '已支付',
      '2026-03-10 10:10:00',
      '2026-03-10 10:30:00',
      'T9',
    ]);
    expect(rows.find((r) => r[0] === 'SLCSV0000')!.slice(5, 11)).toEqual(['等级购买', '2', '999.50', '模拟通道', '待支付', '']);
    expect(res.body).not.toContain('13620000002');
  });

  it('defuses cells a spreadsheet would run as formulas', async () => {
    const res = await get('/api/admin/payments.csv?q=SLCSV0005', finance);
    const [, row] = parseCsv(res.body);
    expect(row![12]).toBe(`'=2+3`);
    expect(row![6]).toBe(`'-2+3`);
    expect(row![7]).toBe('999.50');
  });

  it('applies every filter of the list, alone and combined', async () => {
    const queries = [
      'status=paid',
      'purpose=level_purchase',
      'channelId=wxpay-main',
      `memberId=${payers[0]!.id}`,
      'q=SLCSV0007',
      `q=${payers[1]!.phone}`,
      `createdFrom=${day(3).toISOString()}&createdTo=${day(8).toISOString()}`,
      `paidFrom=${day(4).toISOString()}`,
      `status=paid&channelId=wxpay-main&memberId=${payers[1]!.id}`,
    ];
    for (const query of queries) {
      const { csv, list } = await both(query);
      expect(list.length, query).toBeGreaterThan(0);
      expect(list.length, query).toBeLessThan(12);
      expect(csv, query).toEqual(list);
    }
    expect((await both('channelId=nosuch')).csv).toEqual([]);
  });

  it('refuses what the list refuses', async () => {
    const reversed = await get(`/api/admin/payments.csv?createdFrom=${day(5).toISOString()}&createdTo=${day(1).toISOString()}`, finance);
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.details[0].field).toBe('querystring.createdTo');
    expect((await get('/api/admin/payments.csv?status=lost', finance)).statusCode).toBe(400);
  });

  it('serves the roles of the list (owner, finance, viewer) and no one else', async () => {
    for (const role of ['owner', 'viewer'] as const) expect((await get('/api/admin/payments.csv', (await ctx.staffToken([role])).token)).statusCode).toBe(200);
    for (const role of ['ops', 'risk'] as const) expect((await get('/api/admin/payments.csv', (await ctx.staffToken([role])).token)).statusCode).toBe(403);
    expect((await get('/api/admin/payments.csv', (await ctx.registerMember('13620009999')).token)).statusCode).toBe(403);
    expect((await get('/api/admin/payments.csv')).statusCode).toBe(401);
  });

  it(`refuses more than ${PAYMENTS_CSV_MAX_ROWS} rows instead of cutting the file short`, async () => {
    await ctx.database.db.execute(sql`
      insert into payment_orders (order_no, member_id, purpose, amount, channel_id, status, expires_at)
      select 'SLBULK' || g, ${payers[0]!.id}, 'entry_fee', 100, 'bulk', 'expired', now() from generate_series(1, ${PAYMENTS_CSV_MAX_ROWS + 1}::int) g`);
    const over = await get('/api/admin/payments.csv', finance);
    expect(over.statusCode).toBe(400);
    expect(over.json().error.message).toContain('缩小筛选范围');
    // Narrower filters still export.
    expect(parseCsv((await get('/api/admin/payments.csv?channelId=sandbox', finance)).body)).toHaveLength(7);
  }, 120_000);
});
