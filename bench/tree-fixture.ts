import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';

export interface GeneratedTree {
  n: number;
  parent: Int32Array;
  depth: Int32Array;
  /** Descendants of each member. */
  size: Int32Array;
  maxDepth: number;
  /** First member id of the long chains (ids above it belong to chains). */
  chainStart: number;
}

/**
 * Loads a benchmark tree straight into `members` and `member_tree`: a random
 * recursive tree (each member invited by a random earlier one) with a few
 * long chains hanging off it. Member k has id k. Counts are loaded as the
 * bindings would have maintained them.
 */
export async function loadRandomTree(db: Db, opts: { members: number; chains: number; chainLength: number }): Promise<GeneratedTree> {
  const N = opts.members;
  const parent = new Int32Array(N + 1);
  const depth = new Int32Array(N + 1);
  const chainStart = N - opts.chains * opts.chainLength;
  for (let k = 2; k <= N; k++) {
    if (k > chainStart) parent[k] = (k - chainStart - 1) % opts.chainLength === 0 ? 1 + Math.floor(Math.random() * (chainStart - 1)) : k - 1;
    else parent[k] = 1 + Math.floor(Math.random() * (k - 1));
    depth[k] = depth[parent[k]!]! + 1;
  }
  const size = new Int32Array(N + 1);
  const direct = new Int32Array(N + 1);
  for (let k = N; k >= 2; k--) {
    size[parent[k]!]! += size[k]! + 1;
    direct[parent[k]!]! += 1;
  }
  await db.execute(sql`alter table members disable trigger members_tree_node`);
  await db.execute(sql`insert into members (phone, password_hash, display_name) select '1' || lpad(g::text, 10, '0'), 'x', 'm' || g from generate_series(1, ${N}) g`);
  await db.execute(sql`alter table members enable trigger members_tree_node`);
  const pathOf = (k: number) => {
    const up: number[] = [];
    for (let p = parent[k]!; p !== 0; p = parent[p]!) up.push(p);
    return up.reverse();
  };
  const BATCH = 20_000;
  for (let from = 1; from <= N; from += BATCH) {
    const ids: number[] = [];
    const parents: (number | null)[] = [];
    const depths: number[] = [];
    const paths: string[] = [];
    const sizes: number[] = [];
    const directs: number[] = [];
    for (let k = from; k < Math.min(N + 1, from + BATCH); k++) {
      sizes.push(size[k]!);
      directs.push(direct[k]!);
      ids.push(k);
      parents.push(parent[k] || null);
      depths.push(depth[k]!);
      paths.push(`{${pathOf(k).join(',')}}`);
    }
    await db.execute(sql`
      insert into member_tree (member_id, parent_id, depth, path, up3, descendants, direct_count)
      select i, p, d, pa::bigint[], (pa::bigint[])[greatest(1, d - 2):d], s, dc from unnest(${sql.param(ids)}::bigint[], ${sql.param(parents)}::bigint[], ${sql.param(depths)}::int[], ${sql.param(paths)}::text[], ${sql.param(sizes)}::int[], ${sql.param(directs)}::int[]) as t(i, p, d, pa, s, dc)`);
  }
  // Settle before measuring: vacuum (visibility map, statistics) and a checkpoint, so that
  // autovacuum and the load's dirty pages do not run during the timings.
  await db.execute(sql`vacuum (analyze) member_tree`);
  await db.execute(sql`vacuum (analyze) members`);
  await db.execute(sql`checkpoint`);
  return { n: N, parent, depth, size, maxDepth: depth.reduce((m, d) => (d > m ? d : m), 0), chainStart };
}

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(3));
};
