/**
 * bench:tree — the referral tree at scale on PostgreSQL: 1,000,000 members in
 * a random tree plus chains deeper than 1,000. Reports the time to read the
 * ≤ 3 nearest ancestors, a downline count and the first page of direct
 * members of a member with ~100,000 descendants (p50/p99), and the time to
 * re-parent a member with ~10,000 descendants.
 *
 * Usage: npm run bench:tree [-- --members 1000000 --samples 2000]
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { scratchDatabase } from './floor.js';
import { loadRandomTree, percentile } from './tree-fixture.js';
import { connectPostgres, queryRows } from '../src/db/client.js';
import { systemAuditContext } from '../src/modules/audit/audit.service.js';
import { downlineCount, teamMembers } from '../src/modules/referrals/team.service.js';
import { ancestorsWithinReach, moveMember } from '../src/modules/referrals/tree.service.js';

const { values } = parseArgs({ options: { members: { type: 'string', default: '1000000' }, samples: { type: 'string', default: '2000' }, chains: { type: 'string', default: '5' }, 'chain-length': { type: 'string', default: '1200' } } });
const N = Number(values.members);
const samples = Number(values.samples);
const chains = Number(values.chains);
const chainLength = Number(values['chain-length']);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const scratch = await scratchDatabase(adminUrl, 'tree');
const database = connectPostgres(scratch.url, 4);
const db = database.db;

const pct = percentile;
async function timeIt(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

try {
  await database.migrate();
  console.error(`building a tree of ${N} members (${chains} chains of ${chainLength})…`);
  const t0 = performance.now();
  const { parent, size, maxDepth } = await loadRandomTree(db, { members: N, chains, chainLength });
  console.error(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s; max depth ${maxDepth}`);

  // Subtree sizes, to pick a member with ~100,000 and one with ~10,000 descendants.
  const closest = (target: number) => {
    let best = 1;
    for (let k = 2; k <= N; k++) if (Math.abs(size[k]! - target) < Math.abs(size[best]! - target)) best = k;
    return best;
  };
  const big = closest(100_000);
  const mid = closest(10_000);
  console.error(`member ${big} has ${size[big]} descendants; member ${mid} has ${size[mid]}`);

  const randomMember = () => 1 + Math.floor(Math.random() * N);
  const deep = N - 1; // the end of a long chain
  await timeIt(2000, () => ancestorsWithinReach(db, randomMember()));
  const ancestors = await timeIt(samples, (i) => ancestorsWithinReach(db, i % 10 === 0 ? deep : randomMember()));
  const counts = await timeIt(samples, () => downlineCount(db, big));
  const scanCount = await timeIt(20, () => queryRows(db, sql`select count(*) from member_tree where path @> array[${big}]::bigint[]`));
  if (Number((await queryRows<{ n: unknown }>(db, sql`select count(*) as n from member_tree where path @> array[${big}]::bigint[]`))[0]!.n) !== (await downlineCount(db, big))) {
    throw new Error('the maintained downline count differs from the rows');
  }
  const firstPage = await timeIt(Math.min(samples, 300), () => teamMembers(db, big, { generation: 1, limit: 20 }, { maskPhones: true }));
  const t1 = performance.now();
  // The new parent: any member outside mid's subtree that is not already its parent.
  const inSubtreeOfMid = (k: number) => {
    for (let p = k; p !== 0; p = parent[p]!) if (p === mid) return true;
    return false;
  };
  let newParent = 2;
  while (newParent === parent[mid] || inSubtreeOfMid(newParent)) newParent++;
  await moveMember(db, systemAuditContext('bench'), { memberId: mid, newParentId: newParent, reason: 'bench' });
  const reparentMs = performance.now() - t1;

  console.log(
    JSON.stringify({
      bench: 'tree',
      members: N,
      max_depth: maxDepth,
      ancestors_p50_ms: pct(ancestors, 50),
      ancestors_p99_ms: pct(ancestors, 99),
      downline_count_member_descendants: size[big],
      downline_count_p50_ms: pct(counts, 50),
      downline_count_p99_ms: pct(counts, 99),
      downline_count_by_scan_p50_ms: pct(scanCount, 50),
      direct_first_page_p50_ms: pct(firstPage, 50),
      direct_first_page_p99_ms: pct(firstPage, 99),
      reparent_descendants: size[mid],
      reparent_ms: Number(reparentMs.toFixed(1)),
    }),
  );
} finally {
  await database.close();
  await scratch.drop();
}
