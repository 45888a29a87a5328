/**
 * Profiling aid (not a benchmark): what the reward path writes to the WAL per
 * event, by resource manager and by relation, on the 100,000-member fixture.
 * WAL volume is what PostgreSQL pays beyond CPU (WAL writes inside statements
 * once wal_buffers fill, the flush at each commit, full-page images after
 * each checkpoint), and unlike a rate on a shared machine it does not drift:
 * a change that removes a row or an index entry per event shows up here to
 * the byte.
 *
 * It pushes 20 batches of 1,000 sales paid inline, runs the performance
 * consumer, takes a checkpoint, then measures PUSHES more batches (default
 * 40) with the performance consumer after every eighth, as the server's
 * consumer interleaves with pushes. Needs the pg_walinspect extension
 * (PostgreSQL contrib) and a superuser.
 *   npx tsx bench/wal-rewards.ts
 */
import { sql } from 'drizzle-orm';
import { connectPostgres, queryRows } from '../src/db/client.js';
import { ingestRecords, setSalesStoredHandler } from '../src/modules/channels/ingest.service.js';
import { consumePerformance } from '../src/modules/performance/performance.service.js';
import { applyRewardEvents } from '../src/modules/rewards/rewards.service.js';
import { scratchDatabase } from './floor.js';
import { loadRewardsFixture, saleMaker } from './rewards-fixture.js';

const TZ = 'Asia/Shanghai';
const pushes = Number(process.env.PUSHES ?? 40);
const scratch = await scratchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', 'wal');
try {
  const database = connectPostgres(scratch.url, 4);
  await database.migrate();
  const db = database.db;
  await loadRewardsFixture(db, { members: 100_000, chains: 0 });
  setSalesStoredHandler((tx, events) => applyRewardEvents(tx, events, TZ));
  await db.execute(sql`create extension if not exists pg_walinspect`);
  const sale = saleMaker(100_000, 'T');
  const push = () => ingestRecords(db, 'bench', Array.from({ length: 1000 }, sale));
  const drainPerformance = async () => {
    while ((await consumePerformance(db, TZ)) !== 0);
  };
  for (let i = 0; i < 20; i++) await push();
  await drainPerformance();
  await db.execute(sql`checkpoint`);

  const lsn = async () => (await queryRows<{ l: string }>(db, sql`select pg_current_wal_lsn()::text as l`))[0]!.l;
  const from = await lsn();
  for (let i = 0; i < pushes; i++) {
    await push();
    if (i % 8 === 7) await drainPerformance();
  }
  await drainPerformance();
  const to = await lsn();

  const events = pushes * 1000;
  const perEvent = (x: unknown) => (Number(x) / events).toFixed(1).padStart(7);
  const [total] = await queryRows<{ bytes: string }>(db, sql`select (${to}::pg_lsn - ${from}::pg_lsn)::text as bytes`);
  console.log(`WAL per event: ${perEvent(total!.bytes)} bytes over ${events} events`);
  console.log('by resource manager (records, bytes of records, of full-page images, total per event):');
  const managers = await queryRows<{ rm: string; count: string; record_size: string; fpi_size: string; combined_size: string }>(db, sql`
    select "resource_manager/record_type" as rm, count, record_size, fpi_size, combined_size
    from pg_get_wal_stats(${from}::pg_lsn, ${to}::pg_lsn) where count > 0 order by combined_size desc`);
  for (const m of managers) console.log(`  ${m.rm.padEnd(12)} ${perEvent(m.count)} ${perEvent(m.record_size)} ${perEvent(m.fpi_size)} ${perEvent(m.combined_size)}`);
  console.log('by relation, that of each record\'s first block (records, bytes, of which full-page images, per event):');
  const relations = await queryRows<{ rel: string; n: string; bytes: string; fpi: string }>(db, sql`
    with r as (
      select (regexp_match(block_ref, 'rel \\d+/\\d+/(\\d+)'))[1]::oid as node, record_length, fpi_length
      from pg_get_wal_records_info(${from}::pg_lsn, ${to}::pg_lsn))
    select coalesce(c.relname, r.node::text, '(no relation)') as rel, count(*) as n, sum(record_length) as bytes, sum(fpi_length) as fpi
    from r left join pg_class c on c.relfilenode = r.node
    group by 1 order by sum(record_length) desc limit 40`);
  for (const r of relations) console.log(`  ${r.rel.padEnd(40)} ${perEvent(r.n)} ${perEvent(r.bytes)} ${perEvent(r.fpi)}`);
  await database.close();
} finally {
  await scratch.drop();
}
