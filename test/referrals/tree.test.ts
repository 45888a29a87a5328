import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { ancestorsWithinReach, bindFirst, bindingHistoryOf, getNode, inviteCodeOf, isInDownline, memberByInviteCode, moveMember } from '../../src/modules/referrals/tree.service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { insertMembers } from '../helpers/members.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
const db = () => ctx.database.db;
const actor = systemAuditContext('test');

/** The naive model: a parent map; everything else is computed by walking it. */
function chain(parent: Map<number, number | null>, id: number): number[] {
  const up: number[] = [];
  for (let p = parent.get(id) ?? null; p !== null; p = parent.get(p) ?? null) up.push(p);
  return up.reverse();
}

describe('the tree', () => {
  it('matches a naive model after random bindings, moves and refused cycles', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('bind', 'move', 'root'), fc.nat(11), fc.nat(11)), { minLength: 10, maxLength: 40 }),
        async (ops) => {
          const ids = await insertMembers(db(), 12);
          const parent = new Map<number, number | null>(ids.map((id) => [id, null]));
          for (const [op, a, b] of ops) {
            const m = ids[a]!;
            const p = ids[b]!;
            const wouldCycle = m === p || chain(parent, p).includes(m);
            try {
              if (op === 'bind') await db().transaction((tx) => bindFirst(tx, { memberId: m, parentId: p, via: 'invite_code', actor }));
              else await moveMember(db(), actor, { memberId: m, newParentId: op === 'root' ? null : p, reason: 'test' });
              const expectedOk = op === 'root' ? parent.get(m) !== null : !wouldCycle && (op === 'move' ? parent.get(m) !== p : parent.get(m) === null);
              expect(expectedOk, `${op} ${m} → ${p} succeeded`).toBe(true);
              parent.set(m, op === 'root' ? null : p);
            } catch (err) {
              const code = (err as { code?: string }).code;
              expect(['CONFLICT', 'BAD_REQUEST'], `${op} ${m} → ${p}: ${(err as Error).message}`).toContain(code);
            }
          }
          for (const id of ids) {
            const node = await getNode(db(), id);
            const expected = chain(parent, id);
            expect(node.path).toEqual(expected);
            expect(node.depth).toBe(expected.length);
            expect(await ancestorsWithinReach(db(), id)).toEqual(expected.slice(-3).reverse());
            expect(await ancestorsWithinReach(db(), id, 1)).toEqual(expected.slice(-1));
            const downline = await queryRows<{ member_id: unknown }>(db(), sql`select member_id from member_tree where path @> array[${id}]::bigint[] order by member_id`);
            const expectedDownline = ids.filter((x) => chain(parent, x).includes(id)).sort((x, y) => x - y);
            expect(downline.map((r) => Number(r.member_id))).toEqual(expectedDownline);
            expect(node.descendants, `descendants of ${id}`).toBe(expectedDownline.length);
            expect(node.directCount, `direct members of ${id}`).toBe(ids.filter((x) => parent.get(x) === id).length);
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('refuses self-invites and a second binding, and keeps the history', async () => {
    const [a, b, c] = (await insertMembers(db(), 3)) as [number, number, number];
    await expect(db().transaction((tx) => bindFirst(tx, { memberId: a, parentId: a, via: 'invite_code', actor }))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await db().transaction((tx) => bindFirst(tx, { memberId: b, parentId: a, via: 'invite_code', actor }));
    await expect(db().transaction((tx) => bindFirst(tx, { memberId: b, parentId: c, via: 'invite_link', actor }))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await ancestorsWithinReach(db(), b)).toEqual([a]);
    await moveMember(db(), actor, { memberId: b, newParentId: c, reason: '推荐人录入错误' });
    expect(await isInDownline(db(), c, b)).toBe(true);
    expect(await isInDownline(db(), a, b)).toBe(false);
    const history = await bindingHistoryOf(db(), b);
    expect(history.map((h) => [h.fromParentId, h.toParentId, h.via, h.reason])).toEqual([
      [null, a, 'invite_code', null],
      [a, c, 'staff_move', '推荐人录入错误'],
    ]);
  });

  it('gives every member one stable invite code that finds it again', async () => {
    const [a] = (await insertMembers(db(), 1)) as [number];
    const code = await inviteCodeOf(db(), a);
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(await inviteCodeOf(db(), a)).toBe(code);
    expect(await memberByInviteCode(db(), code.toLowerCase())).toBe(a);
    expect(await memberByInviteCode(db(), 'NOPE2345')).toBeNull();
  });

  it('reads the nearest three ancestors of a member 1,200 generations deep', async () => {
    const ids = await insertMembers(db(), 1200);
    for (let i = 1; i < ids.length; i++) await db().transaction((tx) => bindFirst(tx, { memberId: ids[i]!, parentId: ids[i - 1]!, via: 'invite_code', actor }));
    const last = ids.at(-1)!;
    expect(await ancestorsWithinReach(db(), last)).toEqual([ids.at(-2), ids.at(-3), ids.at(-4)]);
    expect((await getNode(db(), last)).depth).toBe(1199);
    // Moving the chain's second member under a fresh root rewrites 1,198 paths in one statement.
    const [root] = (await insertMembers(db(), 1)) as [number];
    await moveMember(db(), actor, { memberId: ids[1]!, newParentId: root, reason: 'test' });
    expect((await getNode(db(), last)).depth).toBe(1199);
    expect(await isInDownline(db(), root, last)).toBe(true);
    expect(await isInDownline(db(), ids[0]!, last)).toBe(false);
    // 1,200 bindings each adjust every ancestor's counts: about a minute on PGlite on a busy 2-core machine.
  }, 240_000);
});
