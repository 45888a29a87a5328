import { desc, eq, isNull, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { guardedChange } from '../settings/settings.service.js';
import { decodeConditionSet, encodeConditionSet } from './conditions.js';
import { type Ladder, type Level, type LevelDraft, lowestEnabled, validateLadder } from './ladder.js';
import { levelLadderVersions, levels } from './levels.schema.js';

/**
 * Saving the ladder takes this lock alone; every level change takes it
 * shared before reading the ladder, so no change is decided on a ladder
 * that is being rewritten (a level removed under a member that just got it).
 * Plain readers never wait.
 */
export const LADDER_LOCK = 7_001_006;

type LevelRow = typeof levels.$inferSelect;
const toLevel = (r: LevelRow): Level => ({
  id: r.id,
  name: r.name,
  rank: r.rank,
  priceFen: r.priceFen,
  rateProfitSharePpm: r.rateProfitSharePpm,
  upgrade: decodeConditionSet(r.upgrade),
  keep: decodeConditionSet(r.keep),
  enabled: r.enabled,
});

/**
 * The ladder of a known version, from memory when this process has read
 * that version before. The levels only change through `saveLadder`, which
 * writes a new version, so a version number names one ladder for good.
 */
let cached: Ladder | null = null;
export async function ladderAtVersion(db: Db, version: number): Promise<Ladder> {
  if (cached?.version === version) return cached;
  const ladder = await readLadder(db);
  if (ladder.version === version) cached = ladder;
  return ladder;
}

export async function readLadderForChange(tx: Db): Promise<Ladder> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${LADDER_LOCK})`);
  return readLadder(tx);
}

/** A level in its JSON form: what versions store and responses carry. */
export const encodeLevel = (l: Level) => ({
  id: l.id,
  name: l.name,
  rank: l.rank,
  priceFen: l.priceFen.toString(),
  rateProfitSharePpm: l.rateProfitSharePpm,
  upgrade: encodeConditionSet(l.upgrade),
  keep: encodeConditionSet(l.keep),
  enabled: l.enabled,
});

/** The current ladder: two small reads, done once per batch of evaluations. */
export async function readLadder(db: Db): Promise<Ladder> {
  // Sequential: callers may pass a transaction (one connection).
  const rows = await db.select().from(levels).where(isNull(levels.removedAt)).orderBy(levels.rank);
  const [head] = await db.select({ version: levelLadderVersions.version }).from(levelLadderVersions).orderBy(desc(levelLadderVersions.version)).limit(1);
  return { version: head?.version ?? 0, levels: rows.map(toLevel) };
}

/** Every level ever saved, removed ones included: history rows name them. */
export async function levelNames(db: Db): Promise<Map<number, string>> {
  const rows = await db.select({ id: levels.id, name: levels.name }).from(levels);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * How many members hold each level. Members without a row stand at the
 * lowest enabled level and are counted there.
 */
export async function holdersByLevel(db: Db, ladder: Ladder): Promise<Map<number, number>> {
  const rows = await queryRows<{ level_id: number | string; n: number | string }>(db, sql`
    select level_id, count(*) as n from member_levels group by level_id
    union all
    select null, (select count(*) from members) - (select count(*) from member_levels)`);
  const out = new Map<number, number>(ladder.levels.map((l) => [l.id, 0]));
  const lowest = ladder.levels.find((l) => l.enabled);
  for (const r of rows) {
    const id = r.level_id === null ? lowest?.id : Number(r.level_id);
    if (id !== undefined) out.set(id, (out.get(id) ?? 0) + Number(r.n));
  }
  return out;
}

/**
 * Saves the whole ladder as a new version. Levels with an id are edited,
 * levels without one are created, and levels left out are removed — unless
 * a member holds one or a pending order is buying it (then disable it
 * instead). `expectedVersion` is the version the operator read: a stale one
 * gets 409 and changes nothing.
 */
export async function saveLadder(db: Db, audit: AuditContext, drafts: LevelDraft[], expectedVersion: number): Promise<Ladder> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LADDER_LOCK})`);
    const before = await readLadder(tx);
    if (before.version !== expectedVersion) {
      throw new AppError('CONFLICT', `The ladder was changed by someone else (now version ${before.version}); reload and try again`, { currentVersion: before.version });
    }
    const kept = new Set(drafts.flatMap((d) => (d.id == null ? [] : [d.id])));
    const removed = before.levels.filter((l) => !kept.has(l.id));
    if (removed.length > 0) await refuseRemovingUsedLevels(tx, removed);
    const starting = lowestEnabled(before);
    const problems = validateLadder(drafts, new Set(before.levels.map((l) => l.id)), { id: starting.id, name: starting.name });
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', 'The ladder is not valid', problems);

    // Rates and prices feed other configuration (the reward rules' worst cases): its guards may refuse the change.
    await guardedChange(tx, async () => {
      // Ranks may be permuted: park the current ones out of the way of the unique index first.
      await tx.execute(sql`update levels set rank = -id where removed_at is null`);
      if (removed.length > 0) {
        await tx.execute(sql`update levels set removed_at = now(), enabled = false, updated_at = now() where id = any(${`{${removed.map((l) => l.id).join(',')}}`}::bigint[])`);
      }
      for (const d of drafts) {
        const values = {
          name: d.name.trim(),
          rank: d.rank,
          priceFen: d.priceFen,
          rateProfitSharePpm: d.rateProfitSharePpm,
          upgrade: encodeConditionSet(d.upgrade),
          keep: encodeConditionSet(d.keep),
          enabled: d.enabled,
        };
        if (d.id == null) await tx.insert(levels).values(values);
        else await tx.update(levels).set({ ...values, updatedAt: sql`now()` }).where(eq(levels.id, d.id));
      }
    });

    const after = await readLadder(tx);
    const version = before.version + 1;
    const snapshot = after.levels.map(encodeLevel);
    await tx.insert(levelLadderVersions).values({ version, levels: snapshot, savedByKind: audit.actorKind === 'staff' ? 'staff' : 'system', savedBy: audit.actorId });
    await recordAudit(tx, audit, {
      action: 'levels.ladder_saved',
      targetType: 'level_ladder',
      targetId: version,
      before: { version: before.version, levels: before.levels.map(encodeLevel) },
      after: { version, levels: snapshot, removed: removed.map((l) => ({ id: l.id, name: l.name })) },
    });
    return { ...after, version };
  });
}

async function refuseRemovingUsedLevels(tx: Db, removed: Level[]) {
  const ids = `{${removed.map((l) => l.id).join(',')}}`;
  const used = await queryRows<{ level_id: number | string; holders: number | string; pending_orders: number | string }>(tx, sql`
    select l.id as level_id,
      (select count(*) from member_levels ml where ml.level_id = l.id) as holders,
      (select count(*) from payment_orders o where o.purpose = 'level_purchase' and o.status = 'pending' and o.purpose_ref = l.id::text) as pending_orders
    from levels l where l.id = any(${ids}::bigint[])`);
  const blocking = used.filter((u) => Number(u.holders) > 0 || Number(u.pending_orders) > 0);
  if (blocking.length === 0) return;
  const name = (id: number) => removed.find((l) => l.id === id)?.name ?? String(id);
  throw new AppError(
    'CONFLICT',
    `Levels in use cannot be removed; disable them instead: ${blocking.map((b) => name(Number(b.level_id))).join(', ')}`,
    blocking.map((b) => ({ levelId: Number(b.level_id), name: name(Number(b.level_id)), holders: Number(b.holders), pendingOrders: Number(b.pending_orders) })),
  );
}

export async function ladderVersions(db: Db, limit: number, before?: number) {
  const rows = await db
    .select()
    .from(levelLadderVersions)
    .where(before === undefined ? undefined : sql`${levelLadderVersions.version} < ${before}`)
    .orderBy(desc(levelLadderVersions.version))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? String(items.at(-1)!.version) : null };
}
