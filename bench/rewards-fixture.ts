import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';
import { sweepUpgrades } from '../src/modules/levels/upgrades.service.js';
import { type GeneratedTree, loadRandomTree } from './tree-fixture.js';

/**
 * The reward benchmarks' world: a random tree, levels along the ladder for
 * two members in three (then raised where the ladder says so), nine in ten
 * onboarded (active), and a push channel with every member as a merchant `M<id>`.
 */
export async function loadRewardsFixture(db: Db, opts: { members: number; chains: number; secretsEnc?: string | null }): Promise<GeneratedTree> {
  const tree = await loadRandomTree(db, { members: opts.members, chains: opts.chains, chainLength: 1000 });
  await levelsAndOnboarding(db);
  // Levels are written straight in, so members the ladder would already have raised (about 1,500 at the
  // lowest level with five direct members or more) are not, a state the product only shows between a
  // ladder save and its sweep. The server's sweep of a saved ladder raises them; this is that sweep.
  await sweepUpgrades(db, 'Asia/Shanghai', 5000);
  // That sweep is the one the server runs once per ladder version (runLadderSweep): recorded, so a bench run
  // long enough to reach the server's first job tick does not sweep 100,000 members again mid-phase.
  await db.execute(sql`insert into level_job_runs (job, period) select 'ladder_sweep', max(version)::text from level_ladder_versions`);
  await db.execute(sql`insert into channels (id, kind, name, secrets_enc) values ('bench', 'push', 'Bench', ${opts.secretsEnc ?? null})`);
  await db.execute(sql`insert into channel_merchants (channel_id, merchant_ref, member_id) select 'bench', 'M' || id, id from members`);
  await db.execute(sql`vacuum analyze`);
  return tree;
}

/** Levels along the ladder for two members in three, and nine in ten onboarded (active). */
export async function levelsAndOnboarding(db: Db): Promise<void> {
  await db.execute(sql`
    insert into member_levels (member_id, level_id, cause)
    select m.id, l.id, 'staff' from members m
    join lateral (select id from levels where enabled order by rank offset (m.id * 7919) % 5 limit 1) l on true
    where m.id % 3 <> 0`);
  await db.execute(sql`
    insert into onboarding_applications (member_id, state, revision, submitted_at, reviewed_at, activated_at)
    select id, 'active', 1, now(), now(), now() from members where id % 10 <> 0`);
}

/**
 * The sales the reward benchmarks push: a random merchant `M<id>` of the
 * fixture, 10 to 4,999.99 yuan, happening now, ids `<prefix><n>` in order.
 */
export function saleMaker(members: number, prefix: string) {
  let seq = 0;
  return () => ({
    channel_txn_id: `${prefix}${++seq}`,
    merchant_ref: `M${1 + Math.floor(Math.random() * members)}`,
    amount_fen: 1000 + Math.floor(Math.random() * 499_000),
    status: 'settled' as const,
    occurred_at: new Date().toISOString(),
  });
}
