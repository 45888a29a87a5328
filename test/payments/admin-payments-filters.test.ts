import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentOrders, type OrderStatus, type PaymentPurpose } from '../../src/modules/payments/payments.schema.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';

/**
 * GET /api/admin/payments filters on the server: every filter alone and
 * combined gives exactly the orders a plain filter over the fixture gives,
 * newest first, and keyset pages with a filter neither skip nor repeat.
 */
let ctx: TestContext;
let finance: string;
let viewer: string;
let member: string;

interface Fixture {
  id: number;
  orderNo: string;
  memberId: number;
  phone: string;
  purpose: PaymentPurpose;
  channelId: string;
  status: OrderStatus;
  createdAt: Date;
  paidAt: Date | null;
}
const fixture: Fixture[] = [];

const phones = ['13520000001', '13520000002', '13520000003'];
const statuses: OrderStatus[] = ['pending', 'paid', 'failed', 'expired'];
const channels = ['sandbox', 'wxpay-main', 'alipay-main'];
const day = (n: number) => new Date(Date.UTC(2026, 2, 1 + n, 2, 0, 0));

beforeAll(async () => {
  ctx = await createTestContext();
  finance = (await ctx.staffToken(['finance'])).token;
  viewer = (await ctx.staffToken(['viewer'])).token;
  const payers = [];
  for (const phone of phones) payers.push({ phone, ...(await ctx.registerMember(phone)) });
  member = payers[0]!.token;
  // 24 orders: statuses, purposes, channels and members vary at different periods, so every combination below has a few and none has all.
  for (let i = 0; i < 24; i++) {
    const payer = payers[i % 3]!;
    const status = statuses[i % 4]!;
    const createdAt = day(i);
    const [row] = await ctx.database.db
      .insert(paymentOrders)
      .values({
        orderNo: `SLTEST${String(i).padStart(4, '0')}`,
        memberId: payer.memberId,
        purpose: i % 5 < 3 ? 'entry_fee' : 'level_purchase',
        purposeRef: i % 5 < 3 ? null : '2',
        amount: 99_900n,
        channelId: channels[Math.floor(i / 2) % 3]!,
        status,
        expiresAt: new Date(createdAt.getTime() + 30 * 60_000),
        paidAt: status === 'paid' ? new Date(createdAt.getTime() + 10 * 60_000) : null,
        createdAt,
      })
      .returning();
    fixture.push({ id: row!.id, orderNo: row!.orderNo, memberId: payer.memberId, phone: payer.phone, purpose: row!.purpose, channelId: row!.channelId, status, createdAt, paidAt: row!.paidAt });
  }
});
afterAll(() => ctx.close());

const list = (query: string, token = finance) => ctx.app.inject({ method: 'GET', url: `/api/admin/payments?${query}`, headers: bearer(token) });

/** Walks every page of a query (`limit` per page) and returns the order numbers in the order shown, and the page count. */
async function walk(query: string, limit: number) {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await list(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { items: { orderNo: string }[]; nextCursor: string | null };
    expect(body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...body.items.map((o) => o.orderNo));
    cursor = body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 50);
  return { seen, pages };
}

/** What the server should answer: the fixture filtered in plain code, newest (largest id) first. */
const none = () => false;
const expected = (keep: (o: Fixture) => boolean) =>
  fixture
    .filter(keep)
    .sort((a, b) => b.id - a.id)
    .map((o) => o.orderNo);

describe('GET /api/admin/payments filters', () => {
  it('each filter alone selects exactly its orders, newest first', async () => {
    const m2 = fixture[1]!;
    const cases: [string, (o: Fixture) => boolean][] = [
      ['', () => true],
      ['status=paid', (o) => o.status === 'paid'],
      ['status=expired', (o) => o.status === 'expired'],
      ['purpose=level_purchase', (o) => o.purpose === 'level_purchase'],
      ['channelId=wxpay-main', (o) => o.channelId === 'wxpay-main'],
      ['channelId=nosuch', none],
      [`memberId=${m2.memberId}`, (o) => o.memberId === m2.memberId],
      ['q=SLTEST0007', (o) => o.orderNo === 'SLTEST0007'],
      ['q=SLTEST000', none], // exact only: a prefix finds nothing
      [`q=${m2.phone}`, (o) => o.phone === m2.phone],
      ['q=13599999999', none],
      [`createdFrom=${day(5).toISOString()}&createdTo=${day(9).toISOString()}`, (o) => o.createdAt >= day(5) && o.createdAt < day(9)],
      [`createdFrom=${day(20).toISOString()}`, (o) => o.createdAt >= day(20)],
      [`paidFrom=${day(4).toISOString()}&paidTo=${day(14).toISOString()}`, (o) => o.paidAt !== null && o.paidAt >= day(4) && o.paidAt < day(14)],
    ];
    for (const [query, keep] of cases) {
      const want = expected(keep);
      // Only the cases meant to find nothing may: otherwise the fixture would not be testing the filter.
      if (keep !== none) expect(want.length, query).toBeGreaterThan(0);
      const { seen } = await walk(query, 200);
      expect(seen, query).toEqual(want);
    }
  });

  it('filters combine (all must hold)', async () => {
    const m1 = fixture[0]!;
    const cases: [string, (o: Fixture) => boolean][] = [
      ['status=paid&purpose=entry_fee', (o) => o.status === 'paid' && o.purpose === 'entry_fee'],
      ['status=pending&channelId=sandbox', (o) => o.status === 'pending' && o.channelId === 'sandbox'],
      [`memberId=${m1.memberId}&purpose=level_purchase`, (o) => o.memberId === m1.memberId && o.purpose === 'level_purchase'],
      [`q=${m1.phone}&status=pending`, (o) => o.phone === m1.phone && o.status === 'pending'],
      ['q=SLTEST0005&status=paid', (o) => o.orderNo === 'SLTEST0005' && o.status === 'paid'],
      ['q=SLTEST0005&status=pending', none],
      [
        `channelId=alipay-main&status=paid&createdFrom=${day(0).toISOString()}&createdTo=${day(30).toISOString()}&paidFrom=${day(0).toISOString()}`,
        (o) => o.channelId === 'alipay-main' && o.status === 'paid',
      ],
    ];
    for (const [query, keep] of cases) {
      const want = expected(keep);
      // Only the cases meant to find nothing may: otherwise the fixture would not be testing the filter.
      if (keep !== none) expect(want.length, query).toBeGreaterThan(0);
      const { seen } = await walk(query, 200);
      expect(seen, query).toEqual(want);
    }
  });

  it('keyset pages with a filter cover every match once, newest first', async () => {
    const pending = expected((o) => o.purpose === 'entry_fee' && o.status === 'pending');
    const small = await walk('purpose=entry_fee&status=pending', 2);
    expect(small.seen).toEqual(pending);
    expect(small.pages).toBe(Math.ceil(pending.length / 2));
    const sandbox = expected((o) => o.channelId === 'sandbox');
    const byChannel = await walk('channelId=sandbox', 3);
    expect(byChannel.seen).toEqual(sandbox);
    expect(byChannel.pages).toBeGreaterThan(2);
    // A page that ends exactly on the last match says so (nextCursor null) rather than promising an empty page.
    const failed = expected((o) => o.status === 'failed');
    expect(await walk('status=failed', failed.length)).toEqual({ seen: failed, pages: 1 });
  });

  it('refuses a bad filter with a 400 that names the field', async () => {
    const bad: [string, string][] = [
      ['status=refunded', 'querystring.status'],
      ['purpose=gift', 'querystring.purpose'],
      ['channelId=Bad Channel', 'querystring.channelId'],
      ['memberId=abc', 'querystring.memberId'],
      ['q=', 'querystring.q'],
      ['createdFrom=yesterday', 'querystring.createdFrom'],
      [`createdFrom=${day(5).toISOString()}&createdTo=${day(1).toISOString()}`, 'querystring.createdTo'],
      [`paidFrom=${day(5).toISOString()}&paidTo=${day(1).toISOString()}`, 'querystring.paidTo'],
    ];
    for (const [query, field] of bad) {
      const res = await list(encodeURI(query));
      expect(res.statusCode, query).toBe(400);
      const error = res.json().error as { code: string; details: { field: string }[] };
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details.map((d) => d.field), query).toContain(field);
    }
  });

  it('viewers may read the filtered list; members may not', async () => {
    const res = await list('status=paid&limit=2', viewer);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.every((o: { status: string }) => o.status === 'paid')).toBe(true);
    const refused = await list('status=paid', member);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');
  });
});
