import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { maskPhone } from '../auth/sms.js';
import { getNode } from './tree.service.js';

export interface TeamMember {
  memberId: number;
  displayName: string;
  phone: string;
  status: string;
  generation: number;
  directCount: number;
  boundAt: Date;
  /** The level the member holds now; null before it has one (not yet onboarded). */
  level: { rank: number; name: string } | null;
}

/** The size of a member's whole downline: one primary-key read (a maintained count). */
export async function downlineCount(db: Db, memberId: number): Promise<number> {
  return (await getNode(db, memberId)).descendants;
}

/** Counts of a member's downline: per generation and in all. */
export async function teamSummary(db: Db, memberId: number) {
  const me = await getNode(db, memberId);
  if (me.descendants === 0) return { direct: 0, indirect: 0, total: 0, perGeneration: [] };
  const rows = await queryRows<{ generation: number; count: unknown }>(db, sql`
    select depth - ${me.depth} as generation, count(*) as count from member_tree
    where path @> array[${memberId}]::bigint[] group by depth order by depth`);
  const perGeneration = rows.map((r) => ({ generation: Number(r.generation), count: Number(r.count) }));
  const of = (g: number) => perGeneration.find((p) => p.generation === g)?.count ?? 0;
  return { direct: me.directCount, indirect: of(2), total: me.descendants, perGeneration };
}

/**
 * Members of `memberId`'s downline, newest first: one generation or all, with
 * an optional search by name or phone. Only the downline is ever read.
 */
export async function teamMembers(
  db: Db,
  memberId: number,
  filter: { generation?: number | undefined; q?: string | undefined; before?: number | undefined; limit: number },
  options: { maskPhones: boolean },
): Promise<{ items: TeamMember[]; nextCursor: string | null }> {
  const me = await getNode(db, memberId);
  const q = filter.q?.replace(/[%_\\]/g, (c) => `\\${c}`);
  const rows = await queryRows<{ member_id: unknown; display_name: string; phone: string; status: string; depth: number; bound_at: string | Date; direct_count: unknown; level_rank: number | null; level_name: string | null }>(db, sql`
    select t.member_id, m.display_name, m.phone, m.status, t.depth, t.bound_at,
      t.direct_count, l.rank as level_rank, l.name as level_name
    from member_tree t join members m on m.id = t.member_id
      -- Primary-key lookups per row of the page: the level is read for at most \`limit\` members.
      left join member_levels ml on ml.member_id = t.member_id
      left join levels l on l.id = ml.level_id
    where ${filter.generation === 1 ? sql`t.parent_id = ${memberId}` : sql`t.path @> array[${memberId}]::bigint[]`}
      ${filter.generation !== undefined && filter.generation > 1 ? sql`and t.depth = ${me.depth + filter.generation}` : sql``}
      ${q ? sql`and (m.display_name ilike ${`%${q}%`} or m.phone like ${`%${q}%`})` : sql``}
      ${filter.before !== undefined ? sql`and t.member_id < ${filter.before}` : sql``}
    order by t.member_id desc limit ${filter.limit + 1}`);
  const items = rows.slice(0, filter.limit).map((r) => ({
    memberId: Number(r.member_id),
    displayName: r.display_name,
    phone: options.maskPhones ? maskPhone(r.phone) : r.phone,
    status: r.status,
    generation: Number(r.depth) - me.depth,
    directCount: Number(r.direct_count),
    boundAt: new Date(r.bound_at),
    level: r.level_rank === null || r.level_name === null ? null : { rank: Number(r.level_rank), name: r.level_name },
  }));
  return { items, nextCursor: rows.length > filter.limit ? String(items.at(-1)!.memberId) : null };
}

/** The upline chain of a member, root first, with names (staff view). */
export async function uplineOf(db: Db, memberId: number) {
  const node = await getNode(db, memberId);
  if (node.path.length === 0) return [];
  const rows = await queryRows<{ id: unknown; display_name: string }>(db, sql`
    select id, display_name from members where id = any(${`{${node.path.join(',')}}`}::bigint[])`);
  const names = new Map(rows.map((r) => [Number(r.id), r.display_name]));
  return node.path.map((id, i) => ({ memberId: id, displayName: names.get(id) ?? '', generationsUp: node.path.length - i }));
}
