import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryInput } from '../../src/modules/ledger/ledger.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { paymentEntry as payment, postEntries, rewardEntry as reward } from '../helpers/ledger.js';
import { insertMembers } from '../helpers/members.js';

/** The journal browser of the console: GET /api/admin/ledger/entries and /entries/:id. */
let ctx: TestContext;
let viewer: string;
let memberToken: string;
let a: number;
let b: number;
/** Entry ids by idempotency key, in posting order. */
const ids = new Map<string, number>();
/** Between the first three entries and the rest. */
let boundary: Date;

const withdrawal = (key: string, member: number, amount: bigint): EntryInput => ({
  idempotencyKey: key,
  kind: 'withdrawal_request',
  sourceType: 'withdrawal',
  sourceId: key,
  postings: [
    { account: 'wallet:available', memberId: member, amount: -amount },
    { account: 'wallet:withdrawing', memberId: member, amount },
  ],
});

beforeAll(async () => {
  ctx = await createTestContext();
  [a, b] = (await insertMembers(ctx.database.db, 2)) as [number, number];
  viewer = (await ctx.staffToken(['viewer'])).token;
  memberToken = (await ctx.registerMember('13900000077')).token;
  await postEntries(ctx.database.db, [reward('reward:1', a, 1000n), reward('reward:2', b, 2500n), payment('payment:SL1', 99900n)], ids);
  // Entries take their time from their transaction; leave a gap so the boundary falls between them.
  await new Promise((r) => setTimeout(r, 50));
  boundary = new Date();
  await new Promise((r) => setTimeout(r, 50));
  await postEntries(ctx.database.db, [withdrawal('withdrawal:7:requested', a, 400n), reward('reward:3', a, 300n), payment('payment:SL2', 29900n)], ids);
});
afterAll(() => ctx.close());

type EntryOut = {
  id: number;
  kind: string;
  idempotencyKey: string;
  totalFen: string;
  createdAt: string;
  postings: { account: string; member: { id: number; displayName: string; phone: string } | null; amountFen: string; debitFen: string | null; creditFen: string | null; balanceAfterFen: string | null }[];
};
type Page = { items: EntryOut[]; nextCursor: string | null };

async function list(query: string, token = viewer): Promise<Page> {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/admin/ledger/entries${query}`, headers: bearer(token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Page;
}
const keys = (p: Page) => p.items.map((e) => e.idempotencyKey);

describe('GET /api/admin/ledger/entries', () => {
  it('lists every entry newest first with its postings as debits and credits', async () => {
    const page = await list('');
    expect(keys(page)).toEqual(['payment:SL2', 'reward:3', 'withdrawal:7:requested', 'payment:SL1', 'reward:2', 'reward:1']);
    expect(page.nextCursor).toBeNull();
    const r1 = page.items.find((e) => e.idempotencyKey === 'reward:1')!;
    expect(r1.id).toBe(ids.get('reward:1'));
    expect(r1.kind).toBe('reward');
    expect(r1.totalFen).toBe('1000');
    expect(r1.postings).toEqual([
      { id: expect.any(Number), account: 'wallet:available', member: { id: a, displayName: expect.any(String), phone: expect.stringContaining('****') }, amountFen: '1000', debitFen: '1000', creditFen: null, balanceAfterFen: '1000' },
      { id: expect.any(Number), account: 'rewards:expense', member: null, amountFen: '-1000', debitFen: null, creditFen: '1000', balanceAfterFen: null },
    ]);
  });

  it('filters by kind (one or several)', async () => {
    expect(keys(await list('?kind=payment'))).toEqual(['payment:SL2', 'payment:SL1']);
    expect(keys(await list('?kind=payment,withdrawal_request'))).toEqual(['payment:SL2', 'withdrawal:7:requested', 'payment:SL1']);
  });

  it('filters by idempotency key prefix', async () => {
    expect(keys(await list('?key=reward:'))).toEqual(['reward:3', 'reward:2', 'reward:1']);
    expect(keys(await list('?key=withdrawal:7:'))).toEqual(['withdrawal:7:requested']);
    // A prefix, not a pattern: LIKE wildcards match only themselves.
    expect(keys(await list(`?key=${encodeURIComponent('reward:%')}`))).toEqual([]);
  });

  it("filters by member: entries with a posting on that member's wallet", async () => {
    expect(keys(await list(`?memberId=${a}`))).toEqual(['reward:3', 'withdrawal:7:requested', 'reward:1']);
    expect(keys(await list(`?memberId=${b}`))).toEqual(['reward:2']);
    expect(keys(await list(`?memberId=${a}&kind=reward`))).toEqual(['reward:3', 'reward:1']);
  });

  it('filters by time range (from inclusive, to exclusive)', async () => {
    const at = encodeURIComponent(boundary.toISOString());
    expect(keys(await list(`?from=${at}`))).toEqual(['payment:SL2', 'reward:3', 'withdrawal:7:requested']);
    expect(keys(await list(`?to=${at}`))).toEqual(['payment:SL1', 'reward:2', 'reward:1']);
    expect(keys(await list(`?to=${at}&memberId=${a}`))).toEqual(['reward:1']);
  });

  it('pages with a keyset cursor, with and without the member filter', async () => {
    for (const filter of ['', `&memberId=${a}`]) {
      const all = keys(await list(`?limit=200${filter}`));
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page = await list(`?limit=2${filter}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...keys(page));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / 2));
    }
  });

  it('refuses unknown kinds and malformed filters', async () => {
    for (const q of ['?kind=reward,bogus', '?memberId=abc', '?from=yesterday', '?limit=0']) {
      const res = await ctx.app.inject({ method: 'GET', url: `/api/admin/ledger/entries${q}`, headers: bearer(viewer) });
      expect(res.statusCode, q).toBe(400);
    }
  });
});

describe('GET /api/admin/ledger/entries/:id', () => {
  it('returns one entry with its postings', async () => {
    const id = ids.get('withdrawal:7:requested')!;
    const res = await ctx.app.inject({ method: 'GET', url: `/api/admin/ledger/entries/${id}`, headers: bearer(viewer) });
    expect(res.statusCode).toBe(200);
    const entry = res.json() as EntryOut;
    expect(entry).toMatchObject({ id, kind: 'withdrawal_request', totalFen: '400' });
    expect(entry.postings.map((p) => [p.account, p.debitFen, p.creditFen, p.balanceAfterFen])).toEqual([
      ['wallet:available', null, '400', '600'],
      ['wallet:withdrawing', '400', null, '400'],
    ]);
  });

  it('is 404 for an entry that does not exist', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/admin/ledger/entries/99999999', headers: bearer(viewer) });
    expect(res.statusCode).toBe(404);
  });
});

describe('who may read the journal', () => {
  it('owner, finance and viewer may; other staff, members and anonymous callers may not', async () => {
    for (const role of ['owner', 'finance'] as const) {
      const token = (await ctx.staffToken([role])).token;
      expect((await list('?limit=1', token)).items.length).toBe(1);
    }
    const id = ids.get('reward:1')!;
    for (const url of ['/api/admin/ledger/entries', `/api/admin/ledger/entries/${id}`]) {
      for (const role of ['ops', 'risk'] as const) {
        const token = (await ctx.staffToken([role])).token;
        expect((await ctx.app.inject({ method: 'GET', url, headers: bearer(token) })).statusCode).toBe(403);
      }
      expect((await ctx.app.inject({ method: 'GET', url, headers: bearer(memberToken) })).statusCode).toBe(403);
      expect((await ctx.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    }
  });
});
