import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { ingestRecords } from '../../src/modules/channels/ingest.service.js';
import { readLadder } from '../../src/modules/levels/ladder.service.js';
import { setMemberLevelByStaff } from '../../src/modules/levels/member-level.service.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { bindFirst } from '../../src/modules/referrals/tree.service.js';
import { drainRewards } from '../../src/modules/rewards/rewards.service.js';
import { releaseDue } from '../../src/modules/wallets/wallets.service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertMembers } from '../helpers/members.js';
import { markActive } from '../helpers/onboarding.js';

/**
 * Property (SPEC §9): whatever the tree, the levels, the order of sales and
 * refunds and whether the payouts were still frozen or already released,
 * a sale followed by its refund nets every wallet back to where it was, and
 * the ledger verifies after every step.
 */
const TZ = 'Asia/Shanghai';
const actor = systemAuditContext('test');
let ctx: TestContext;
const db = () => ctx.database.db;
let run = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  await db().execute(sql`insert into channels (id, kind, name) values ('prop', 'push', 'Prop')`);
});
afterAll(() => ctx.close());

const balances = async (ids: number[]) =>
  new Map(
    (await queryRows<{ member_id: number | string; frozen: string; available: string }>(db(), sql`
      select member_id, frozen::text, available::text from wallets where member_id = any(${`{${ids.join(',')}}`}::bigint[])`)).map((r) => [Number(r.member_id), `${r.frozen}/${r.available}`]),
  );

describe('sale then refund nets every wallet back', () => {
  it('random trees, levels, activity, sales (single and batched), releases between, refunds in any order', async () => {
    const ladder = await readLadder(db());
    const levels = ladder.levels.filter((l) => l.enabled).map((l) => l.id);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          size: fc.integer({ min: 2, max: 9 }),
          parents: fc.array(fc.nat(), { minLength: 9, maxLength: 9 }),
          levelOf: fc.array(fc.nat({ max: levels.length - 1 }), { minLength: 9, maxLength: 9 }),
          // Mostly active (eligible to be paid), so that most runs pay something.
          active: fc.array(fc.integer({ min: 0, max: 9 }).map((v) => v < 8), { minLength: 9, maxLength: 9 }),
          sales: fc.array(fc.record({ seller: fc.nat(), amount: fc.integer({ min: 1, max: 5_000_000 }) }), { minLength: 1, maxLength: 30 }),
          // batched with fewer than 20 sales: they go one by one (the consumer path)
          batched: fc.boolean(),
          releaseBetween: fc.boolean(),
          refundOrder: fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
        }),
        async (c) => {
          run++;
          const ids = await insertMembers(db(), c.size);
          for (let k = 0; k < c.size; k++) {
            if (c.levelOf[k]! > 0) await db().transaction((tx) => setMemberLevelByStaff(tx, actor, { memberId: ids[k]!, levelId: levels[c.levelOf[k]!]!, reason: 'property' }));
            if (c.active[k]) await markActive(db(), ids[k]!);
            await db().execute(sql`insert into channel_merchants (channel_id, merchant_ref, member_id) values ('prop', ${`P${run}-${k}`}, ${ids[k]!})`);
          }
          // Bound after the levels are set: five direct members lift a member to 银牌 on their own (the default ladder).
          for (let k = 1; k < c.size; k++) await db().transaction((tx) => bindFirst(tx, { memberId: ids[k]!, parentId: ids[c.parents[k]! % k]!, via: 'invite_code', actor }));
          const before = await balances(ids);
          const at = new Date().toISOString();
          const sales = c.sales.map((s, i) => ({ channel_txn_id: `S${run}-${i}`, merchant_ref: `P${run}-${s.seller % c.size}`, amount_fen: s.amount, status: 'settled', occurred_at: at }));
          // ≥ 20 records go through the push's own transaction, fewer through the consumer: both paths.
          if (c.batched && sales.length >= 20) await ingestRecords(db(), 'prop', sales);
          else for (const s of sales) await ingestRecords(db(), 'prop', [s]);
          await drainRewards(db(), TZ);
          expect((await verifyLedger(db())).problems).toEqual([]);
          // Some payouts released (a refund then takes them back from available), some still frozen.
          if (c.releaseBetween) await releaseDue(db(), { now: new Date(Date.now() + 8 * 86_400_000) });
          const order = sales.map((s, i) => ({ s, key: c.refundOrder[i]! })).sort((a, b) => a.key - b.key);
          for (const { s } of order) {
            await ingestRecords(db(), 'prop', [{ ...s, channel_txn_id: `R-${s.channel_txn_id}`, status: 'refunded', original_txn_id: s.channel_txn_id }]);
          }
          await drainRewards(db(), TZ);
          expect(await balances(ids)).toEqual(before);
          expect((await verifyLedger(db())).problems).toEqual([]);
        },
      ),
      { numRuns: 25 },
    );
    // The property was not vacuous: payouts were made (and every one was taken back), some from available after release.
    const [made] = await queryRows<{ paid: number; open: number; released: number }>(db(), sql`
      select (select count(*)::int from reward_payouts) as paid,
        (select count(*)::int from reward_payouts where clawed_back_at is null) as open,
        (select count(*)::int from ledger_entries where kind = 'release') as released`);
    expect(made!.paid).toBeGreaterThan(10);
    expect(made!.open).toBe(0);
    expect(made!.released).toBeGreaterThan(0);
  }, 240_000);
});
