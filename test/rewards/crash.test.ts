/**
 * A server killed with SIGKILL in the middle of a stream of 10,000 pushes,
 * restarted, and the channel retrying everything: every transaction is
 * stored once and paid once, and the ledger verifies clean. Real PostgreSQL
 * only (the server process and the test share the database).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { createFieldCipher } from '../../src/lib/crypto.js';
import { signPush } from '../../src/modules/channels/push-signature.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEY = crypto.randomBytes(32).toString('base64');
const SECRET = 'crash-push-secret-0123456789';
const MEMBERS = 300;
const RECORDS = 10_000;
let database: TestDatabase;
const db = () => database.db;
let server: { child: ChildProcess; base: string } | null = null;

async function startServer(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database.url!, PORT: '0', LOG_LEVEL: 'error', DATA_ENCRYPTION_KEY: KEY, NODE_ENV: 'production', DATABASE_POOL_SIZE: '12' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stderr!.on('data', () => {});
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return { child, base };
}

function kill(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* gone */
  }
}

/** Resolves true when the push was answered 200; false on a refused connection or a reset (the server died). */
function push(base: string, body: unknown): Promise<boolean> {
  const raw = JSON.stringify(body);
  const ts = Math.floor(Date.now() / 1000);
  const target = new URL(`${base}/api/channels/crash/transactions`);
  return new Promise((resolve) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'x-shanglian-timestamp': String(ts), 'x-shanglian-signature': signPush(SECRET, ts, raw) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', () => resolve(false));
      },
    );
    req.on('error', () => resolve(false));
    req.end(raw);
  });
}

const records = Array.from({ length: RECORDS }, (_, i) => ({
  channel_txn_id: `C-${i}`,
  merchant_ref: `M${1 + ((i * 7919) % MEMBERS)}`,
  amount_fen: 1000 + ((i * 104_729) % 300_000),
  status: 'settled',
  occurred_at: '2026-11-20T10:00:00+08:00',
}));
/** Pushes of 1 or 25 records, in order. */
const pushes: unknown[][] = [];
for (let i = 0; i < RECORDS; ) {
  const size = pushes.length % 3 === 0 ? 1 : 25;
  pushes.push(records.slice(i, i + size));
  i += size;
}

/** Sends every push with 8 concurrent clients; returns how many were answered 200. */
async function stream(base: string, onProgress?: (done: number) => void): Promise<number> {
  let next = 0;
  let ok = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < pushes.length) {
        const batch = pushes[next++]!;
        if (await push(base, batch.length === 1 ? batch[0] : { records: batch })) ok++;
        onProgress?.(ok);
      }
    }),
  );
  return ok;
}

describe.runIf(onPostgres)('crash in the middle of a push stream (PostgreSQL)', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    await db().execute(sql`insert into members (phone, password_hash, display_name) select '1' || lpad(g::text, 10, '0'), 'x', 'c' || g from generate_series(1, ${MEMBERS}) g`);
    // A tree: member k invited by a pseudo-random earlier member (bindings maintain paths and counts).
    const { bindFirst } = await import('../../src/modules/referrals/tree.service.js');
    const { systemAuditContext } = await import('../../src/modules/audit/audit.service.js');
    const [first] = await queryRows<{ id: number }>(db(), sql`select min(id)::int as id from members`);
    for (let k = 1; k < MEMBERS; k++) {
      const parent = first!.id + ((k * 31) % k);
      await db().transaction((tx) => bindFirst(tx, { memberId: first!.id + k, parentId: parent, via: 'invite_code', actor: systemAuditContext('test') }));
    }
    await db().execute(sql`
      insert into member_levels (member_id, level_id, cause)
      select m.id, l.id, 'staff' from members m join lateral (select id from levels where enabled order by rank offset m.id % 4 limit 1) l on true`);
    await db().execute(sql`
      insert into onboarding_applications (member_id, state, revision, submitted_at, reviewed_at, activated_at) select id, 'active', 1, now(), now(), now() from members`);
    const cipher = createFieldCipher(Buffer.from(KEY, 'base64'));
    await db().execute(sql`insert into channels (id, kind, name, secrets_enc) values ('crash', 'push', 'Crash', ${cipher.encrypt(JSON.stringify({ pushSecrets: [SECRET] }))})`);
    await db().execute(sql`insert into channel_merchants (channel_id, merchant_ref, member_id) select 'crash', 'M' || (id - ${first!.id} + 1), id from members`);
  }, 120_000);
  afterAll(async () => {
    if (server) kill(server.child, 'SIGKILL');
    await database?.dispose();
  });

  it('SIGKILL at ~30% of 10,000 pushes, restart, retry everything: each transaction stored and paid exactly once', async () => {
    server = await startServer();
    const first = server;
    let killed = false;
    const sent = await stream(first.base, (ok) => {
      if (!killed && ok >= pushes.length * 0.3) {
        killed = true;
        kill(first.child, 'SIGKILL');
      }
    });
    expect(killed).toBe(true);
    expect(sent).toBeLessThan(pushes.length);
    const [stored] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from channel_transactions`);
    expect(stored!.n).toBeGreaterThan(0);
    expect(stored!.n).toBeLessThan(RECORDS);

    // The channel does not know what was committed: it sends everything again.
    server = await startServer();
    expect(await stream(server.base)).toBe(pushes.length);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const [n] = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from reward_events where kind = 'transaction_settled'`);
      if (n!.n >= RECORDS || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const [check] = await queryRows<{ txns: number; events: number; distinct_events: number; entries: number; paying_events: number; dup_entries: number; mismatched: number }>(db(), sql`
      select
        (select count(*)::int from channel_transactions) as txns,
        (select count(*)::int from reward_events where kind = 'transaction_settled') as events,
        (select count(distinct subject)::int from reward_events where kind = 'transaction_settled') as distinct_events,
        (select count(*)::int from ledger_entries where kind = 'reward') as entries,
        (select count(*)::int from reward_events where kind = 'transaction_settled' and total_fen > 0) as paying_events,
        (select count(*)::int from (select source_id from ledger_entries where kind = 'reward' group by source_id having count(*) > 1) d) as dup_entries,
        (select count(*)::int from reward_events e
          where e.total_fen <> coalesce((select sum(p.amount) from ledger_postings p where p.entry_id = e.entry_id and p.member_id is not null), 0)) as mismatched`);
    expect(check).toEqual({ txns: RECORDS, events: RECORDS, distinct_events: RECORDS, entries: check!.paying_events, paying_events: check!.paying_events, dup_entries: 0, mismatched: 0 });
    // Not vacuous: thousands of events paid. How many depends on timing (members rise a level as the
    // performance consumer, polling every two seconds, counts the stream's sales, and a higher level earns
    // profit share on more sales): 8,000 of 10,000 with a one-second poll, 4,900-5,200 with two.
    expect(check!.paying_events).toBeGreaterThan(RECORDS / 4);
    // Every wallet holds exactly the payouts recorded for it.
    const [wallets] = await queryRows<{ off: number }>(db(), sql`
      select count(*)::int as off from wallets w
      where w.frozen <> coalesce((select sum(amount_fen) from reward_payouts p where p.member_id = w.member_id), 0)`);
    expect(wallets!.off).toBe(0);
    expect((await verifyLedger(db())).problems).toEqual([]);
  }, 600_000);
});
