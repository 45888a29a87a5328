import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { signPush } from '../../src/modules/channels/push-signature.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';

const SECRET = 'recon-secret-0123456789abcdef';
let ctx: TestContext;
let finance: { token: string };

beforeAll(async () => {
  ctx = await createTestContext();
  const owner = await ctx.staffToken(['owner']);
  finance = await ctx.staffToken(['finance']);
  await ctx.app.inject({ method: 'POST', url: '/api/admin/channels', headers: bearer(owner.token), payload: { id: 'partner', kind: 'push', name: 'Partner', secrets: { pushSecrets: [SECRET] } } });
  const { memberId } = await ctx.registerMember('13200009999');
  await ctx.app.inject({ method: 'PUT', url: '/api/admin/channels/partner/merchants/MX', headers: bearer(owner.token), payload: { memberId } });
  const records = [
    { channel_txn_id: 'R1', merchant_ref: 'MX', amount_fen: 1000, status: 'settled', occurred_at: '2026-11-20T00:05:00+08:00' },
    { channel_txn_id: 'R2', merchant_ref: 'MX', amount_fen: 2000, status: 'settled', occurred_at: '2026-11-20T12:00:00+08:00' },
    { channel_txn_id: 'R3', merchant_ref: 'MX', amount_fen: 3000, status: 'settled', occurred_at: '2026-11-20T23:59:00+08:00' },
    { channel_txn_id: 'R4', merchant_ref: 'MX', amount_fen: 4000, status: 'settled', occurred_at: '2026-11-20T20:00:00+08:00' },
    // 2026-11-20 in UTC, but the 21st in Shanghai: not part of the 20th's statement.
    { channel_txn_id: 'R5', merchant_ref: 'MX', amount_fen: 5000, status: 'settled', occurred_at: '2026-11-21T00:10:00+08:00' },
  ];
  const raw = JSON.stringify({ records });
  const ts = Math.floor(Date.now() / 1000);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/channels/partner/transactions',
    headers: { 'content-type': 'application/json', 'x-shanglian-timestamp': String(ts), 'x-shanglian-signature': signPush(SECRET, ts, raw) },
    payload: raw,
  });
  expect(res.json().summary.accepted).toBe(5);
});
afterAll(() => ctx.close());

const statement = [
  'channel_txn_id,merchant_ref,amount_fen,status,occurred_at',
  'R1,MX,1000,settled,2026-11-20T00:05:00+08:00',
  'R2,MX,2500,settled,2026-11-20T12:00:00+08:00',
  'R3,MX,3000,refunded,2026-11-20T23:59:00+08:00',
  'R9,MX,900,settled,2026-11-20T09:00:00+08:00',
  'R10,MX,1.5,settled,2026-11-20T09:00:00+08:00',
].join('\r\n');

describe('reconciliation', () => {
  it('reports what only they have, what only we have, and amount or status differences, and changes nothing', async () => {
    const before = await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from channel_transactions`);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/admin/channels/partner/reconciliations?day=2026-11-20&fileName=partner-20261120.csv',
      headers: { ...bearer(finance.token), 'content-type': 'text/csv' },
      payload: statement,
    });
    expect(res.statusCode, res.body).toBe(201);
    const report = res.json();
    expect(report.counts).toEqual({ theirRecords: 4, ourRecords: 4, matched: 1, missingOurs: 1, missingTheirs: 1, amountMismatch: 1, statusMismatch: 1, invalidLines: 1 });
    const byKind = Object.fromEntries(report.lines.map((l: { kind: string; channelTxnId: string }) => [l.kind, l.channelTxnId]));
    expect(byKind).toEqual({ missing_ours: 'R9', missing_theirs: 'R4', amount_mismatch: 'R2', status_mismatch: 'R3', invalid_line: 'R10' });
    const after = await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from channel_transactions`);
    expect(after[0]!.n).toEqual(before[0]!.n);

    const list = await ctx.app.inject({ method: 'GET', url: '/api/admin/reconciliations?channelId=partner', headers: bearer(finance.token) });
    expect(list.json().items[0]).toMatchObject({ id: report.id, day: '2026-11-20', fileName: 'partner-20261120.csv' });
    const one = await ctx.app.inject({ method: 'GET', url: `/api/admin/reconciliations/${report.id}`, headers: bearer(finance.token) });
    expect(one.json().lines).toHaveLength(5);
  });

  it('refuses a file without the expected columns, an unknown channel and a bad day', async () => {
    const post = (url: string, body: string) => ctx.app.inject({ method: 'POST', url, headers: { ...bearer(finance.token), 'content-type': 'text/csv' }, payload: body });
    expect((await post('/api/admin/channels/partner/reconciliations?day=2026-11-20', 'id,amount\n1,2')).statusCode).toBe(400);
    expect((await post('/api/admin/channels/nope/reconciliations?day=2026-11-20', statement)).statusCode).toBe(404);
    expect((await post('/api/admin/channels/partner/reconciliations?day=20-11-2026', statement)).statusCode).toBe(400);
  });

  it('is for finance and owners only', async () => {
    const ops = await ctx.staffToken(['ops']);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/admin/channels/partner/reconciliations?day=2026-11-20', headers: { ...bearer(ops.token), 'content-type': 'text/csv' }, payload: statement });
    expect(res.statusCode).toBe(403);
  });
});
