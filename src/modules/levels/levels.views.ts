import { z } from 'zod';
import { fenOut } from '../../lib/money.js';
import { type ConditionResult, type ConditionSet, conditionJson, describeCondition, describeConditionSet, encodeCondition } from './conditions.js';
import type { Ladder, Level } from './ladder.js';
import type { levelHistory } from './levels.schema.js';
import type { MemberLevelView } from './level-view.service.js';

/** Response shapes of the levels API and the functions that fill them (money as fen strings). */

const nameOfRank = (ladder: Ladder) => (rank: number) => ladder.levels.find((l) => l.rank === rank)?.name;

export const describedSetOut = z.object({
  mode: z.enum(['all', 'any']),
  summary: z.string().describe('the whole set in words (zh-CN); empty when there are no conditions'),
  items: z.array(z.object({ text: z.string(), condition: conditionJson })),
});
export function describedSet(ladder: Ladder, set: ConditionSet) {
  const words = describeConditionSet(set, nameOfRank(ladder));
  return { mode: set.mode, summary: words.summary, items: set.conditions.map((c, i) => ({ text: words.items[i]!, condition: encodeCondition(c) })) };
}

export const levelBriefOut = z.object({ id: z.number(), name: z.string(), rank: z.number(), rateProfitSharePpm: z.number() });
export const levelBrief = (l: Level) => ({ id: l.id, name: l.name, rank: l.rank, rateProfitSharePpm: l.rateProfitSharePpm });

const conditionProgressOut = z.object({
  text: z.string(),
  condition: conditionJson,
  holds: z.boolean(),
  current: z.string().describe('the member’s figure now: fen (unit "fen") or a head count (unit "members"), as a string'),
  target: z.string(),
  unit: z.enum(['fen', 'members']),
});
const toProgress = (ladder: Ladder) => (r: ConditionResult) => ({
  text: describeCondition(r.condition, nameOfRank(ladder)),
  condition: encodeCondition(r.condition),
  holds: r.holds,
  current: r.current.toString(),
  target: r.target.toString(),
  unit: r.unit,
});

export const memberLevelOut = z.object({
  memberId: z.number(),
  month: z.string().describe('the month "this month" conditions read (YYYY-MM, platform time zone)'),
  level: levelBriefOut.extend({ enabled: z.boolean() }),
  since: z.string().nullable().describe('null: never changed (the lowest level)'),
  cause: z.string().nullable(),
  next: z
    .object({
      level: levelBriefOut.extend({ priceFen: fenOut }),
      byPerformance: z.boolean().describe('false: this level cannot be reached by performance, only bought'),
      mode: z.enum(['all', 'any']),
      summary: z.string(),
      reached: z.boolean().describe('the conditions hold now (the upgrade happens at the next evaluation)'),
      conditions: z.array(conditionProgressOut),
    })
    .nullable()
    .describe('null at the top of the ladder'),
  purchasable: z.array(levelBriefOut.extend({ priceFen: fenOut, payFen: fenOut.describe('what this member pays (the difference when the operator prices upgrades that way)') })),
  canPurchase: z.boolean().describe('false until onboarding is complete (entry fee paid)'),
  purchased: z.object({ levelId: z.number(), name: z.string().nullable(), at: z.string() }).nullable().describe('the level last bought (downgrades never go below it within the protection window)'),
});

export function toMemberLevelOut(v: MemberLevelView) {
  const next = v.next;
  return {
    memberId: v.memberId,
    month: v.month.slice(0, 7),
    level: { ...levelBrief(v.current), enabled: v.current.enabled },
    since: v.row?.since.toISOString() ?? null,
    cause: v.row?.cause ?? null,
    next: next && {
      level: { ...levelBrief(next.level), priceFen: next.level.priceFen.toString() },
      byPerformance: next.level.upgrade.conditions.length > 0,
      mode: next.level.upgrade.mode,
      summary: describeConditionSet(next.level.upgrade, nameOfRank(v.ladder)).summary,
      reached: next.progress?.holds ?? false,
      conditions: (next.progress?.results ?? []).map(toProgress(v.ladder)),
    },
    purchasable: v.purchasable.map((p) => ({ ...levelBrief(p.level), priceFen: p.level.priceFen.toString(), payFen: p.payFen.toString() })),
    canPurchase: v.canPurchase,
    purchased: v.purchased && { levelId: v.purchased.levelId, name: v.purchased.level?.name ?? null, at: v.purchased.at.toISOString() },
  };
}

const namedLevel = z.object({ id: z.number(), name: z.string() });
export const historyOut = z.object({
  items: z.array(z.object({
    id: z.number(),
    from: namedLevel.nullable(),
    to: namedLevel,
    cause: z.enum(['purchase', 'performance', 'downgrade', 'staff']),
    actorKind: z.string(),
    actorId: z.number().nullable().optional().describe('staff only'),
    reason: z.string().nullable(),
    orderId: z.number().nullable(),
    at: z.string(),
  })),
  nextCursor: z.string().nullable(),
});

export function toHistoryOut(h: typeof levelHistory.$inferSelect, names: Map<number, string>, withActor: boolean) {
  const named = (id: number) => ({ id, name: names.get(id) ?? `#${id}` });
  return {
    id: h.id,
    from: h.fromLevelId === null ? null : named(h.fromLevelId),
    to: named(h.toLevelId),
    cause: h.cause,
    actorKind: h.actorKind,
    ...(withActor ? { actorId: h.actorId } : {}),
    reason: h.reason,
    orderId: h.orderId,
    at: h.at.toISOString(),
  };
}
