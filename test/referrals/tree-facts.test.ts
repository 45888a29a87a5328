import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, queryRows } from '../../src/db/client.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { bindFirst } from '../../src/modules/referrals/tree.service.js';
import { loadBatchFacts } from '../../src/modules/rewards/inputs.service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertMembers } from '../helpers/members.js';

/**
 * Tree rows carry copies of each member's level, account status and
 * onboarding state (migration 0021), kept by triggers on the tables that own
 * them; reward batches and the upgrade screen read the copies. Whatever
 * writes those tables, and in whatever order, the copies must equal the
 * originals.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
const db = () => ctx.database.db;

type Facts = { levelId: number | null; statusActive: boolean; onboarded: boolean };

/** What the owning tables say, and what the tree rows say, for the given members. */
async function factsOf(d: Db, ids: number[]) {
  const rows = await queryRows<{ id: number | string; level_id: number | string | null; status: string; state: string | null; t_level: number | string | null; t_status: boolean; t_onboarded: boolean }>(d, sql`
    select m.id, ml.level_id, m.status, oa.state, t.level_id as t_level, t.status_active as t_status, t.onboarded as t_onboarded
    from members m join member_tree t on t.member_id = m.id
    left join member_levels ml on ml.member_id = m.id
    left join onboarding_applications oa on oa.member_id = m.id
    where m.id = any(${`{${ids.join(',')}}`}::bigint[]) order by m.id`);
  const num = (v: number | string | null) => (v === null ? null : Number(v));
  return {
    truth: rows.map((r): Facts => ({ levelId: num(r.level_id), statusActive: r.status === 'active', onboarded: r.state === 'active' })),
    copies: rows.map((r): Facts => ({ levelId: num(r.t_level), statusActive: r.t_status, onboarded: r.t_onboarded })),
  };
}

describe('member facts on tree rows', () => {
  it('equal the owning tables after random level, status and onboarding changes', async () => {
    const levelIds = (await queryRows<{ id: number | string }>(db(), sql`select id from levels order by rank`)).map((r) => Number(r.id));
    expect(levelIds.length).toBeGreaterThan(1);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('level' as const), who: fc.nat(5), level: fc.nat(levelIds.length - 1) }),
      fc.record({ kind: fc.constant('unlevel' as const), who: fc.nat(5) }),
      fc.record({ kind: fc.constant('status' as const), who: fc.nat(5), status: fc.constantFrom('active', 'suspended', 'closed') }),
      fc.record({ kind: fc.constant('onboarding' as const), who: fc.nat(5), state: fc.constantFrom('draft', 'submitted', 'approved', 'rejected', 'fee_pending', 'active') }),
      fc.record({ kind: fc.constant('unboard' as const), who: fc.nat(5) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const ids = await insertMembers(db(), 6);
        for (const o of ops) {
          const id = ids[o.who]!;
          if (o.kind === 'level')
            await db().execute(sql`
              insert into member_levels (member_id, level_id, cause) values (${id}, ${levelIds[o.level]!}, 'staff')
              on conflict (member_id) do update set level_id = excluded.level_id`);
          else if (o.kind === 'unlevel') await db().execute(sql`delete from member_levels where member_id = ${id}`);
          else if (o.kind === 'status') await db().execute(sql`update members set status = ${o.status} where id = ${id}`);
          else if (o.kind === 'onboarding')
            await db().execute(sql`
              insert into onboarding_applications (member_id, state) values (${id}, ${o.state})
              on conflict (member_id) do update set state = excluded.state`);
          else await db().execute(sql`delete from onboarding_applications where member_id = ${id}`);
        }
        const { truth, copies } = await factsOf(db(), ids);
        expect(copies).toEqual(truth);
      }),
      { numRuns: 40 },
    );
  });

  it('are set on a tree row inserted after the facts (a member whose tree row is rebuilt)', async () => {
    const [id] = await insertMembers(db(), 1);
    const [level] = await queryRows<{ id: number | string }>(db(), sql`select id from levels order by rank desc limit 1`);
    await db().execute(sql`insert into member_levels (member_id, level_id, cause) values (${id!}, ${level!.id}, 'staff')`);
    await db().execute(sql`insert into onboarding_applications (member_id, state) values (${id!}, 'active')`);
    await db().execute(sql`delete from member_tree where member_id = ${id!}`);
    await db().execute(sql`insert into member_tree (member_id, parent_id, depth, path) values (${id!}, null, 0, '{}')`);
    const { truth, copies } = await factsOf(db(), [id!]);
    expect(copies).toEqual(truth);
    expect(copies[0]).toEqual({ levelId: Number(level!.id), statusActive: true, onboarded: true });
  });

  it('are what a reward batch reads for the seller and its three nearest ancestors', async () => {
    const ids = await insertMembers(db(), 5);
    const actor = systemAuditContext('test');
    // A chain: ids[0] ← ids[1] ← … ← ids[4] (the seller).
    for (let i = 1; i < ids.length; i++) await db().transaction((tx) => bindFirst(tx, { memberId: ids[i]!, parentId: ids[i - 1]!, via: 'invite_code', actor }));
    const levels = (await queryRows<{ id: number | string; rank: number }>(db(), sql`select id, rank from levels order by rank`)).map((r) => ({ id: Number(r.id), rank: r.rank }));
    await db().execute(sql`insert into member_levels (member_id, level_id, cause) values (${ids[3]!}, ${levels.at(-1)!.id}, 'staff'), (${ids[2]!}, ${levels[1]!.id}, 'staff')`);
    await db().execute(sql`insert into onboarding_applications (member_id, state) select unnest(${`{${ids.join(',')}}`}::bigint[]), 'active'`);
    await db().execute(sql`update members set status = 'suspended' where id = ${ids[2]!}`);
    await db().execute(sql`update onboarding_applications set state = 'rejected' where member_id = ${ids[1]!}`);

    const event = { id: 1, kind: 'transaction_settled' as const, baseFen: 10_000n, memberId: ids[4]!, occurredAt: new Date(), day: '2026-12-01', month: '2026-12-01' };
    const facts = await loadBatchFacts(db(), [event]);
    expect(facts.ancestorsOf.get(ids[4]!)).toEqual([ids[3]!, ids[2]!, ids[1]!]);
    const seen = [ids[4]!, ids[3]!, ids[2]!, ids[1]!].map((id) => {
      const p = facts.persons.get(id)!;
      return { id, rank: p.rank, active: p.active };
    });
    const base = levels[0]!.rank;
    expect(seen).toEqual([
      { id: ids[4]!, rank: base, active: true },
      { id: ids[3]!, rank: levels.at(-1)!.rank, active: true },
      { id: ids[2]!, rank: levels[1]!.rank, active: false }, // suspended
      { id: ids[1]!, rank: base, active: false }, // onboarding rejected
    ]);
    expect(facts.persons.has(ids[0]!)).toBe(false); // beyond the reach
  });
});
