/**
 * bench:performance — applying settled transactions to performance (业绩) on
 * PostgreSQL with 1,000,000 members in a random tree plus chains deeper than
 * 1,000. Reports records per second through the real consumer (outbox events →
 * personal and whole-downline team figures) beside the Postgres floor
 * measured in the same run, the cost per transaction by depth, and the time
 * to read the figures a reward event needs (≤ 3 ancestors, this and last
 * month, lifetime).
 *
 * Usage: npm run bench:performance [-- --members 1000000 --events 200000 --floor-seconds 10]
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), FLOOR_JSON to reuse floor figures.
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { pgFloor, scratchDatabase } from './floor.js';
import { loadRandomTree, percentile } from './tree-fixture.js';
import { connectPostgres, queryRows } from '../src/db/client.js';
import { performanceFacts } from '../src/modules/performance/figures.service.js';
import { consumePerformance, monthOf } from '../src/modules/performance/performance.service.js';
// The server evaluates performance upgrades in the same transaction as each batch: measure that too.
import '../src/modules/levels/upgrades.service.js';
import { ancestorsWithinReach } from '../src/modules/referrals/tree.service.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '1000000' },
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '2000' },
    chains: { type: 'string', default: '5' },
    'chain-length': { type: 'string', default: '1200' },
    'floor-seconds': { type: 'string', default: '10' },
  },
});
const N = Number(values.members);
const EVENTS = Number(values.events);
const BATCH = Number(values.batch);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TZ = 'Asia/Shanghai';

const floor = pgFloor(adminUrl, Number(values['floor-seconds']));
const scratch = await scratchDatabase(adminUrl, 'performance');
const database = connectPostgres(scratch.url, 4);
const db = database.db;

/** Outbox events as the ingest writes them: one transaction_settled per record. */
async function insertEvents(memberIds: number[] | null, count: number, label: string) {
  const occurred = new Date().toISOString();
  if (memberIds) {
    await db.execute(sql`
      insert into outbox_events (type, subject, payload)
      select 'transaction_settled', 'bench:' || ${label} || ':' || i,
        jsonb_build_object('transactionId', i, 'channelId', 'bench', 'channelTxnId', ${label} || i, 'memberId', m,
          'amountFen', (100 + (i * 7919) % 100000)::text, 'occurredAt', ${occurred}::text, 'originalTxnId', null)
      from unnest(${`{${memberIds.join(',')}}`}::bigint[]) with ordinality as u(m, i)`);
  } else {
    await db.execute(sql`
      insert into outbox_events (type, subject, payload)
      select 'transaction_settled', 'bench:' || ${label} || ':' || g,
        jsonb_build_object('transactionId', g, 'channelId', 'bench', 'channelTxnId', ${label} || g, 'memberId', 1 + floor(random() * ${N})::bigint,
          'amountFen', (100 + floor(random() * 100000))::bigint::text, 'occurredAt', ${occurred}::text, 'originalTxnId', null)
      from generate_series(1, ${count}) g`);
  }
}

async function drainTimed(batch: number): Promise<{ events: number; ms: number }> {
  let events = 0;
  const t = performance.now();
  for (;;) {
    const n = await consumePerformance(db, TZ, batch);
    if (n === 0) break;
    events += n;
  }
  return { events, ms: performance.now() - t };
}

try {
  await database.migrate();
  console.error(`building a tree of ${N} members…`);
  const tree = await loadRandomTree(db, { members: N, chains: Number(values.chains), chainLength: Number(values['chain-length']) });
  console.error(`max depth ${tree.maxDepth}`);

  // Warm-up, then the stream: random members (so mostly shallow, with the chains' members among them).
  await insertEvents(null, 5_000, 'warm');
  await drainTimed(BATCH);
  await insertEvents(null, EVENTS, 'stream');
  await db.execute(sql`vacuum analyze outbox_events`);
  const stream = await drainTimed(BATCH);
  const streamEps = (stream.events / stream.ms) * 1000;
  console.error(`stream: ${stream.events} events in ${(stream.ms / 1000).toFixed(1)} s`);

  // One event per commit, as a lone sale arriving would be processed.
  await insertEvents(null, 2_000, 'single');
  const single = await drainTimed(1);
  const singleEps = (single.events / single.ms) * 1000;

  // Cost per transaction by depth: batches of 100 events from members at about that depth.
  const byDepth: Record<string, number> = {};
  for (const target of [1, 10, 100, 500, 1000]) {
    const candidates: number[] = [];
    for (let k = 2; k <= N && candidates.length < 100; k++) if (tree.depth[k] === target) candidates.push(k);
    if (candidates.length === 0) continue;
    const ids = Array.from({ length: 100 }, (_, i) => candidates[i % candidates.length]!);
    await insertEvents(ids, 100, `depth${target}`);
    const r = await drainTimed(100);
    byDepth[`depth_${target}_ms_per_txn`] = Number((r.ms / r.events).toFixed(3));
    // One lone transaction at that depth (commit included).
    await insertEvents([ids[0]!], 1, `depth${target}one`);
    const one = await drainTimed(1);
    byDepth[`depth_${target}_single_ms`] = Number(one.ms.toFixed(3));
  }

  // What a reward event reads: the ≤ 3 ancestors and their figures (this month, last month, lifetime).
  const month = monthOf(new Date(), TZ);
  const reads: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const m = i % 10 === 0 ? N - 1 : 1 + Math.floor(Math.random() * N);
    const t = performance.now();
    const up = await ancestorsWithinReach(db, m);
    await performanceFacts(db, [m, ...up], month);
    reads.push(performance.now() - t);
  }
  const [rows] = await queryRows<{ n: unknown }>(db, sql`select count(*) as n from member_performance`);

  console.log(
    JSON.stringify({
      bench: 'performance',
      members: N,
      max_depth: tree.maxDepth,
      stream_events: stream.events,
      batch_size: BATCH,
      stream_eps: Math.floor(streamEps),
      single_eps: Math.floor(singleEps),
      ...byDepth,
      facts_read_p50_ms: percentile(reads, 50),
      facts_read_p99_ms: percentile(reads, 99),
      performance_rows: Number(rows!.n),
      floor_one_event_eps: floor.one_event_per_commit_eps,
      floor_batch_100_eps: floor.batch_100_eps,
      stream_ratio: Number((streamEps / floor.batch_100_eps).toFixed(3)),
      single_ratio: Number((singleEps / floor.one_event_per_commit_eps).toFixed(3)),
    }),
  );
} finally {
  await database.close();
  await scratch.drop();
}
