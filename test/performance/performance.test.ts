import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFieldCipher } from '../../src/lib/crypto.js';
import { queryRows } from '../../src/db/client.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { bindMerchant, createChannel } from '../../src/modules/channels/channels.service.js';
import { ingestRecords } from '../../src/modules/channels/ingest.service.js';
import { monthFigures, performanceFacts } from '../../src/modules/performance/figures.service.js';
import { closeMonth, drainPerformance, monthOf, rebuildPerformance, shiftMonth } from '../../src/modules/performance/performance.service.js';
import { bindFirst, moveMember } from '../../src/modules/referrals/tree.service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { insertMembers } from '../helpers/members.js';

const TZ = 'Asia/Shanghai';
const actor = systemAuditContext('test');
let database: TestDatabase;
const db = () => database.db;
const cipher = createFieldCipher(Buffer.alloc(32, 7));
let channelSeq = 0;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

async function newChannel(memberIds: number[]) {
  const id = `perf${++channelSeq}`;
  await createChannel(db(), cipher, actor, { id, kind: 'push', name: id, enabled: true, config: {}, secrets: { pushSecrets: ['0123456789abcdef0123'] } });
  for (const m of memberIds) await bindMerchant(db(), actor, id, `M${m}`, m);
  return id;
}

type Stored = { memberId: number; month: string; settled: bigint; refunded: bigint };

/** The naive model: every applied transaction, summed per member and month, team = sum over the current subtree. */
async function naive(members: number[]) {
  const txns = await queryRows<{ member_id: number | string; status: string; amount: string; occurred_at: Date | string }>(db(), sql`
    select member_id, status, amount::text, occurred_at from channel_transactions where state = 'applied' and member_id = any(${`{${members.join(',')}}`}::bigint[])`);
  const tree = await queryRows<{ member_id: number | string; parent_id: number | string | null }>(db(), sql`
    select member_id, parent_id from member_tree where member_id = any(${`{${members.join(',')}}`}::bigint[])`);
  const parent = new Map(tree.map((t) => [Number(t.member_id), t.parent_id === null ? null : Number(t.parent_id)]));
  const personal = new Map<string, Stored>();
  // A record dated after the month it reached us in (a channel's clock ahead) counts in the month it arrived: now.
  const arrival = monthOf(new Date(), TZ);
  for (const t of txns) {
    const occurred = monthOf(new Date(t.occurred_at), TZ);
    const month = occurred > arrival ? arrival : occurred;
    const key = `${t.member_id}|${month}`;
    const row = personal.get(key) ?? { memberId: Number(t.member_id), month, settled: 0n, refunded: 0n };
    if (t.status === 'settled') row.settled += BigInt(t.amount);
    else row.refunded += BigInt(t.amount);
    personal.set(key, row);
  }
  const team = new Map<string, { settled: bigint; refunded: bigint; active: number }>();
  for (const p of personal.values()) {
    for (let a = parent.get(p.memberId) ?? null; a !== null; a = parent.get(a) ?? null) {
      const key = `${a}|${p.month}`;
      const row = team.get(key) ?? { settled: 0n, refunded: 0n, active: 0 };
      row.settled += p.settled;
      row.refunded += p.refunded;
      if (p.settled > 0n) row.active += 1;
      team.set(key, row);
    }
  }
  return { personal, team };
}

async function stored(members: number[]) {
  const rows = await queryRows<Record<string, string | number>>(db(), sql`
    select member_id, month::text as month, personal_settled::text as ps, personal_refunded::text as pr, team_settled::text as ts, team_refunded::text as tr, team_active as ta,
      earlier_personal_net::text as ep, earlier_team_net::text as et
    from member_performance where member_id = any(${`{${members.join(',')}}`}::bigint[])`);
  return new Map(rows.map((r) => [`${r.member_id}|${r.month}`, r]));
}

async function expectMatchesNaive(members: number[]) {
  const model = await naive(members);
  const actual = await stored(members);
  const keys = new Set([...model.personal.keys(), ...model.team.keys()]);
  for (const key of keys) {
    const p = model.personal.get(key);
    const t = model.team.get(key);
    const row = actual.get(key);
    expect(row, key).toBeDefined();
    expect({ key, ps: row!.ps, pr: row!.pr, ts: row!.ts, tr: row!.tr, ta: Number(row!.ta) }).toEqual({
      key,
      ps: String(p?.settled ?? 0n),
      pr: String(p?.refunded ?? 0n),
      ts: String(t?.settled ?? 0n),
      tr: String(t?.refunded ?? 0n),
      ta: t?.active ?? 0,
    });
  }
  // Rows the model does not know must be all zeros (e.g. left behind by a move).
  for (const [key, row] of actual) {
    if (keys.has(key)) continue;
    expect({ key, ps: row.ps, pr: row.pr, ts: row.ts, tr: row.tr, ta: Number(row.ta) }).toEqual({ key, ps: '0', pr: '0', ts: '0', tr: '0', ta: 0 });
  }
  // Every row carries the net of the member's earlier months, personal and team.
  for (const [key, row] of actual) {
    const [member, month] = key.split('|') as [string, string];
    let ep = 0n;
    let et = 0n;
    for (const k of keys) {
      const [m, mo] = k.split('|') as [string, string];
      if (m !== member || mo >= month) continue;
      const p = model.personal.get(k);
      const t = model.team.get(k);
      ep += (p?.settled ?? 0n) - (p?.refunded ?? 0n);
      et += (t?.settled ?? 0n) - (t?.refunded ?? 0n);
    }
    expect({ key, ep: row.ep, et: row.et }).toEqual({ key, ep: String(ep), et: String(et) });
  }
}

describe('month boundaries in Asia/Shanghai', () => {
  it('a sale at 23:59:59 on the last day counts in that month; one second later in the next', () => {
    expect(monthOf(new Date('2026-10-31T15:59:59.999Z'), TZ)).toBe('2026-10-01');
    expect(monthOf(new Date('2026-10-31T16:00:00.000Z'), TZ)).toBe('2026-11-01');
    // Midnight UTC is already 08:00 in Shanghai: still the same day and month.
    expect(monthOf(new Date('2026-12-01T00:00:00Z'), TZ)).toBe('2026-12-01');
    expect(monthOf(new Date('2026-11-30T16:00:00Z'), TZ)).toBe('2026-12-01');
    expect(monthOf(new Date('2026-12-31T16:00:00Z'), TZ)).toBe('2027-01-01');
    expect(shiftMonth('2027-01-01', -1)).toBe('2026-12-01');
    expect(shiftMonth('2026-12-01', 1)).toBe('2027-01-01');
  });

  it('through the pipeline: the same two sales land in October and November, for the member and its upline', async () => {
    const [a, b] = await insertMembers(db(), 2);
    await db().transaction((tx) => bindFirst(tx, { memberId: b!, parentId: a!, via: 'invite_code', actor }));
    const ch = await newChannel([b!]);
    await ingestRecords(db(), ch, [
      { channel_txn_id: 'edge-1', merchant_ref: `M${b}`, amount_fen: 100, status: 'settled', occurred_at: '2026-10-31T23:59:59+08:00' },
      { channel_txn_id: 'edge-2', merchant_ref: `M${b}`, amount_fen: 200, status: 'settled', occurred_at: '2026-11-01T00:00:00+08:00' },
    ]);
    await drainPerformance(db(), TZ);
    const f = await monthFigures(db(), [a!, b!], ['2026-10-01', '2026-11-01']);
    expect(f.get(b!)!.get('2026-10-01')!.personalNet).toBe(100n);
    expect(f.get(b!)!.get('2026-11-01')!.personalNet).toBe(200n);
    expect(f.get(a!)!.get('2026-10-01')).toMatchObject({ teamNet: 100n, teamActive: 1, personalNet: 0n });
    expect(f.get(a!)!.get('2026-11-01')).toMatchObject({ teamNet: 200n, teamActive: 1 });
    const facts = (await performanceFacts(db(), [a!], '2026-11-01')).get(a!)!;
    expect(facts.increment.team).toBe(100n);
    expect(facts.lifetime.teamNet).toBe(300n);
  });
});

describe('performance equals a naive recomputation from the transactions', () => {
  it('after random interleavings of sales (past months and now), refunds (some before their sale, some dated ahead of us), moves and partial processing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 4, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 12, maxLength: 12 }),
        fc.array(
          fc.oneof(
            // Days 0–80 from September 2026 (past months, late records), or now (day 81 on).
            fc.record({ op: fc.constant('sale' as const), who: fc.nat(), amount: fc.integer({ min: 1, max: 100_000 }), day: fc.integer({ min: 0, max: 100 }) }),
            fc.record({ op: fc.constant('refund' as const), which: fc.nat(), part: fc.integer({ min: 1, max: 100 }), early: fc.boolean() }),
            fc.record({ op: fc.constant('move' as const), who: fc.nat(), to: fc.nat() }),
            fc.record({ op: fc.constant('drain' as const) }),
          ),
          { minLength: 5, maxLength: 40 },
        ),
        async (n, parentSeeds, ops) => {
          const members = await insertMembers(db(), n);
          for (let i = 1; i < n; i++) {
            const parent = members[parentSeeds[i]! % i]!;
            await db().transaction((tx) => bindFirst(tx, { memberId: members[i]!, parentId: parent, via: 'invite_code', actor }));
          }
          const ch = await newChannel(members);
          const sales: { id: string; member: number; amount: number; at: string }[] = [];
          let seq = 0;
          for (const o of ops) {
            if (o.op === 'sale') {
              const member = members[o.who % n]!;
              const at = o.day > 80 ? new Date().toISOString() : new Date(Date.UTC(2026, 8, 1) + o.day * 86_400_000 + (o.who % 86_400) * 1000).toISOString();
              const id = `${ch}-s${++seq}`;
              sales.push({ id, member, amount: o.amount, at });
              await ingestRecords(db(), ch, [{ channel_txn_id: id, merchant_ref: `M${member}`, amount_fen: o.amount, status: 'settled', occurred_at: at }]);
            } else if (o.op === 'refund' && sales.length > 0) {
              const sale = sales[o.which % sales.length]!;
              const amount = Math.max(1, Math.floor((sale.amount * o.part) / 100));
              const at = new Date(new Date(sale.at).getTime() + 3 * 86_400_000).toISOString();
              if (o.early) {
                // The refund arrives before its sale: it is held, and applied when the sale comes.
                const saleId = `${ch}-s${++seq}`;
                const member = sale.member;
                await ingestRecords(db(), ch, [{ channel_txn_id: `${ch}-r${++seq}`, merchant_ref: `M${member}`, amount_fen: 1, status: 'refunded', occurred_at: at, original_txn_id: saleId }]);
                await ingestRecords(db(), ch, [{ channel_txn_id: saleId, merchant_ref: `M${member}`, amount_fen: 5, status: 'settled', occurred_at: sale.at }]);
              } else {
                await ingestRecords(db(), ch, [{ channel_txn_id: `${ch}-r${++seq}`, merchant_ref: `M${sale.member}`, amount_fen: amount, status: 'refunded', occurred_at: at, original_txn_id: sale.id }]);
              }
            } else if (o.op === 'move') {
              const who = members[o.who % n]!;
              const to = members[o.to % n]!;
              await moveMember(db(), actor, { memberId: who, newParentId: to === who ? null : to, reason: 'property test' }).catch((e: { code?: string }) => {
                if (e.code !== 'CONFLICT') throw e; // cycles and no-op moves are refused, as they should be
              });
            } else if (o.op === 'drain') {
              await drainPerformance(db(), TZ);
            }
          }
          await drainPerformance(db(), TZ);
          await expectMatchesNaive(members);
          // A rebuild from the transactions gives the very same figures.
          await rebuildPerformance(db(), TZ);
          await expectMatchesNaive(members);
        },
      ),
      { numRuns: 15 },
    );
  }, 240_000);
});

describe('closed months', () => {
  it('are never rewritten: a late record counts in the month it arrives, and a rebuild leaves the closed month alone', async () => {
    const [a, b] = await insertMembers(db(), 2);
    await db().transaction((tx) => bindFirst(tx, { memberId: b!, parentId: a!, via: 'invite_code', actor }));
    const ch = await newChannel([b!]);
    await ingestRecords(db(), ch, [{ channel_txn_id: 'old-1', merchant_ref: `M${b}`, amount_fen: 1000, status: 'settled', occurred_at: '2025-03-10T10:00:00+08:00' }]);
    await closeMonth(db(), TZ, '2025-03-01');
    await ingestRecords(db(), ch, [
      { channel_txn_id: 'old-2', merchant_ref: `M${b}`, amount_fen: 300, status: 'refunded', occurred_at: '2025-03-20T10:00:00+08:00', original_txn_id: 'old-1' },
    ]);
    await drainPerformance(db(), TZ);
    const now = monthOf(new Date(), TZ);
    const f = await monthFigures(db(), [a!, b!], ['2025-03-01', now]);
    expect(f.get(b!)!.get('2025-03-01')).toMatchObject({ personalSettled: 1000n, personalRefunded: 0n });
    expect(f.get(b!)!.get(now)).toMatchObject({ personalRefunded: 300n });
    expect(f.get(a!)!.get(now)).toMatchObject({ teamRefunded: 300n });

    // A move does not touch the closed month of the old or the new upline.
    const [c] = await insertMembers(db(), 1);
    await moveMember(db(), actor, { memberId: b!, newParentId: c!, reason: 'test' });
    const after = await monthFigures(db(), [a!, c!], ['2025-03-01', now]);
    expect(after.get(a!)!.get('2025-03-01')!.teamNet).toBe(1000n);
    expect(after.get(c!)!.get('2025-03-01')!.teamNet).toBe(0n);
    expect(after.get(c!)!.get(now)!.teamRefunded).toBe(300n);
    expect(after.get(a!)!.get(now)!.teamRefunded).toBe(0n);

    await rebuildPerformance(db(), TZ);
    const rebuilt = await monthFigures(db(), [a!, b!, c!], ['2025-03-01', now]);
    expect(rebuilt.get(a!)!.get('2025-03-01')!.teamNet).toBe(1000n);
    expect(rebuilt.get(b!)!.get(now)!.personalRefunded).toBe(300n);
    expect(rebuilt.get(c!)!.get(now)!.teamRefunded).toBe(300n);
  });
});

describe('records dated ahead of us', () => {
  it('count in the month they reach us (no row is ever ahead of the current month), remembered so for rebuilds', async () => {
    const [a, b] = await insertMembers(db(), 2);
    await db().transaction((tx) => bindFirst(tx, { memberId: b!, parentId: a!, via: 'invite_code', actor }));
    const ch = await newChannel([b!]);
    const now = monthOf(new Date(), TZ);
    const ahead = shiftMonth(now, 2);
    await ingestRecords(db(), ch, [{ channel_txn_id: 'ahead-1', merchant_ref: `M${b}`, amount_fen: 4200, status: 'settled', occurred_at: `${ahead.slice(0, 7)}-03T10:00:00+08:00` }]);
    await drainPerformance(db(), TZ);
    const f = await monthFigures(db(), [a!, b!], [now, ahead]);
    expect(f.get(b!)!.get(now)!.personalNet).toBe(4200n);
    expect(f.get(a!)!.get(now)!.teamNet).toBe(4200n);
    expect(f.get(b!)!.get(ahead)!.personalNet).toBe(0n);
    const [ra] = await queryRows<{ month: string; occurred_month: string }>(db(), sql`
      select r.month::text as month, r.occurred_month::text as occurred_month from performance_reattributions r
      join channel_transactions ct on ct.id = r.transaction_id where ct.channel_txn_id = 'ahead-1'`);
    expect(ra).toEqual({ month: now, occurred_month: ahead });
    await rebuildPerformance(db(), TZ);
    const rebuilt = await monthFigures(db(), [b!], [now, ahead]);
    expect(rebuilt.get(b!)!.get(now)!.personalNet).toBe(4200n);
    expect(rebuilt.get(b!)!.get(ahead)!.personalNet).toBe(0n);

    // A database from before this rule kept such a record in the month it was dated, remembering nothing: a rebuild folds it.
    await db().execute(sql`delete from performance_reattributions where transaction_id = (select id from channel_transactions where channel_txn_id = 'ahead-1')`);
    await db().execute(sql`update member_performance set month = ${ahead}::date where member_id in (${a!}, ${b!}) and month = ${now}::date`);
    await rebuildPerformance(db(), TZ);
    const folded = await monthFigures(db(), [a!, b!], [now, ahead]);
    expect([folded.get(b!)!.get(now)!.personalNet, folded.get(a!)!.get(now)!.teamNet, folded.get(b!)!.get(ahead)!.personalNet, folded.get(a!)!.get(ahead)!.teamNet]).toEqual([4200n, 4200n, 0n, 0n]);
  });
});

describe('closing after the fact', () => {
  it('a record applied while its month was open stays in that month through a close and a rebuild', async () => {
    const [a, b] = await insertMembers(db(), 2);
    await db().transaction((tx) => bindFirst(tx, { memberId: b!, parentId: a!, via: 'invite_code', actor }));
    const ch = await newChannel([b!]);
    await ingestRecords(db(), ch, [{ channel_txn_id: 'late-open', merchant_ref: `M${b}`, amount_fen: 1000, status: 'settled', occurred_at: '2025-05-31T23:30:00+08:00' }]);
    await drainPerformance(db(), TZ);
    await closeMonth(db(), TZ, '2025-05-01');
    await rebuildPerformance(db(), TZ);
    const now = monthOf(new Date(), TZ);
    const f = await monthFigures(db(), [a!, b!], ['2025-05-01', now]);
    expect(f.get(b!)!.get('2025-05-01')!.personalNet).toBe(1000n);
    expect(f.get(b!)!.get(now)!.personalNet).toBe(0n);
    expect(f.get(a!)!.get(now)!.teamNet).toBe(0n);
  });
});

describe('active members', () => {
  it('count once per month from the first settled sale, not for refunds', async () => {
    const [root, x, y] = await insertMembers(db(), 3);
    await db().transaction((tx) => bindFirst(tx, { memberId: x!, parentId: root!, via: 'invite_code', actor }));
    await db().transaction((tx) => bindFirst(tx, { memberId: y!, parentId: x!, via: 'invite_code', actor }));
    const ch = await newChannel([x!, y!]);
    const at = '2026-06-15T12:00:00+08:00';
    await ingestRecords(db(), ch, [
      { channel_txn_id: 'a1', merchant_ref: `M${x}`, amount_fen: 10, status: 'settled', occurred_at: at },
      { channel_txn_id: 'a2', merchant_ref: `M${x}`, amount_fen: 20, status: 'settled', occurred_at: at },
      { channel_txn_id: 'a3', merchant_ref: `M${y}`, amount_fen: 30, status: 'settled', occurred_at: at },
    ]);
    await drainPerformance(db(), TZ);
    await ingestRecords(db(), ch, [{ channel_txn_id: 'a4', merchant_ref: `M${y}`, amount_fen: 5, status: 'settled', occurred_at: at }]);
    await drainPerformance(db(), TZ);
    const f = await monthFigures(db(), [root!, x!], ['2026-06-01']);
    expect(f.get(root!)!.get('2026-06-01')).toMatchObject({ teamActive: 2, teamNet: 65n });
    expect(f.get(x!)!.get('2026-06-01')).toMatchObject({ teamActive: 1, teamNet: 35n, personalNet: 30n, personalSales: 2 });
  });
});

describe('cli rebuild-performance', () => {
  it('says the kept figures are identical, and repairs and reports figures that were tampered with', async () => {
    const { commands } = await import('../../src/cli/commands.js');
    const { loadConfig } = await import('../../src/config.js');
    const command = commands.find((c) => c.name === 'rebuild-performance')!;
    const [a, b] = await insertMembers(db(), 2);
    await db().transaction((tx) => bindFirst(tx, { memberId: b!, parentId: a!, via: 'invite_code', actor }));
    const ch = await newChannel([b!]);
    await ingestRecords(db(), ch, [{ channel_txn_id: 'cli-1', merchant_ref: `M${b}`, amount_fen: 777, status: 'settled', occurred_at: '2026-07-02T10:00:00+08:00' }]);
    const out: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void out.push(args.join(' '));
    const run = () => (command as { run(ctx: unknown): Promise<number> }).run({ database, config: loadConfig({ PLATFORM_TIMEZONE: TZ }), hasher: null, values: {} });
    try {
      expect(await run()).toBe(0);
      expect(out.at(-1)).toContain('Identical');
      await db().execute(sql`update member_performance set team_settled = team_settled + 1 where member_id = ${a!} and month = '2026-07-01'`);
      expect(await run()).toBe(0);
      expect(out.at(-1)).toContain('differed');
    } finally {
      console.log = log;
    }
    expect((await monthFigures(db(), [a!], ['2026-07-01'])).get(a!)!.get('2026-07-01')!.teamNet).toBe(777n);
  });
});
