import crypto from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { type Db, queryRows, queryRowsPrepared } from '../../db/client.js';
import { AppError, notFound } from '../../lib/errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { bindingHistory, inviteCodes, memberTree } from './referrals.schema.js';

/** The most generations any relationship-based payout may reach (SPEC §0). */
export const MAX_REACH = 3;

/**
 * Moves of subtrees and new bindings must not interleave (a child bound under
 * a member while that member's subtree is rewritten would keep a stale path):
 * bindings share this lock, moves take it alone. Moves are rare staff actions.
 */
export const TREE_LOCK = 7_001_002;

/** A member (with its whole downline) got a new path: a first binding or a staff move. */
export interface SubtreeMoved {
  memberId: number;
  oldPath: number[];
  newPath: number[];
}

/**
 * Modules that keep figures per ancestor (performance, levels) register here
 * and update them in the transaction that moves the member, so the tree and
 * its rollups never disagree. Listeners run after the paths are rewritten.
 */
const subtreeListeners: ((tx: Db, moved: SubtreeMoved) => Promise<void>)[] = [];
export function onSubtreeMoved(listener: (tx: Db, moved: SubtreeMoved) => Promise<void>) {
  subtreeListeners.push(listener);
}
async function notifyMoved(tx: Db, moved: SubtreeMoved) {
  for (const listener of subtreeListeners) await listener(tx, moved);
}

export type BindingVia = 'invite_code' | 'invite_link' | 'staff_assign' | 'staff_move';

export interface TreeNode {
  memberId: number;
  parentId: number | null;
  depth: number;
  path: number[];
  descendants: number;
  directCount: number;
}

export async function getNode(db: Db, memberId: number, lock: '' | 'share' | 'update' = ''): Promise<TreeNode> {
  const [row] = await queryRowsPrepared<{ member_id: unknown; parent_id: unknown; depth: number; path: unknown[]; descendants: number; direct_count: number }>(db, `tree_node_${lock || 'plain'}`, sql`
    select member_id, parent_id, depth, path, descendants, direct_count from member_tree where member_id = ${memberId}
    ${lock === 'share' ? sql`for share` : lock === 'update' ? sql`for update` : sql``}`);
  if (!row) throw notFound('Member');
  return {
    memberId: Number(row.member_id),
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    depth: Number(row.depth),
    path: row.path.map(Number),
    descendants: Number(row.descendants),
    directCount: Number(row.direct_count),
  };
}

/** The nearest `reach` (≤ 3) ancestors, nearest first: one primary-key read at any depth. */
export async function ancestorsWithinReach(db: Db, memberId: number, reach = MAX_REACH): Promise<number[]> {
  const n = Math.min(Math.max(reach, 1), MAX_REACH);
  // Every reward event asks this: a prepared statement, planned once per connection.
  const [row] = await queryRowsPrepared<{ up: unknown[] | null }>(db, 'tree_ancestors', sql`
    select up3[greatest(1, cardinality(up3) - ${n} + 1):cardinality(up3)] as up from member_tree where member_id = ${memberId}`);
  if (!row) throw notFound('Member');
  return (row.up ?? []).map(Number).reverse();
}

/** Whether `memberId` is in the downline of `ancestorId` (any depth). */
export async function isInDownline(db: Db, ancestorId: number, memberId: number): Promise<boolean> {
  const [row] = await queryRows<{ yes: boolean }>(db, sql`
    select exists(select 1 from member_tree where member_id = ${memberId} and path @> array[${ancestorId}]::bigint[]) as yes`);
  return row!.yes;
}

async function recordBinding(
  tx: Db,
  entry: { memberId: number; fromParentId: number | null; toParentId: number | null; via: BindingVia; actor: AuditContext; reason?: string | null },
) {
  await tx.insert(bindingHistory).values({
    memberId: entry.memberId,
    fromParentId: entry.fromParentId,
    toParentId: entry.toParentId,
    via: entry.via,
    actorKind: entry.actor.actorKind,
    actorId: entry.actor.actorId,
    reason: entry.reason ?? null,
  });
}

/**
 * First binding of a member that has none yet (registration with an invite,
 * or staff assigning a root). Locked afterwards: a bound member only moves
 * through `moveMember`. Call inside the transaction that creates the member.
 */
export async function bindFirst(tx: Db, input: { memberId: number; parentId: number; via: BindingVia; actor: AuditContext; reason?: string | null }) {
  if (input.memberId === input.parentId) throw new AppError('BAD_REQUEST', 'A member cannot invite itself');
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${TREE_LOCK})`);
  const parent = await getNode(tx, input.parentId, 'share');
  const node = await getNode(tx, input.memberId, 'update');
  if (node.parentId !== null) throw new AppError('CONFLICT', 'This member is already bound to an inviter; the binding is locked');
  if (parent.path.includes(input.memberId)) throw new AppError('CONFLICT', 'That would make a cycle in the referral tree');
  const [hasChildren] = await queryRows<{ yes: boolean }>(tx, sql`select exists(select 1 from member_tree where parent_id = ${input.memberId}) as yes`);
  const newPath = [...parent.path, parent.memberId];
  if (hasChildren!.yes) {
    // A root with its own downline (possible for staff assignments): its subtree follows it.
    await rewriteSubtree(tx, node, newPath);
  }
  await tx
    .update(memberTree)
    .set({ parentId: parent.memberId, depth: newPath.length, path: newPath, up3: newPath.slice(-3), boundAt: sql`now()` })
    .where(eq(memberTree.memberId, input.memberId));
  await adjustCounts(tx, newPath, node.descendants + 1, 1);
  await recordBinding(tx, { memberId: input.memberId, fromParentId: null, toParentId: parent.memberId, via: input.via, actor: input.actor, reason: input.reason ?? null });
  await notifyMoved(tx, { memberId: input.memberId, oldPath: node.path, newPath });
}

/**
 * Adds `delta` to the downline counts of the ancestors in `path`, and to the
 * parent's direct count. `= any(array)` walks the primary key in ascending
 * order, so concurrent bindings lock shared ancestors in the same order.
 */
async function adjustCounts(tx: Db, path: number[], delta: number, directDelta: number) {
  if (path.length === 0) return;
  await tx.execute(sql`
    update member_tree set
      descendants = descendants + ${delta},
      direct_count = direct_count + case when member_id = ${path.at(-1)!} then ${directDelta} else 0 end
    where member_id = any(${`{${path.join(',')}}`}::bigint[])`);
}

/** Rewrites the paths and depths of every descendant of `node` for its new path. */
async function rewriteSubtree(tx: Db, node: TreeNode, newPath: number[]) {
  const oldLength = node.path.length;
  await tx.execute(sql`
    update member_tree set
      path = np.p,
      up3 = np.p[greatest(1, cardinality(np.p) - 2):cardinality(np.p)],
      depth = depth - ${oldLength} + ${newPath.length}
    from (select member_id as id, ${`{${newPath.join(',')}}`}::bigint[] || path[${oldLength + 1}:] as p
          from member_tree where path @> array[${node.memberId}]::bigint[]) np
    where member_tree.member_id = np.id`);
}

/**
 * Staff move a member (and its whole downline) under another parent, or make
 * it a root. Audited with a reason; refused if the new parent is the member
 * itself or in its downline (a cycle).
 */
export async function moveMember(db: Db, audit: AuditContext, input: { memberId: number; newParentId: number | null; reason: string }) {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${TREE_LOCK})`);
    const node = await getNode(tx, input.memberId, 'update');
    if (input.newParentId === node.parentId) throw new AppError('CONFLICT', 'The member already has this parent');
    let newPath: number[] = [];
    if (input.newParentId !== null) {
      if (input.newParentId === input.memberId) throw new AppError('CONFLICT', 'A member cannot be its own parent');
      const parent = await getNode(tx, input.newParentId, 'share');
      if (parent.path.includes(input.memberId)) throw new AppError('CONFLICT', 'The new parent is in this member’s downline: that would make a cycle');
      newPath = [...parent.path, parent.memberId];
    }
    await rewriteSubtree(tx, node, newPath);
    await tx
      .update(memberTree)
      .set({ parentId: input.newParentId, depth: newPath.length, path: newPath, up3: newPath.slice(-3) })
      .where(eq(memberTree.memberId, input.memberId));
    await adjustCounts(tx, node.path, -(node.descendants + 1), -1);
    await adjustCounts(tx, newPath, node.descendants + 1, 1);
    await notifyMoved(tx, { memberId: input.memberId, oldPath: node.path, newPath });
    const via: BindingVia = node.parentId === null ? 'staff_assign' : 'staff_move';
    await recordBinding(tx, { memberId: input.memberId, fromParentId: node.parentId, toParentId: input.newParentId, via, actor: audit, reason: input.reason });
    await recordAudit(tx, audit, {
      action: node.parentId === null ? 'member.inviter_assigned' : 'member.reparented',
      targetType: 'member',
      targetId: input.memberId,
      before: { parentId: node.parentId, depth: node.depth },
      after: { parentId: input.newParentId, depth: newPath.length },
      reason: input.reason,
    });
    return getNode(tx, input.memberId);
  });
}

export async function bindingHistoryOf(db: Db, memberId: number) {
  return db.select().from(bindingHistory).where(eq(bindingHistory.memberId, memberId)).orderBy(bindingHistory.id);
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** The member's invite code, created on first use: 8 characters without look-alikes (0/O, 1/I). */
export async function inviteCodeOf(db: Db, memberId: number): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [existing] = await db.select({ code: inviteCodes.code }).from(inviteCodes).where(eq(inviteCodes.memberId, memberId));
    if (existing) return existing.code;
    const code = Array.from({ length: 8 }, () => CODE_ALPHABET[crypto.randomInt(CODE_ALPHABET.length)]).join('');
    await db.insert(inviteCodes).values({ memberId, code }).onConflictDoNothing();
  }
  throw new Error('could not allocate an invite code');
}

export async function memberByInviteCode(db: Db, code: string): Promise<number | null> {
  const [row] = await db.select({ memberId: inviteCodes.memberId }).from(inviteCodes).where(eq(inviteCodes.code, code.trim().toUpperCase()));
  return row?.memberId ?? null;
}
