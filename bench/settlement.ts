/**
 * bench:settlement — a full monthly settlement run (statistics + preview +
 * payout) on PostgreSQL over a generated month: 1,000,000 members in a random
 * tree with chains deeper than 1,000, and 5,000,000 settled transactions,
 * against the time, in the same run, of the baseline query
 *   SELECT member_id, sum(amount) FROM <transactions of the month> GROUP BY member_id
 * (taken twice, the faster counts, rows fetched as a client would).
 * Performance figures are loaded as the performance consumer keeps them (the
 * month's personal sums, and team sums along the tree), so the run starts
 * where production would: figures current, the month not yet closed.
 *
 * Usage: npm run bench:settlement [-- --members 1000000 --transactions 5000000 --chains 2]
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { connectPostgres, queryRows } from '../src/db/client.js';
import { systemAuditContext } from '../src/modules/audit/audit.service.js';
import { approveRun, collectStatistics, openRun, payRun } from '../src/modules/dividends/settlement.service.js';
import { runSummary } from '../src/modules/dividends/settlement-views.service.js';
import { monthOf, shiftMonth } from '../src/modules/performance/performance.service.js';
import { scratchDatabase } from './floor.js';
import { levelsAndOnboarding } from './rewards-fixture.js';
import { loadRandomTree } from './tree-fixture.js';

const { values } = parseArgs({ options: { members: { type: 'string', default: '1000000' }, transactions: { type: 'string', default: '5000000' }, chains: { type: 'string', default: '2' } } });
const N = Number(values.members);
const T = Number(values.transactions);
const TZ = 'Asia/Shanghai';
const month = shiftMonth(monthOf(new Date(), TZ), -1);
const actor = systemAuditContext('bench');
const log = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const time = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await work();
  return [r, performance.now() - t];
};

const scratch = await scratchDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', 'settlement');
try {
  const database = connectPostgres(scratch.url, 4);
  await database.migrate();
  const db = database.db;
  log(`tree of ${N} members…`);
  const tree = await loadRandomTree(db, { members: N, chains: Number(values.chains), chainLength: 1000 });
  await levelsAndOnboarding(db);
  await db.execute(sql`insert into channels (id, kind, name) values ('bench', 'push', 'Bench')`);

  log(`${T} settled transactions in ${month.slice(0, 7)}…`);
  const start = new Date(`${month}T00:00:00+08:00`);
  const monthSeconds = Math.floor((new Date(`${shiftMonth(month, 1)}T00:00:00+08:00`).getTime() - start.getTime()) / 1000) - 1;
  const CHUNK = 1_000_000;
  for (let from = 1; from <= T; from += CHUNK) {
    await db.execute(sql`
      insert into channel_transactions (channel_id, channel_txn_id, merchant_ref, member_id, amount, status, occurred_at, state, fingerprint)
      select 'bench', 'T' || g, 'M' || m, m, a, 'settled', ${start.toISOString()}::timestamptz + make_interval(secs => floor(random() * ${monthSeconds}::int)), 'applied', md5(g::text)
      from (select g, 1 + floor(random() * ${N}::int)::bigint as m, 1000 + floor(random() * 499000)::bigint as a from generate_series(${from}::int, ${Math.min(T, from + CHUNK - 1)}::int) g) x`);
  }
  await db.execute(sql`vacuum (analyze) channel_transactions`);

  // The baseline, as the issue writes it (twice; the faster counts).
  const baselineQuery = sql`
    select member_id, sum(amount) as s from channel_transactions
    where status = 'settled' and occurred_at >= ${start.toISOString()}::timestamptz and occurred_at < ${new Date(`${shiftMonth(month, 1)}T00:00:00+08:00`).toISOString()}::timestamptz
    group by member_id`;
  const baselines: number[] = [];
  let personal: { member_id: number | string; s: string }[] = [];
  for (let i = 0; i < 2; i++) {
    const [rows, ms] = await time(() => queryRows<{ member_id: number | string; s: string }>(db, baselineQuery));
    baselines.push(ms);
    personal = rows;
  }
  const baselineMs = Math.min(...baselines);
  log(`baseline ${baselineMs.toFixed(0)} ms (${personal.length} members)`);

  // Performance as the consumer keeps it: personal sums, and team sums up the tree (children before parents).
  log('performance figures…');
  const own = new Float64Array(N + 1);
  for (const r of personal) own[Number(r.member_id)] = Number(r.s);
  const team = new Float64Array(N + 1);
  for (let k = N; k >= 2; k--) team[tree.parent[k]!]! += team[k]! + own[k]!;
  const ids: number[] = [];
  for (let k = 1; k <= N; k++) if (own[k]! > 0 || team[k]! > 0) ids.push(k);
  for (let i = 0; i < ids.length; i += 100_000) {
    const part = ids.slice(i, i + 100_000);
    await db.execute(sql`
      insert into member_performance (member_id, month, personal_settled, personal_refunded, personal_txns, team_settled, team_refunded, team_active)
      select m, ${month}::date, p, 0, case when p > 0 then 1 else 0 end, t, 0, 0
      from unnest(${`{${part.join(',')}}`}::bigint[], ${`{${part.map((k) => own[k]).join(',')}}`}::bigint[], ${`{${part.map((k) => team[k]).join(',')}}`}::bigint[]) as x(m, p, t)`);
  }
  await db.execute(sql`vacuum (analyze)`);
  await db.execute(sql`checkpoint`);

  log('settlement run…');
  const t0 = performance.now();
  const runId = await openRun(db, actor, month, TZ);
  const [, statisticsMs] = await time(() => collectStatistics(db, 'postgres', runId, TZ));
  await approveRun(db, actor, runId);
  const [paid, payoutMs] = await time(() => payRun(db, actor, runId));
  const runMs = performance.now() - t0;
  const run = await runSummary(db, runId);
  const [check] = await queryRows<{ entries: number | string; qualifiers: number | string }>(db, sql`
    select (select count(*) from ledger_entries where kind = 'dividend') as entries, (select count(*) from settlement_qualifiers where run_id = ${runId} and share_fen > 0) as qualifiers`);
  await database.close();

  console.log(
    JSON.stringify({
      bench: 'settlement',
      members: N,
      transactions: T,
      max_depth: tree.maxDepth,
      month: month.slice(0, 7),
      run_ms: Math.floor(runMs),
      statistics_ms: Math.floor(statisticsMs),
      payout_ms: Math.floor(payoutMs),
      baseline_ms: Math.floor(baselineMs),
      run_to_baseline: Number((runMs / baselineMs).toFixed(2)),
      state: run.state,
      volume_fen: run.volumeFen,
      tiers: run.tiers.map((t) => ({ tier: t.tierId, qualifiers: t.qualifiers, share_fen: t.shareFen, remainder_fen: t.remainderFen, paid_fen: t.paidFen })),
      paid_fen: paid.toString(),
      credits: Number(check!.entries),
      qualifiers_paid: Number(check!.qualifiers),
    }),
  );
} finally {
  // BENCH_KEEP=1 keeps the generated database for looking into plans (its URL is printed); the reported run drops it.
  if (process.env.BENCH_KEEP === '1') console.error(`kept ${scratch.url}`);
  else await scratch.drop();
}
