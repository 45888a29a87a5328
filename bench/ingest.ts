/**
 * bench:ingest — accepted-and-stored transaction records per second through
 * the signed push API over HTTP, against a server process on PostgreSQL,
 * beside the pg-floor measured in the same run: single-record pushes from many
 * concurrent clients, and 1,000-record batches.
 *
 * Usage: npm run bench:ingest [-- --seconds 15 --clients 24]
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), FLOOR_JSON to skip the floor.
 */
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { connectPostgres, queryRows } from '../src/db/client.js';
import { createFieldCipher } from '../src/lib/crypto.js';
import { pgFloor, scratchDatabase } from './floor.js';
import { pushClient, startServer, stopServer } from './push-server.js';

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

  const started = await startServer(scratch.url, KEY);
  server = started.process;
  const base = started.base;

  let seq = 0;
  const record = () => ({
    channel_txn_id: `B${process.pid}-${++seq}`,
    merchant_ref: `M${range!.min + Math.floor(Math.random() * (range!.max - range!.min + 1))}`,
    amount_fen: 1000 + Math.floor(Math.random() * 499_000),
    status: 'settled',
    occurred_at: new Date().toISOString(),
  });
  const send = pushClient(base, 'bench', SECRET);
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
  await stopServer(server);
  await scratch.drop();
}
