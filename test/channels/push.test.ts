import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { signPush } from '../../src/modules/channels/push-signature.js';
import { consumeEvents } from '../../src/modules/outbox/outbox.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { waitForOutboxHorizon } from '../helpers/outbox.js';

const SECRET = 'push-secret-0123456789abcdef';
const NEW_SECRET = 'push-secret-rotated-fedcba9876543210';
let ctx: TestContext;
let owner: { token: string };
let memberId: number;

beforeAll(async () => {
  ctx = await createTestContext({ BODY_LIMIT_BYTES: String(1024 * 1024) });
  owner = await ctx.staffToken(['owner']);
  const created = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/channels',
    headers: bearer(owner.token),
    payload: { id: 'acme', kind: 'push', name: 'Acme 支付', secrets: { pushSecrets: [SECRET] } },
  });
  expect(created.statusCode, created.body).toBe(201);
  memberId = (await ctx.registerMember('13100000001')).memberId;
  const bound = await ctx.app.inject({ method: 'PUT', url: '/api/admin/channels/acme/merchants/M-001', headers: bearer(owner.token), payload: { memberId } });
  expect(bound.statusCode, bound.body).toBe(200);
});
afterAll(() => ctx.close());

let seq = 0;
const sale = (over: Record<string, unknown> = {}) => ({
  channel_txn_id: `T${Date.now()}-${++seq}`,
  merchant_ref: 'M-001',
  amount_fen: 10_000,
  status: 'settled',
  occurred_at: '2026-11-20T10:00:00+08:00',
  ...over,
});

function push(body: unknown, opts: { secret?: string; ts?: number; raw?: string; headers?: Record<string, string>; channel?: string } = {}) {
  const raw = opts.raw ?? JSON.stringify(body);
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  return ctx.app.inject({
    method: 'POST',
    url: `/api/channels/${opts.channel ?? 'acme'}/transactions`,
    headers: {
      'content-type': 'application/json',
      'x-shanglian-timestamp': String(ts),
      'x-shanglian-signature': signPush(opts.secret ?? SECRET, ts, raw),
      ...opts.headers,
    },
    payload: raw,
  });
}

const count = async (table: string) => Number((await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from ${sql.identifier(table)}`))[0]!.n);

describe('signatures: verified before anything is parsed or written', () => {
  it.each([
    ['missing headers', { headers: { 'x-shanglian-signature': '', 'x-shanglian-timestamp': '' } }],
    ['wrong key', { secret: 'some-other-secret-000000000' }],
    ['stale timestamp', { ts: Math.floor(Date.now() / 1000) - 900 }],
    ['future timestamp', { ts: Math.floor(Date.now() / 1000) + 900 }],
    ['malformed signature', { headers: { 'x-shanglian-signature': 'v1=zz' } }],
    ['bad timestamp', { headers: { 'x-shanglian-timestamp': '12abc' } }],
  ])('%s → 401, nothing written', async (_name, opts) => {
    const before = [await count('channel_transactions'), await count('outbox_events')];
    const res = await push(sale(), opts as never);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('SIGNATURE_INVALID');
    expect([await count('channel_transactions'), await count('outbox_events')]).toEqual(before);
  });

  it('a body altered by one byte after signing is refused', async () => {
    const raw = JSON.stringify(sale());
    const ts = Math.floor(Date.now() / 1000);
    const signature = signPush(SECRET, ts, raw);
    const altered = raw.replace('10000', '10001');
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/channels/acme/transactions',
      headers: { 'content-type': 'application/json', 'x-shanglian-timestamp': String(ts), 'x-shanglian-signature': signature },
      payload: altered,
    });
    expect(res.statusCode).toBe(401);
  });

  it('an unknown channel is 404', async () => {
    expect((await push(sale(), { channel: 'nope' })).statusCode).toBe(404);
  });

  it('during rotation both secrets work, and the old one stops afterwards', async () => {
    await ctx.app.inject({ method: 'PATCH', url: '/api/admin/channels/acme', headers: bearer(owner.token), payload: { secrets: { pushSecrets: [NEW_SECRET, SECRET] } } });
    expect((await push(sale(), { secret: NEW_SECRET })).statusCode).toBe(200);
    expect((await push(sale(), { secret: SECRET })).statusCode).toBe(200);
    await ctx.app.inject({ method: 'PATCH', url: '/api/admin/channels/acme', headers: bearer(owner.token), payload: { secrets: { pushSecrets: [NEW_SECRET] } } });
    expect((await push(sale(), { secret: SECRET })).statusCode).toBe(401);
    await ctx.app.inject({ method: 'PATCH', url: '/api/admin/channels/acme', headers: bearer(owner.token), payload: { secrets: { pushSecrets: [SECRET] } } });
  });

  it('secrets are never returned in full', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/admin/channels', headers: bearer(owner.token) });
    expect(res.body).not.toContain(SECRET);
    expect(res.json().items[0].secrets.pushSecrets[0]).toBe(`••••${SECRET.slice(-4)}`);
    const audit = await ctx.app.inject({ method: 'GET', url: '/api/admin/audit-log?targetType=channel', headers: bearer(owner.token) });
    expect(audit.body).not.toContain(SECRET);
  });
});

describe('records', () => {
  it('accepts a single record and emits transaction_settled once', async () => {
    const rec = sale({ amount_fen: '2500' });
    const res = await push(rec);
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([{ index: 0, channel_txn_id: rec.channel_txn_id, result: 'accepted' }]);
    const events = await queryRows<{ type: string; payload: { memberId: number; amountFen: string } }>(ctx.database.db, sql`
      select type, payload from outbox_events where payload->>'channelTxnId' = ${rec.channel_txn_id}`);
    expect(events).toEqual([{ type: 'transaction_settled', payload: expect.objectContaining({ memberId, amountFen: '2500' }) }]);
  });

  it('a single record of an unknown merchant is rejected and writes nothing', async () => {
    const before = [await count('channel_transactions'), await count('outbox_events')];
    const res = await push(sale({ merchant_ref: 'NOBODY' }));
    expect(res.json().results[0]).toMatchObject({ result: 'rejected', code: 'UNKNOWN_MERCHANT' });
    expect([await count('channel_transactions'), await count('outbox_events')]).toEqual(before);
  });

  it('a sale pushed alone and one pushed in a batch are stored and announced alike', async () => {
    // One record takes its own statement (scalar parameters, one reusable plan); a batch takes the array statement.
    const alone = sale({ amount_fen: 1234, occurred_at: '2026-11-20T10:00:00.123456+08:00' });
    const batched = sale({ amount_fen: 1234, occurred_at: '2026-11-20T10:00:00.123456+08:00' });
    expect((await push(alone)).json().results[0].result).toBe('accepted');
    expect((await push({ records: [batched, sale()] })).json().results[0].result).toBe('accepted');
    const rows = await queryRows<{ payload: Record<string, unknown>; subject: string; member_id: number | string; amount: string; occurred_at: string; state: string }>(ctx.database.db, sql`
      select e.payload, e.subject, t.member_id, t.amount::text as amount, t.occurred_at::text as occurred_at, t.state
      from outbox_events e join channel_transactions t on e.subject = 'channel_transaction:' || t.id
      where t.channel_txn_id in (${alone.channel_txn_id}, ${batched.channel_txn_id}) order by t.id`);
    expect(rows).toHaveLength(2);
    const shape = (r: (typeof rows)[number]) => ({ ...r, subject: undefined, payload: { ...r.payload, transactionId: undefined, channelTxnId: undefined } });
    expect(shape(rows[0]!)).toEqual(shape(rows[1]!));
    expect(rows[0]!.payload).toMatchObject({ channelId: 'acme', memberId, amountFen: '1234', occurredAt: '2026-11-20T02:00:00.123Z', originalTxnId: null });
  });

  it('a replay gets the same result and has no effect; the same id with other content is a conflict', async () => {
    const rec = sale();
    await push(rec);
    const before = await count('outbox_events');
    const again = await push(rec);
    expect(again.json().results[0]).toMatchObject({ result: 'duplicate', original_result: 'accepted' });
    const changed = await push({ ...rec, amount_fen: 1 });
    expect(changed.json().results[0]).toMatchObject({ result: 'conflict', code: 'CONFLICT' });
    expect(await count('outbox_events')).toBe(before);
  });

  it('a batch answers per record; bad records never block good ones', async () => {
    const good = sale();
    const body = {
      records: [
        good,
        sale({ amount_fen: -5 }),
        sale({ amount_fen: 1.5 }),
        sale({ amount_fen: '1e3' }),
        sale({ status: 'pending' }),
        { channel_txn_id: 'X1' },
        sale({ merchant_ref: 'NOBODY' }),
        sale({ status: 'refunded' }),
        'not an object',
        good,
      ],
    };
    const res = await push(body);
    expect(res.statusCode).toBe(200);
    const r = res.json().results;
    expect(r.map((x: { result: string }) => x.result)).toEqual(['accepted', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'duplicate']);
    expect(r[6].code).toBe('UNKNOWN_MERCHANT');
    expect(r[1].message).toContain('amount_fen');
    expect(res.json().summary).toEqual({ accepted: 1, held: 0, duplicate: 1, conflict: 0, rejected: 8 });
  });

  it('a refund that arrives before its sale is held, then applied when the sale comes', async () => {
    const s = sale({ amount_fen: 5000 });
    const refund = sale({ status: 'refunded', amount_fen: 2000, original_txn_id: s.channel_txn_id });
    expect((await push(refund)).json().results[0].result).toBe('held');
    expect((await push(refund)).json().results[0]).toMatchObject({ result: 'duplicate', original_result: 'held' });
    expect((await push(s)).json().results[0].result).toBe('accepted');
    const events = await queryRows<{ type: string }>(ctx.database.db, sql`
      select type from outbox_events where payload->>'channelTxnId' in (${s.channel_txn_id}, ${refund.channel_txn_id}) order by id`);
    expect(events.map((e) => e.type)).toEqual(['transaction_settled', 'transaction_refunded']);
  });

  it('refunds cannot exceed their sale', async () => {
    const s = sale({ amount_fen: 1000 });
    await push(s);
    const r1 = await push(sale({ status: 'refunded', amount_fen: 600, original_txn_id: s.channel_txn_id }));
    expect(r1.json().results[0].result).toBe('accepted');
    const r2 = await push(sale({ status: 'refunded', amount_fen: 500, original_txn_id: s.channel_txn_id }));
    expect(r2.json().results[0]).toMatchObject({ result: 'rejected', code: 'INVALID_REFUND' });
  });

  it('refuses malformed requests as a whole with a clear 4xx', async () => {
    expect((await push(null, { raw: '{"records": [' })).json().error.code).toBe('INVALID_JSON');
    expect((await push([sale()])).statusCode).toBe(400);
    expect((await push({ records: [] })).statusCode).toBe(400);
    const tooMany = await push({ records: Array.from({ length: 1001 }, () => sale()) });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.details[0].message).toContain('1001');
    const huge = await push(null, { raw: JSON.stringify({ records: [sale({ merchant_ref: 'x'.repeat(1024 * 1024) })] }) });
    expect(huge.statusCode).toBe(413);
  });

  it('1,000 records in one request are stored and answered in order', async () => {
    const records = Array.from({ length: 1000 }, (_, i) => sale({ amount_fen: 100 + i }));
    const res = await push({ records });
    expect(res.json().summary.accepted).toBe(1000);
    expect(res.json().results[999].channel_txn_id).toBe(records[999]!.channel_txn_id);
  });
});

describe('outbox consumers', () => {
  it('see every event exactly once, in order, and a failed handler moves nothing', async () => {
    const seen: number[] = [];
    await waitForOutboxHorizon(ctx.database.db);
    await expect(consumeEvents(ctx.database.db, 'test-consumer', ['transaction_settled'], async () => {
      throw new Error('handler failed');
    })).rejects.toThrow('handler failed');
    while ((await consumeEvents(ctx.database.db, 'test-consumer', ['transaction_settled'], async (_tx, events) => {
      seen.push(...events.map((e) => e.id));
    }, 100)) > 0);
    const all = await queryRows<{ id: number | string }>(ctx.database.db, sql`select id from outbox_events where type = 'transaction_settled' order by id`);
    expect(seen).toEqual(all.map((r) => Number(r.id)));
    expect(await consumeEvents(ctx.database.db, 'test-consumer', ['transaction_settled'], async () => {})).toBe(0);
  });
});

describe('hostile input', () => {
  it('random bytes at the push endpoint never cause a 5xx or a write', async () => {
    const before = [await count('channel_transactions'), await count('outbox_events')];
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (bytes, signed) => {
        const raw = Buffer.from(bytes);
        const ts = Math.floor(Date.now() / 1000);
        const res = await ctx.app.inject({
          method: 'POST',
          url: '/api/channels/acme/transactions',
          headers: {
            'content-type': 'application/json',
            'x-shanglian-timestamp': String(ts),
            'x-shanglian-signature': signed ? signPush(SECRET, ts, raw) : `v1=${crypto.randomBytes(32).toString('hex')}`,
          },
          payload: raw,
        });
        expect(res.statusCode).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    // Random bytes that happen to be a valid record are astronomically unlikely; nothing was stored.
    expect([await count('channel_transactions'), await count('outbox_events')]).toEqual(before);
  });
});

describe.skipIf(!onPostgres)('replays in parallel (PostgreSQL)', () => {
  it('the same record pushed 100 times at once has one effect', async () => {
    const rec = sale({ amount_fen: 777 });
    const responses = await Promise.all(Array.from({ length: 100 }, () => push(rec)));
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    const outcomes = responses.map((r) => r.json().results[0].result);
    expect(outcomes.filter((o: string) => o === 'accepted')).toHaveLength(1);
    expect(outcomes.filter((o: string) => o === 'duplicate')).toHaveLength(99);
    const rows = await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from outbox_events where payload->>'channelTxnId' = ${rec.channel_txn_id}`);
    expect(Number(rows[0]!.n)).toBe(1);
  });
});

describe('the signature window', () => {
  it('accepts up to 300 s of clock skew either way and refuses 301', async () => {
    const { verifyPush } = await import('../../src/modules/channels/push-signature.js');
    const body = Buffer.from('{}');
    const now = 1_800_000_000;
    for (const [offset, ok] of [[-300, true], [300, true], [-301, false], [301, false]] as const) {
      const ts = String(now + offset);
      expect(verifyPush([SECRET], { timestamp: ts, signature: signPush(SECRET, ts, body) }, body, now).ok).toBe(ok);
    }
  });
});

describe('refund replays', () => {
  it('a re-sent refund is a duplicate, even when it used up its sale; with other content it is a conflict', async () => {
    const s = sale({ amount_fen: 1000 });
    const refund = sale({ status: 'refunded', amount_fen: 1000, original_txn_id: s.channel_txn_id });
    expect((await push({ records: [s, refund] })).json().summary.accepted).toBe(2);
    const again = await push({ records: [s, refund] });
    expect(again.json().results.map((r: { result: string }) => r.result)).toEqual(['duplicate', 'duplicate']);
    const changed = await push(sale({ ...refund, amount_fen: 999 }));
    expect(changed.json().results[0]).toMatchObject({ result: 'conflict' });
  });
});
