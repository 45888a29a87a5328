import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { systemAuditContext } from '../audit/audit.service.js';
import { readSettings } from '../settings/settings.service.js';
import { downgradeTarget, keepRanks, type Level, levelById, levelOf } from './ladder.js';
import { readLadderForChange } from './ladder.service.js';
import { levelSettingsDef } from './level-settings.js';
import { memberLevels } from './levels.schema.js';
import { applyLevelChanges, type LevelChange, loadFacts } from './member-level.service.js';
import { EVALUATION_CHUNK } from './upgrades.service.js';

const DAY_MS = 86_400_000;

/**
 * The monthly downgrade (降级) for `month` (first day, 'YYYY-MM-01'), the
 * month just ended: keep conditions read that month as "this month" and the
 * one before as "last month". A member failing its level's keep conditions
 * goes to the highest lower level whose keep conditions hold, but never
 * below the level it last bought within the protection window. Only members
 * with a level row can go down (the others are at the bottom already).
 * Does nothing while downgrades are switched off in the levels settings.
 */
export async function evaluateDowngrades(db: Db, month: string, now = new Date(), batchSize = EVALUATION_CHUNK): Promise<{ enabled: boolean; members: number; downgraded: number }> {
  const { value: settings } = await readSettings(db, levelSettingsDef);
  if (!settings.downgradeEnabled) return { enabled: false, members: 0, downgraded: 0 };
  const protectedSince = new Date(now.getTime() - settings.protectionDays * DAY_MS);
  const actor = systemAuditContext('level-downgrade');
  let after = 0;
  let seen = 0;
  let downgraded = 0;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const ladder = await readLadderForChange(tx);
      const rows = await tx
        .select()
        .from(memberLevels)
        .where(sql`${memberLevels.memberId} > ${after}`)
        .orderBy(memberLevels.memberId)
        .limit(batchSize)
        .for('update');
      if (rows.length === 0) return null;
      const candidates = rows.filter((r) => levelOf(ladder, r.levelId).keep.conditions.length > 0);
      const facts = await loadFacts(tx, ladder, candidates.map((r) => r.memberId), month, keepRanks(ladder));
      const changes: LevelChange[] = [];
      for (const r of candidates) {
        const current = levelOf(ladder, r.levelId);
        const floor: Level | null = r.purchasedLevelId !== null && r.purchasedAt !== null && r.purchasedAt >= protectedSince ? (levelById(ladder, r.purchasedLevelId) ?? null) : null;
        const target = downgradeTarget(ladder, current, facts.get(r.memberId)!, floor);
        if (target) changes.push({ memberId: r.memberId, fromLevelId: current.id, toLevelId: target.id, reason: `${month.slice(0, 7)} 未达到「${current.name}」保级条件` });
      }
      const applied = await applyLevelChanges(tx, changes, { guard: 'expect', cause: 'downgrade', actor });
      return { count: rows.length, last: rows.at(-1)!.memberId, downgraded: applied.length };
    });
    if (!done) break;
    seen += done.count;
    downgraded += done.downgraded;
    after = done.last;
  }
  return { enabled: true, members: seen, downgraded };
}
