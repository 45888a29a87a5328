import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { notFound } from '../../lib/errors.js';
import type { Fen } from '../../lib/money.js';
import { members } from '../members/members.schema.js';
import { readSettings } from '../settings/settings.service.js';
import { type ConditionSetResult, evaluateConditionSet, ranksAskedAbout } from './conditions.js';
import { type Ladder, type Level, levelById, levelOf, nextLevelAbove, purchasePrice } from './ladder.js';
import { readLadder } from './ladder.service.js';
import { levelSettingsDef } from './level-settings.js';
import { loadFacts, memberLevelRows, type MemberLevelRow } from './member-level.service.js';
import { isOnboarded } from './purchase.service.js';

export interface MemberLevelView {
  memberId: number;
  ladder: Ladder;
  row: MemberLevelRow | null;
  current: Level;
  /** The next enabled level up, and how far the member's facts are from its upgrade conditions. */
  next: { level: Level; progress: ConditionSetResult | null } | null;
  /** Levels this member may buy now, with what it would pay. */
  purchasable: { level: Level; payFen: Fen }[];
  canPurchase: boolean;
  purchased: { level: Level | null; levelId: number; at: Date } | null;
  month: string;
}

/**
 * A member's level as the member (and staff) read it: the same evaluator
 * that decides upgrades says which conditions of the next level hold and
 * how far the others are.
 */
export async function memberLevelView(db: Db, memberId: number, month: string): Promise<MemberLevelView> {
  const [member] = await db.select({ id: members.id }).from(members).where(eq(members.id, memberId));
  if (!member) throw notFound('Member');
  const [ladder, rows, settings, canPurchase] = await Promise.all([
    readLadder(db),
    memberLevelRows(db, [memberId]),
    readSettings(db, levelSettingsDef),
    isOnboarded(db, memberId),
  ]);
  const row = rows.get(memberId) ?? null;
  const current = levelOf(ladder, row?.levelId);
  const nextLevel = nextLevelAbove(ladder, current.rank);
  let next: MemberLevelView['next'] = null;
  if (nextLevel) {
    let progress: ConditionSetResult | null = null;
    if (nextLevel.upgrade.conditions.length > 0) {
      const facts = (await loadFacts(db, ladder, [memberId], month, ranksAskedAbout([nextLevel.upgrade]))).get(memberId)!;
      progress = evaluateConditionSet(nextLevel.upgrade, facts, false);
    }
    next = { level: nextLevel, progress };
  }
  const purchasable = ladder.levels.flatMap((level) => {
    const payFen = purchasePrice(current, level, settings.value.upgradeByDifference);
    return payFen === null ? [] : [{ level, payFen }];
  });
  const purchased = row?.purchasedLevelId != null && row.purchasedAt ? { levelId: row.purchasedLevelId, level: levelById(ladder, row.purchasedLevelId) ?? null, at: row.purchasedAt } : null;
  return { memberId, ladder, row, current, next, purchasable, canPurchase, purchased, month };
}
