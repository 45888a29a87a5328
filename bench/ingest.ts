/**
 * bench:ingest — accepted-and-stored transaction records per second through
 * the signed push API over HTTP, against a server process on PostgreSQL,
 * beside the pg-floor measured in the same run: single-record pushes from many
 * concurrent clients, and 1,000-record batches.
 *
 * Usage: npm run bench:ingest [-- --seconds 15 --clients 24]
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), FLOOR_JSON to skip the floor.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { connectPostgres, queryRows } from '../src/db/client.js';
import { createFieldCipher } from '../src/lib/crypto.js';
import { signPush } from '../src/modules/channels/push-signature.js';
import { pgFloor, scratchDatabase } from './floor.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, clients: { type: 'string', default: '24' }, merchants: { type: 'string', default: '10000' } } });
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const merchantCount = Number(values.merchants);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET = 'bench-push-secret-0123456789';
const KEY = crypto.randomBytes(32).toString('base64');

const floor = pgFloor(adminUrl, seconds);
console.error('floor:', JSON.stringify(floor));

const scratch = await scratchDatabase(adminUrl, 'ingest');
let server: ChildProcess | undefined;

try {
  const database = connectPostgres(scratch.url, 2);
  await database.migrate();
  await database.db.execute(sql`
    insert into members (phone, password_hash, display_name)
    select '1' || lpad(g::text, 10, '0'), 'x', 'm' || g from generate_series(1, ${merchantCount}) g`);
  const cipher = createFieldCipher(Buffer.from(KEY, 'base64'));
  await database.db.execute(sql`
    insert into channels (id, kind, name, secrets_enc) values ('bench', 'push', 'Bench', ${cipher.encrypt(JSON.stringify({ pushSecrets: [SECRET] }))})`);
  await database.db.execute(sql`
    insert into channel_merchants (channel_id, merchant_ref, member_id) select 'bench', 'M' || id, id from members`);
  await database.db.execute(sql`analyze`);
  const [range] = await queryRows<{ min: number; max: number }>(database.db, sql`select min(id)::int as min, max(id)::int as max from members`);
  await database.close();

  // The server, as it runs in production: its own process, on PostgreSQL.
  const root = path.resolve(import.meta.dirname, '..');
  server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: scratch.url, DATABASE_POOL_SIZE: '16', PORT: '0', LOG_LEVEL: 'error', DATA_ENCRYPTION_KEY: KEY, NODE_ENV: 'production', BODY_LIMIT_BYTES: String(4 * 1024 * 1024) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server!.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });

  let seq = 0;
  const record = () => ({
    channel_txn_id: `B${process.pid}-${++seq}`,
    merchant_ref: `M${range!.min + Math.floor(Math.random() * (range!.max - range!.min + 1))}`,
    amount_fen: 1000 + Math.floor(Math.random() * 499_000),
    status: 'settled',
    occurred_at: new Date().toISOString(),
  });
  // Plain http with keep-alive: the lightest client, so the machine's two cores go to the server and PostgreSQL.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(`${base}/api/channels/bench/transactions`);
  function send(body: unknown): Promise<number> {
    const raw = JSON.stringify(body);
    const ts = Math.floor(Date.now() / 1000);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw), 'x-shanglian-timestamp': String(ts), 'x-shanglian-signature': signPush(SECRET, ts, raw) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) return reject(new Error(`push answered ${res.statusCode}: ${text}`));
            resolve((JSON.parse(text) as { summary: { accepted: number } }).summary.accepted);
          });
        },
      );
      req.on('error', reject);
      req.end(raw);
    });
  }
  async function run(concurrency: number, perRequest: number): Promise<number> {
    const deadline = Date.now() + seconds * 1000;
    let accepted = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < deadline) {
          // Await first: `accepted += await …` would read `accepted` before the await and lose other clients' counts.
          const n = await send(perRequest === 1 ? record() : { records: Array.from({ length: perRequest }, record) });
          accepted += n;
        }
      }),
    );
    return accepted / seconds;
  }
  await run(4, 1); // warm-up: JIT, connection pools
  console.error(`single-record pushes, ${clients} clients, ${seconds}s…`);
  const singleRps = await run(clients, 1);
  console.error(`1000-record pushes, 4 clients, ${seconds}s…`);
  const batchRps = await run(4, 1000);
  const check = connectPostgres(scratch.url, 1);
  const [stored] = await queryRows<{ txns: unknown; events: unknown }>(check.db, sql`
    select (select count(*) from channel_transactions) as txns, (select count(*) from outbox_events) as events`);
  await check.close();
  console.log(
    JSON.stringify({
      bench: 'ingest',
      seconds,
      clients,
      single_rps: Math.floor(singleRps),
      batch_rps: Math.floor(batchRps),
      batch_size: 1000,
      floor_one_event_eps: floor.one_event_per_commit_eps,
      floor_batch_100_eps: floor.batch_100_eps,
      single_ratio: Number((singleRps / floor.one_event_per_commit_eps).toFixed(3)),
      batch_ratio: Number((batchRps / floor.batch_100_eps).toFixed(3)),
      stored_transactions: Number(stored!.txns),
      outbox_events: Number(stored!.events),
    }),
  );
} finally {
  server?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  await scratch.drop();
}
