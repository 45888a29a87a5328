import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { type Db, intArrayLiteral, queryRows } from '../../db/client.js';
import { AppError, notFound } from '../../lib/errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { members } from '../members/members.schema.js';
import { performanceFacts } from '../performance/figures.service.js';
import type { LevelFacts } from './conditions.js';
import { type Ladder, levelById, levelOf } from './ladder.js';
import { readLadderForChange } from './ladder.service.js';
import { type LevelCause, levelHistory, memberLevels } from './levels.schema.js';

export type MemberLevelRow = typeof memberLevels.$inferSelect;

/** The recorded levels of these members (members without a row stand at the lowest enabled level). */
export async function memberLevelRows(db: Db, memberIds: number[], lock = false): Promise<Map<number, MemberLevelRow>> {
  if (memberIds.length === 0) return new Map();
  const query = db.select().from(memberLevels).where(sql`${memberLevels.memberId} = any(${intArrayLiteral(memberIds)}::bigint[])`).orderBy(memberLevels.memberId);
  const rows = lock ? await query.for('update') : await query;
  return new Map(rows.map((r) => [r.memberId, r]));
}

/**
 * Everything the conditions read, for many members at once: performance
 * facts (two indexed reads), direct-member counts from the tree, and — only
 * for the ranks some condition asks about — how many direct members are at
 * each rank or above (one grouped read over the members' children, whose
 * tree rows carry their level: joining member_levels instead made the
 * planner scan that whole table in every round of an upgrade evaluation).
 */
export async function loadFacts(db: Db, ladder: Ladder, memberIds: number[], month: string, ranks: number[]): Promise<Map<number, LevelFacts>> {
  const out = new Map<number, LevelFacts>();
  if (memberIds.length === 0) return out;
  const ids = intArrayLiteral(memberIds);
  const lowestRank = ladder.levels.find((l) => l.enabled)?.rank ?? 0;
  // Sequential on purpose: this runs inside the caller's transaction, on one connection.
  const perf = await performanceFacts(db, memberIds, month);
  const directRows = await queryRows<{ member_id: number | string; direct_count: number }>(db, sql`select member_id, direct_count from member_tree where member_id = any(${ids}::bigint[])`);
  const rankRows =
    ranks.length === 0
      ? []
      : await queryRows<{ parent_id: number | string; rank: number; n: number | string }>(db, sql`
          select c.parent_id, r.rank, count(*) as n
          from member_tree c
          left join levels l on l.id = c.level_id
          cross join unnest(${`{${ranks.join(',')}}`}::int[]) as r(rank)
          where c.parent_id = any(${ids}::bigint[]) and coalesce(l.rank, ${lowestRank}) >= r.rank
          group by c.parent_id, r.rank`);
  const direct = new Map(directRows.map((r) => [Number(r.member_id), Number(r.direct_count)]));
  const atRank = new Map<number, Map<number, number>>();
  for (const r of rankRows) {
    const id = Number(r.parent_id);
    if (!atRank.has(id)) atRank.set(id, new Map());
    atRank.get(id)!.set(Number(r.rank), Number(r.n));
  }
  for (const id of memberIds) {
    const counts = new Map(ranks.map((rank) => [rank, atRank.get(id)?.get(rank) ?? 0]));
    out.set(id, { performance: perf.get(id)!, directMembers: direct.get(id) ?? 0, directMembersAtRank: counts });
  }
  return out;
}

export interface LevelChange {
  memberId: number;
  /** The level the decision was made from (for members without a row, the lowest enabled one). */
  fromLevelId: number;
  toLevelId: number;
  reason: string | null;
}
export interface AppliedChange {
  memberId: number;
  fromLevelId: number | null;
  toLevelId: number;
}

/**
 * Writes level changes and their history rows in one statement.
 * - `raise`: only where the new level ranks above the level the member holds
 *   at write time (performance and purchase never lower anyone, even when
 *   another transaction raised the member meanwhile);
 * - `expect`: only where the member still holds `fromLevelId` (staff and
 *   downgrades act on what they read).
 * The history's `from` is the level really replaced, read under the row lock.
 */
export async function applyLevelChanges(
  tx: Db,
  changes: LevelChange[],
  how: { guard: 'raise' | 'expect'; cause: LevelCause; actor: AuditContext; orderId?: number | null },
): Promise<AppliedChange[]> {
  if (changes.length === 0) return [];
  const sorted = [...changes].sort((a, b) => a.memberId - b.memberId);
  const guard =
    how.guard === 'raise'
      ? sql`(select rank from levels where id = excluded.level_id) > (select rank from levels where id = ml.level_id)`
      : sql`ml.level_id = excluded.previous_level_id`;
  const rows = await queryRows<{ member_id: number | string; from_level_id: number | string | null; to_level_id: number | string }>(tx, sql`
    with input(member_id, to_level, from_level, reason) as (
      select * from unnest(${intArrayLiteral(sorted.map((c) => c.memberId))}::bigint[], ${intArrayLiteral(sorted.map((c) => c.toLevelId))}::bigint[],
        ${intArrayLiteral(sorted.map((c) => c.fromLevelId))}::bigint[], ${sql.param(sorted.map((c) => c.reason))}::text[])),
    changed as (
      insert into member_levels as ml (member_id, level_id, previous_level_id, cause, since)
      select member_id, to_level, from_level, ${how.cause}::text, now() from input order by member_id
      on conflict (member_id) do update set
        previous_level_id = ml.level_id, level_id = excluded.level_id, cause = excluded.cause, since = excluded.since
      where ${guard}
      returning member_id, previous_level_id, level_id)
    insert into level_history (member_id, from_level_id, to_level_id, cause, actor_kind, actor_id, reason, order_id)
    select c.member_id, c.previous_level_id, c.level_id, ${how.cause}::text, ${how.actor.actorKind}::text, ${how.actor.actorId}::bigint, i.reason, ${how.orderId ?? null}::bigint
    from changed c join input i on i.member_id = c.member_id order by c.member_id
    returning member_id, from_level_id, to_level_id`);
  return rows.map((r) => ({ memberId: Number(r.member_id), fromLevelId: r.from_level_id === null ? null : Number(r.from_level_id), toLevelId: Number(r.to_level_id) }));
}

/** Records a history row that changes nothing (a purchase of a level already reached). */
export async function recordUnchanged(tx: Db, entry: { memberId: number; levelId: number; cause: LevelCause; actor: AuditContext; reason: string; orderId?: number | null }) {
  await tx.insert(levelHistory).values({
    memberId: entry.memberId,
    fromLevelId: entry.levelId,
    toLevelId: entry.levelId,
    cause: entry.cause,
    actorKind: entry.actor.actorKind,
    actorId: entry.actor.actorId,
    reason: entry.reason,
    orderId: entry.orderId ?? null,
  });
}

/** The parents of these members, for re-evaluation after their levels changed. */
export async function parentsOf(db: Db, memberIds: number[]): Promise<number[]> {
  if (memberIds.length === 0) return [];
  const rows = await queryRows<{ parent_id: number | string }>(db, sql`
    select distinct parent_id from member_tree where member_id = any(${intArrayLiteral(memberIds)}::bigint[]) and parent_id is not null`);
  return rows.map((r) => Number(r.parent_id));
}

async function requireMember(db: Db, memberId: number) {
  const [m] = await db.select({ id: members.id }).from(members).where(eq(members.id, memberId));
  if (!m) throw notFound('Member');
}

/**
 * Staff put a member on a level (owner only; a reason is required and
 * audited). Up or down, to any enabled level. Returns the change and the
 * member's parent, whose direct-member counts by level may now differ.
 */
export async function setMemberLevelByStaff(tx: Db, audit: AuditContext, input: { memberId: number; levelId: number; reason: string }) {
  const ladder = await readLadderForChange(tx);
  await requireMember(tx, input.memberId);
  const target = levelById(ladder, input.levelId);
  if (!target) throw notFound('Level');
  if (!target.enabled) throw new AppError('CONFLICT', `「${target.name}」 is disabled; enable it first`, { levelId: target.id });
  const row = (await memberLevelRows(tx, [input.memberId], true)).get(input.memberId);
  const current = levelOf(ladder, row?.levelId);
  if (current.id === target.id) throw new AppError('CONFLICT', `The member is already at 「${target.name}」`, { levelId: target.id });
  const [applied] = await applyLevelChanges(tx, [{ memberId: input.memberId, fromLevelId: current.id, toLevelId: target.id, reason: input.reason }], { guard: 'expect', cause: 'staff', actor: audit });
  if (!applied) throw new AppError('CONFLICT', "The member's level changed meanwhile; reload and try again");
  await recordAudit(tx, audit, {
    action: 'levels.member_level_set',
    targetType: 'member',
    targetId: input.memberId,
    before: { levelId: current.id, name: current.name, rank: current.rank },
    after: { levelId: target.id, name: target.name, rank: target.rank },
    reason: input.reason,
  });
  return { from: current, to: target, raised: target.rank > current.rank };
}

export async function levelHistoryOf(db: Db, memberId: number, page: { before?: number | undefined; limit: number }) {
  const rows = await db
    .select()
    .from(levelHistory)
    .where(and(eq(levelHistory.memberId, memberId), page.before === undefined ? undefined : lt(levelHistory.id, page.before)))
    .orderBy(desc(levelHistory.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? String(items.at(-1)!.id) : null };
}
