/**
 * Profiling aid (not a benchmark): times the reward path's pieces on a
 * 100,000-member fixture, in process, one connection at a time.
 *   MODE=inline       1,000-record pushes paying in their own transaction
 *   MODE=consumer     1,000-record pushes left to the rewards consumer, then its batches
 *   MODE=performance  the performance consumer's batches (level evaluation included), of
 *                     PERF_BATCH events (default: the consumer's own batch size)
 * PUSHES: how many pushes of 1,000 (default 15).
 * Each line: wall time and this process's CPU, all its threads (the rest is PostgreSQL).
 */
import { connectPostgres } from '../src/db/client.js';
import { ingestRecords, setSalesStoredHandler } from '../src/modules/channels/ingest.service.js';
import { consumePerformance, PERFORMANCE_BATCH } from '../src/modules/performance/performance.service.js';
import { applyRewardEvents, consumeRewards } from '../src/modules/rewards/rewards.service.js';
import { scratchDatabase } from './floor.js';
import { loadRewardsFixture, saleMaker } from './rewards-fixture.js';

const TZ = 'Asia/Shanghai';
const mode = process.env.MODE ?? 'inline';
const scratch = await scratchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', 'prof');

async function timed(label: string, work: () => Promise<unknown>) {
  const t = performance.now();
  const c = process.cpuUsage();
  const result = await work();
  const u = process.cpuUsage(c);
  console.log(`${label}: ${(performance.now() - t).toFixed(1)} ms, node cpu ${((u.user + u.system) / 1000).toFixed(1)} ms`);
  return result;
}

try {
  const database = connectPostgres(scratch.url, 4);
  await database.migrate();
  const db = database.db;
  await loadRewardsFixture(db, { members: 100_000, chains: 0 });
  if (mode === 'inline') setSalesStoredHandler((tx, events) => applyRewardEvents(tx, events, TZ));
  const sale = saleMaker(100_000, 'T');
  for (let b = 0; b < Number(process.env.PUSHES ?? 15); b++) {
    const records = Array.from({ length: 1000 }, sale);
    await timed(`push of 1,000${mode === 'inline' ? ' (paid inline)' : ''}`, () => ingestRecords(db, 'bench', records));
  }
  if (mode === 'consumer') while ((await timed('rewards consumer batch of ≤ 1,000', () => consumeRewards(db, TZ, 1000))) !== 0);
  const perfBatch = Number(process.env.PERF_BATCH ?? PERFORMANCE_BATCH);
  if (mode === 'performance') while ((await timed(`performance batch of ≤ ${perfBatch}`, () => consumePerformance(db, TZ, perfBatch))) !== 0);
  await database.close();
} finally {
  // BENCH_KEEP=1 keeps the database for looking into plans and row sizes (its URL is printed).
  if (process.env.BENCH_KEEP === '1') console.error(`kept ${scratch.url}`);
  else await scratch.drop();
}
