/**
 * bench:rewards — end to end: signed push over HTTP → transaction stored →
 * payouts computed → ledger posted → committed, against a server process on
 * PostgreSQL with 100,000 members in a random tree, beside the pg-floor
 * measured in the same run (before our phases and again after them; the ratios
 * use the mean). A phase's rate is the records it pushed divided
 * by the time from its first push until the rewards consumer has committed
 * the payouts of every one of them (the server's performance consumer runs
 * too, as in production). Also: the pure engine's events per second on one core.
 *
 * Usage: npm run bench:rewards [-- --seconds 15 --clients 24 --members 100000 --chains 0]
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), FLOOR_JSON to skip the floor.
 */
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { connectPostgres, type Db, queryRows } from '../src/db/client.js';
import { createFieldCipher } from '../src/lib/crypto.js';
import { verifyLedger } from '../src/modules/ledger/verify.service.js';
import { type Person, zeroPerformance } from '../src/modules/rewards/definitions.js';
import { type EngineOptions, runEngine } from '../src/modules/rewards/engine.js';
import { activeRuleSet } from '../src/modules/rewards/rule-sets.service.js';
import { pgFloor, scratchDatabase } from './floor.js';
import { pushClient, startServer, stopServer } from './push-server.js';
import { loadRewardsFixture, saleMaker } from './rewards-fixture.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, clients: { type: 'string', default: '24' }, members: { type: 'string', default: '100000' }, chains: { type: 'string', default: '0' } } });
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const memberCount = Number(values.members);
/** Extra chains of 1,000 generations (0 by default: a random tree of 100,000 members, as the issue asks; bench:performance and bench:settlement cover deep chains). */
const chainCount = Number(values.chains);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET = 'bench-push-secret-0123456789';
const KEY = crypto.randomBytes(32).toString('base64');

// The floor is measured before our phases and again after them, and the ratios use the mean: on a shared
// machine whose speed drifts by a third over minutes, one floor measured a few minutes earlier can flatter or
// sink a ratio by as much. Both measurements are printed. (FLOOR_JSON skips both.)
const floorBefore = pgFloor(adminUrl, seconds);
console.error('floor before:', JSON.stringify(floorBefore));

const scratch = await scratchDatabase(adminUrl, 'rewards');
let server: ChildProcess | undefined;
let dropped = false;

const count = async (db: Db) => Number((await queryRows<{ n: string }>(db, sql`select count(*)::text as n from reward_events`))[0]!.n);
/** Whether the performance consumer has records still to apply (its cursor read first, so the check is an index probe). */
async function performanceBehind(db: Db): Promise<boolean> {
  const [cursor] = await queryRows<{ xid: string; id: string }>(db, sql`select last_xid::text as xid, last_id::text as id from outbox_cursors where consumer = 'performance'`);
  const [row] = await queryRows<{ behind: boolean }>(db, sql`
    select (select 1 from outbox_events where (xid, id) > (${cursor?.xid ?? '0'}::xid8, ${cursor?.id ?? '0'}::bigint)
      and type in ('transaction_settled', 'transaction_refunded') order by xid, id limit 1) is not null as behind`);
  return row!.behind;
}

/**
 * Pure engine rate on this thread: the default rule set, random ladders positions, transactions. With
 * verdicts off as events are paid, or on as a why-query replays one (see EngineOptions).
 */
function engineEps(set: Awaited<ReturnType<typeof activeRuleSet>>, options: EngineOptions, n = 300_000): number {
  const levels = [0, 20_000, 40_000, 60_000, 80_000];
  const person = (id: number): Person => {
    const rank = 1 + (id % 5);
    return { memberId: id, levelId: rank, levelName: `L${rank}`, rank, ratePpm: levels[rank - 1]!, active: id % 7 !== 0, performance: zeroPerformance };
  };
  const usage = new Map<string, bigint>();
  const start = process.hrtime.bigint();
  let paid = 0n;
  for (let i = 0; i < n; i++) {
    const r = runEngine({
      event: { id: i, kind: 'transaction_settled', baseFen: BigInt(1000 + (i % 499_000)), memberId: i, occurredAt: new Date(1_764_000_000_000), day: '2026-11-30', month: '2026-11-01' },
      member: person(i),
      ancestors: [person(i * 7 + 1), person(i * 7 + 2), person(i * 7 + 3)],
      ruleSet: set,
      usage,
    }, options);
    paid += r.totalFen;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (paid < 0n) throw new Error('impossible');
  return n / elapsed;
}

try {
  const database = connectPostgres(scratch.url, 2);
  await database.migrate();
  const db = database.db;
  console.error(`loading ${memberCount} members…`);
  const cipher = createFieldCipher(Buffer.from(KEY, 'base64'));
  const tree = await loadRewardsFixture(db, { members: memberCount, chains: chainCount, secretsEnc: cipher.encrypt(JSON.stringify({ pushSecrets: [SECRET] })) });
  const set = await activeRuleSet(db);

  // BENCH_CONSUMERS=rewards runs the server without the performance consumer: an experiment to see what it costs, not the reported figure.
  const withPerformance = process.env.BENCH_CONSUMERS === undefined || process.env.BENCH_CONSUMERS.split(',').includes('performance');
  const started = await startServer(scratch.url, KEY, process.env.BENCH_CONSUMERS !== undefined ? { EVENT_CONSUMERS: process.env.BENCH_CONSUMERS } : {});
  server = started.process;
  const send = pushClient(started.base, 'bench', SECRET);

  const record = saleMaker(memberCount, `B${process.pid}-`);

  /**
   * CPU time (ms) so far of the server process and of all PostgreSQL processes, from /proc: what a phase
   * costs per event is steadier than its rate on a shared machine whose speed drifts between runs.
   */
  const cpuMs = () => {
    const tick = 10; // USER_HZ is 100 on Linux
    // utime + stime, plus cutime + cstime: the time of ended children the process has reaped (the
    // postmaster's ended backends; connections a pool closes would otherwise take their time with them).
    const of = (pid: number | string) => {
      try {
        const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * tick;
      } catch {
        return 0;
      }
    };
    let postgres = 0;
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres')) postgres += of(pid);
      } catch {
        /* gone */
      }
    }
    return { server: of(server!.pid!), postgres };
  };

  /** Pushes for `seconds`, then waits until every pushed record's payouts are committed. */
  async function phase(concurrency: number, perRequest: number, pushSeconds: number) {
    const before = await count(db);
    const cpu0 = cpuMs();
    const client0 = process.cpuUsage();
    const t0 = Date.now();
    const deadline = t0 + pushSeconds * 1000;
    let accepted = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < deadline) {
          const n = await send(perRequest === 1 ? record() : { records: Array.from({ length: perRequest }, record) });
          accepted += n;
        }
      }),
    );
    const pushedAt = Date.now();
    while ((await count(db)) - before < accepted) await new Promise((r) => setTimeout(r, 50));
    const done = Date.now();
    // The rate ends with the payouts (the path the issue measures), but the CPU per event also counts the
    // performance figures of the phase's records: the consumer polls every two seconds, and its last rounds
    // would otherwise fall outside the phase and flatter the figure.
    while (withPerformance && (await performanceBehind(db))) await new Promise((r) => setTimeout(r, 50));
    const performanceLagMs = Date.now() - pushedAt;
    const cpu1 = cpuMs();
    const client = process.cpuUsage(client0);
    const perThousand = (ms: number) => (accepted ? Math.floor((ms * 1000) / accepted) : 0);
    return { accepted, eps: (accepted * 1000) / (done - t0), pushRps: (accepted * 1000) / (pushedAt - t0), lagMs: done - pushedAt, performanceLagMs, serverCpu: perThousand(cpu1.server - cpu0.server), postgresCpu: perThousand(cpu1.postgres - cpu0.postgres), clientCpu: perThousand((client.user + client.system) / 1000) };
  }

  await phase(4, 1, 3); // warm-up: JIT, connection pools, plans
  console.error(`single-record pushes, ${clients} clients, ${seconds}s…`);
  // BENCH_PHASES=single or =batch runs only that phase (a profiling aid; the reported run has both).
  const skipped = { accepted: 0, eps: 0, pushRps: 0, lagMs: 0, performanceLagMs: 0, serverCpu: 0, postgresCpu: 0, clientCpu: 0 };
  const phases = process.env.BENCH_PHASES ?? 'single,batch';
  const single = phases.includes('single') ? await phase(clients, 1, seconds) : skipped;
  console.error(`1000-record pushes, 4 clients, ${seconds}s…`);
  // BENCH_BATCH_CLIENTS=1 (a profiling aid): one pushing client, so statement times in pg_stat_statements are CPU, not lock waits.
  const batch = phases.includes('batch') ? await phase(Number(process.env.BENCH_BATCH_CLIENTS ?? 4), 1000, seconds) : skipped;

  const [paid] = await queryRows<{ payouts: string; total: string }>(db, sql`select count(*)::text as payouts, coalesce(sum(amount_fen), 0)::text as total from reward_payouts`);
  const ledger = await verifyLedger(db);
  await database.close();
  console.error('pure engine on one core…');
  // Both modes once first, so neither measurement pays for the JIT's warm-up.
  engineEps(set, { verdicts: false }, 50_000);
  engineEps(set, { verdicts: true }, 50_000);
  const pure = engineEps(set, { verdicts: false });
  const pureExplain = engineEps(set, { verdicts: true });
  // The server stops and our database goes first, so the second floor has the machine to itself, as the first
  // had (autovacuum working through our hundred thousand new rows would otherwise slow the floor, not us).
  await stopServer(server);
  await scratch.drop();
  dropped = true;
  const floorAfter = process.env.FLOOR_JSON ? floorBefore : pgFloor(adminUrl, seconds);
  console.error('floor after:', JSON.stringify(floorAfter));
  const floor = { one_event_per_commit_eps: (floorBefore.one_event_per_commit_eps + floorAfter.one_event_per_commit_eps) / 2, batch_100_eps: (floorBefore.batch_100_eps + floorAfter.batch_100_eps) / 2 };

  console.log(
    JSON.stringify({
      bench: 'rewards',
      members: memberCount,
      max_depth: tree.maxDepth,
      seconds,
      clients,
      single_eps: Math.floor(single.eps),
      single_push_rps: Math.floor(single.pushRps),
      single_lag_ms: single.lagMs,
      batch_eps: Math.floor(batch.eps),
      batch_push_rps: Math.floor(batch.pushRps),
      batch_lag_ms: batch.lagMs,
      batch_size: 1000,
      // From the last push until the performance consumer had applied every record of the phase.
      single_performance_lag_ms: single.performanceLagMs,
      batch_performance_lag_ms: batch.performanceLagMs,
      // CPU time per 1,000 events (ms), server process and PostgreSQL, from a phase's first push until its
      // payouts and its performance figures were all committed.
      single_server_cpu_ms_per_1000: single.serverCpu,
      single_postgres_cpu_ms_per_1000: single.postgresCpu,
      batch_server_cpu_ms_per_1000: batch.serverCpu,
      batch_postgres_cpu_ms_per_1000: batch.postgresCpu,
      // This process: the push client (building, signing and sending the records) shares the two cores.
      single_client_cpu_ms_per_1000: single.clientCpu,
      batch_client_cpu_ms_per_1000: batch.clientCpu,
      // The mean of the floor measured before and after our phases; each is below.
      floor_one_event_eps: Math.floor(floor.one_event_per_commit_eps),
      floor_batch_100_eps: Math.floor(floor.batch_100_eps),
      floor_before: floorBefore,
      floor_after: floorAfter,
      single_ratio: Number((single.eps / floor.one_event_per_commit_eps).toFixed(3)),
      batch_ratio: Number((batch.eps / floor.batch_100_eps).toFixed(3)),
      pure_engine_eps: Math.floor(pure),
      pure_engine_with_verdicts_eps: Math.floor(pureExplain),
      payouts: Number(paid!.payouts),
      paid_fen: paid!.total,
      ledger_ok: ledger.ok,
    }),
  );
} finally {
  await stopServer(server);
  if (!dropped) await scratch.drop();
}
