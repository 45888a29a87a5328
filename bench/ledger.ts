/**
 * bench:ledger — journal entries per second through the posting API against
 * real PostgreSQL, beside the pg-floor measured in the same run: one entry per
 * transaction (8 clients), 100 per transaction and 1,000 per transaction (4
 * clients each; 1,000 is the batch size of the channel push API, so it is the
 * batched rate we compare with the floor's batch_100_eps). Each entry is what
 * a reward event posts: three ancestors' wallets credited and the balancing
 * expense posting, in the floor's tree (ancestors m/3, m/9, m/27).
 *
 * Usage: npm run bench:ledger [-- --seconds 15]
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), FLOOR_JSON to skip the floor.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { connectPostgres, queryRows } from '../src/db/client.js';
import { type EntryInput, postBatch } from '../src/modules/ledger/ledger.service.js';
import { verifyLedger } from '../src/modules/ledger/verify.service.js';
import { pgFloor, scratchDatabase } from './floor.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, members: { type: 'string', default: '100000' } } });
const seconds = Number(values.seconds);
const memberCount = Number(values.members);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const floor = pgFloor(adminUrl, seconds);
console.error('floor:', JSON.stringify(floor));

const scratch = await scratchDatabase(adminUrl, 'ledger');
const database = connectPostgres(scratch.url, 10);

try {
  await database.migrate();
  console.error(`creating ${memberCount} members…`);
  await database.db.execute(sql`
    insert into members (phone, password_hash, display_name)
    select '1' || lpad(g::text, 10, '0'), 'x', 'm' || g from generate_series(1, ${memberCount}) g`);
  await database.db.execute(sql`analyze`);
  const [first] = await queryRows<{ min: number }>(database.db, sql`select min(id)::int as min from members`);
  const min = first!.min;

  // Like the floor's tree: member m's ancestors are m/3, m/9, m/27 (three generations).
  const entryFor = (tag: string): EntryInput => {
    const m = 27 + Math.floor(Math.random() * (memberCount - 27));
    const amount = BigInt(1000 + Math.floor(Math.random() * 499_000));
    const ancestors = [Math.floor(m / 3), Math.floor(m / 9), Math.floor(m / 27)].filter((a) => a >= 1);
    const postings = ancestors.map((a, d) => ({ account: 'wallet:available' as const, memberId: min - 1 + a, amount: (amount * BigInt(3 - d) * 10n) / 10_000n }));
    const total = postings.reduce((s, p) => s + p.amount, 0n);
    return {
      idempotencyKey: `${tag}-${crypto.randomUUID()}`,
      kind: 'credit',
      sourceType: 'bench',
      sourceId: tag,
      postings: [...postings, { account: 'rewards:expense', amount: -total }],
    };
  };

  async function run(clients: number, perCommit: number): Promise<number> {
    const deadline = Date.now() + seconds * 1000;
    let entries = 0;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        while (Date.now() < deadline) {
          const batch = Array.from({ length: perCommit }, () => entryFor(`c${c}`));
          await database.db.transaction((tx) => postBatch(tx, batch));
          entries += perCommit;
        }
      }),
    );
    return entries / seconds;
  }

  console.error(`one entry per transaction, 8 clients, ${seconds}s…`);
  const singleEps = await run(8, 1);
  console.error(`100 entries per transaction, 4 clients, ${seconds}s…`);
  const batch100Eps = await run(4, 100);
  console.error(`1000 entries per transaction, 4 clients, ${seconds}s…`);
  const batchEps = await run(4, 1000);
  const report = await verifyLedger(database.db);
  const result = {
    bench: 'ledger',
    seconds,
    members: memberCount,
    single_eps: Math.floor(singleEps),
    batch_100_eps: Math.floor(batch100Eps),
    batch_eps: Math.floor(batchEps),
    batch_size: 1000,
    floor_one_event_eps: floor.one_event_per_commit_eps,
    floor_batch_100_eps: floor.batch_100_eps,
    single_ratio: Number((singleEps / floor.one_event_per_commit_eps).toFixed(3)),
    batch_100_ratio: Number((batch100Eps / floor.batch_100_eps).toFixed(3)),
    batch_ratio: Number((batchEps / floor.batch_100_eps).toFixed(3)),
    ledger_verified: report.ok,
  };
  console.log(JSON.stringify(result));
} finally {
  await database.close();
  await scratch.drop();
}
