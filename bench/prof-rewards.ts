import { sql } from 'drizzle-orm';
import { connectPostgres } from '../src/db/client.js';
import { ingestRecords } from '../src/modules/channels/ingest.service.js';
import { consumePerformance } from '../src/modules/performance/performance.service.js';
import { consumeRewards } from '../src/modules/rewards/rewards.service.js';
import { scratchDatabase } from './floor.js';
import { loadRandomTree } from './tree-fixture.js';

const scratch = await scratchDatabase('postgres://postgres@127.0.0.1:5432/postgres', 'prof');
try {
  const database = connectPostgres(scratch.url, 4);
  await database.migrate();
  const db = database.db;
  await loadRandomTree(db, { members: 100000, chains: 3, chainLength: 1000 });
  await db.execute(sql`insert into member_levels (member_id, level_id, cause) select m.id, l.id, 'staff' from members m join lateral (select id from levels where enabled order by rank offset (m.id * 7919) % 5 limit 1) l on true where m.id % 3 <> 0`);
  await db.execute(sql`insert into onboarding_applications (member_id, state, revision, submitted_at, reviewed_at, activated_at) select id, 'active', 1, now(), now(), now() from members where id % 10 <> 0`);
  await db.execute(sql`insert into channels (id, kind, name) values ('bench', 'push', 'Bench')`);
  await db.execute(sql`insert into channel_merchants (channel_id, merchant_ref, member_id) select 'bench', 'M' || id, id from members`);
  await db.execute(sql`vacuum analyze`);
  let seq = 0;
  for (let b = 0; b < 30; b++) {
    await ingestRecords(db, 'bench', Array.from({ length: 1000 }, () => ({ channel_txn_id: `T${++seq}`, merchant_ref: `M${1 + Math.floor(Math.random() * 100000)}`, amount_fen: 1000 + Math.floor(Math.random() * 499000), status: 'settled', occurred_at: new Date().toISOString() })));
  }
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const n = await consumeRewards(db, 'Asia/Shanghai', 1000);
    console.log('batch', n, (performance.now() - t).toFixed(1), 'ms');
    if (n === 0) break;
  }
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const n = await consumePerformance(db, 'Asia/Shanghai', 5000);
    const u = process.cpuUsage(c);
    console.log('perf batch', n, (performance.now() - t).toFixed(1), 'ms', 'node cpu', ((u.user + u.system) / 1000).toFixed(1));
    if (n === 0) break;
  }
  await database.close();
} finally {
  if (!process.env.KEEP) await scratch.drop();
}
