import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { createFieldCipher } from '../../src/lib/crypto.js';
import { createPasswordHasher } from '../../src/modules/auth/passwords.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { planDemoNetwork } from '../../src/modules/members/demo-network.js';
import { DEMO_CHANNEL_ID, MAX_DEMO_SALE_FEN, MIN_DEMO_SALE_FEN, planDemoSales } from '../../src/modules/members/demo-sales.js';
import { seedDemo } from '../../src/modules/members/demo-seed.js';
import { createFileStore } from '../../src/modules/onboarding/files.js';
import { monthOf, shiftMonth } from '../../src/modules/performance/performance.service.js';
import { drainRewards, REWARDS_CONSUMER } from '../../src/modules/rewards/rewards.service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { drainAllPerformance } from '../levels/drain.js';

/**
 * seed-demo's year of sales, through the services on PGlite or PostgreSQL:
 * pushed through channel ingest for the active members only, spread over
 * 12 months, added once, and turned into performance per month of the sale
 * and rewards by the ordinary consumers.
 */
const TZ = 'Asia/Shanghai';
let database: TestDatabase;
const db = () => database.db;
let first: Awaited<ReturnType<typeof seedDemo>>;
let second: Awaited<ReturnType<typeof seedDemo>>;
let uploads: string;

const rows = <T>(q: ReturnType<typeof sql>) => queryRows<T>(db(), q);
const one = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: unknown }>(q))[0]!.n);

beforeAll(async () => {
  database = await createTestDatabase();
  uploads = fs.mkdtempSync(path.join(os.tmpdir(), 'shanglian-demo-'));
  const cipher = createFieldCipher(Buffer.alloc(32, 7));
  const deps = { hasher: createPasswordHasher({ memoryKib: 1024, timeCost: 1 }), cipher, files: createFileStore(uploads, 5 * 1024 * 1024, cipher), timeZone: TZ };
  first = await seedDemo(db(), deps, { password: 'demo12345' });
  second = await seedDemo(db(), deps, { password: 'demo12345' });
}, 240_000);
afterAll(async () => {
  await database?.dispose();
  fs.rmSync(uploads, { recursive: true, force: true });
});

describe('seed-demo sales', () => {
  it('pushes a few thousand sales and some refunds through the demo push channel', async () => {
    expect(first.salesPushed).toBeGreaterThan(3_000);
    expect(first.sales.sales).toBeGreaterThanOrEqual(3_000);
    expect(first.sales.sales).toBeLessThanOrEqual(8_000);
    expect(first.sales.refunds).toBeGreaterThan(0);
    expect(first.salesPushed).toBe(first.sales.sales + first.sales.refunds);
    const [channel] = await rows<{ kind: string; name: string; enabled: boolean }>(sql`select kind, name, enabled from channels where id = ${DEMO_CHANNEL_ID}`);
    expect(channel).toEqual({ kind: 'push', name: '演示收单通道', enabled: true });
    // Stored as ingest stores them, each with the event the consumers read.
    expect(await one(sql`select count(*) as n from channel_transactions where channel_id = ${DEMO_CHANNEL_ID} and state <> 'applied'`)).toBe(0);
    expect(await one(sql`
      select count(*) as n from outbox_events e join channel_transactions t on e.subject = 'channel_transaction:' || t.id
      where t.channel_id = ${DEMO_CHANNEL_ID} and e.type = 'transaction_settled'`)).toBe(first.sales.sales);
  });

  it('only active members sell, each bound to the channel under its own merchant number', async () => {
    const active = await one(sql`select count(*) as n from onboarding_applications where state = 'active'`);
    expect(first.network.states.active).toBe(active);
    expect(await one(sql`
      select count(*) as n from channel_transactions t left join onboarding_applications a on a.member_id = t.member_id
      where t.channel_id = ${DEMO_CHANNEL_ID} and a.state is distinct from 'active'`)).toBe(0);
    expect(await one(sql`select count(*) as n from channel_merchants where channel_id = ${DEMO_CHANNEL_ID}`)).toBe(active);
    expect(first.sales.merchants).toBeGreaterThan(active * 0.9);
    expect(await one(sql`select count(*) as n from channel_merchants where channel_id = ${DEMO_CHANNEL_ID} and merchant_ref !~ '^898[0-9]{12}$'`)).toBe(0);
  });

  it('spreads the sales over the 12 months before now, recent months busier, ¥20-¥3,000 each', async () => {
    const now = new Date();
    const last = monthOf(new Date(now.getTime() - 86_400_000), TZ);
    const months = await rows<{ month: string; n: number }>(sql`
      select to_char(occurred_at at time zone ${TZ}, 'YYYY-MM-01') as month, count(*)::int as n
      from channel_transactions where channel_id = ${DEMO_CHANNEL_ID} and status = 'settled' group by 1 order by 1`);
    expect(months.map((m) => m.month)).toEqual(Array.from({ length: 12 }, (_, i) => shiftMonth(last, i - 11)));
    expect(first.sales).toMatchObject({ months: 12, firstMonth: shiftMonth(last, -11).slice(0, 7), lastMonth: last.slice(0, 7) });
    const n = months.map((m) => Number(m.n));
    // The last whole months against the first three.
    expect(n[8]! + n[9]! + n[10]!).toBeGreaterThan(1.5 * (n[0]! + n[1]! + n[2]!));
    const [range] = await rows<{ min: string; max: string; future: number }>(sql`
      select min(amount)::text as min, max(amount)::text as max, count(*) filter (where occurred_at >= now())::int as future
      from channel_transactions where channel_id = ${DEMO_CHANNEL_ID} and status = 'settled'`);
    expect(BigInt(range!.min)).toBeGreaterThanOrEqual(MIN_DEMO_SALE_FEN);
    expect(BigInt(range!.max)).toBeLessThanOrEqual(MAX_DEMO_SALE_FEN);
    expect(range!.future).toBe(0);
    // A refund comes after its sale, from the same shop, and never exceeds it.
    expect(await one(sql`
      select count(*) as n from channel_transactions r join channel_transactions s on s.channel_id = r.channel_id and s.channel_txn_id = r.original_txn_id
      where r.channel_id = ${DEMO_CHANNEL_ID} and r.status = 'refunded'
        and (r.occurred_at <= s.occurred_at or r.occurred_at >= now() or r.amount > s.amount or r.member_id <> s.member_id)`)).toBe(0);
  });

  it('a second run adds nothing and describes the same sales', async () => {
    expect(second.salesPushed).toBe(0);
    expect(second.sales).toEqual(first.sales);
    expect(await one(sql`select count(*) as n from channel_transactions where channel_id = ${DEMO_CHANNEL_ID}`)).toBe(first.salesPushed);
  });

  it('plans the same records from the same anchor, each member from its own stream', () => {
    const plan = planDemoNetwork();
    const sellers = new Set(plan.filter((m) => m.state === 'active').map((m) => m.phone));
    const anchor = new Date('2026-03-01T02:00:00+08:00');
    const records = planDemoSales(plan, sellers, anchor, TZ);
    expect(planDemoSales(plan, sellers, anchor, TZ)).toEqual(records);
    // On the 1st the window is the 12 whole months before.
    expect(monthOf(new Date(records[0]!.at), TZ)).toBe('2025-03-01');
    expect(monthOf(new Date(records.at(-1)!.at), TZ)).toBe('2026-02-01');
    // Leaving a member out changes nobody else's records.
    const without = planDemoSales(plan, new Set([...sellers].filter((p) => p !== '13800000001')), anchor, TZ);
    expect(without).toEqual(records.filter((r) => !r.channel_txn_id.startsWith('DEMO-0001-')));
  });

  it('the consumers turn them into performance in the month of each sale, and rewards', async () => {
    await drainAllPerformance(db(), TZ, 60_000);
    const deadline = Date.now() + 60_000;
    const pending = () => one(sql`
      select count(*) as n from outbox_events e
      where e.type in ('transaction_settled', 'transaction_refunded', 'onboarding_fee_paid')
        and (e.xid, e.id) > coalesce((select (last_xid, last_id) from outbox_cursors where consumer = ${REWARDS_CONSUMER}), ('0'::xid8, 0::bigint))`);
    for (;;) {
      await drainRewards(db(), TZ);
      if ((await pending()) === 0) break;
      if (Date.now() > deadline) throw new Error('reward events still pending');
    }
    // The network's volume per month is the month's sales less its refunds.
    const byMonth = await rows<{ month: string; performance: string; sales: string }>(sql`
      with s as (
        select date_trunc('month', occurred_at at time zone ${TZ})::date as month,
          sum(case when status = 'settled' then amount else -amount end) as net
        from channel_transactions where channel_id = ${DEMO_CHANNEL_ID} group by 1),
      p as (select month, sum(personal_settled - personal_refunded) as net from member_performance group by 1)
      select s.month::text as month, coalesce(p.net, 0)::text as performance, s.net::text as sales from s left join p on p.month = s.month order by 1`);
    expect(byMonth).toHaveLength(12);
    for (const m of byMonth) expect(m.performance, m.month).toBe(m.sales);
    // The first demo member leads a team that sold in every month.
    const team = await rows<{ month: string; team: string }>(sql`
      select p.month::text as month, p.team_settled::text as team from member_performance p join members m on m.id = p.member_id
      where m.phone = '13800000001' and p.team_settled > 0`);
    expect(team).toHaveLength(12);
    // Sales pay the level's profit share to the uplines, in the month of the sale.
    expect(await one(sql`select count(distinct month) as n from reward_payouts where trigger = 'transaction_settled'`)).toBe(12);
    expect((await verifyLedger(db())).ok).toBe(true);
  });
});
