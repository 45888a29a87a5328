import type { Fen } from '../../lib/money.js';
import type { FigureWatch } from '../performance/performance.service.js';
import { type ConditionSet, type ConditionSetResult, emptyConditionSet, evaluateConditionSet, type LevelFacts, ranksAskedAbout } from './conditions.js';

/**
 * The ladder as plain data and the decisions made on it: what a save must
 * satisfy, the highest level a member's facts reach, where a downgrade lands.
 * No database here.
 */
export interface Level {
  id: number;
  name: string;
  /** Unique; higher is better. */
  rank: number;
  /** 0 = not for sale. */
  priceFen: Fen;
  rateProfitSharePpm: number;
  /** What lifts a member to this level by performance; empty = never by performance. */
  upgrade: ConditionSet;
  /** What a member at this level must keep meeting, evaluated monthly; empty = nothing to keep. */
  keep: ConditionSet;
  enabled: boolean;
}

export interface Ladder {
  version: number;
  /** Every level that exists (enabled or not), lowest rank first. */
  levels: Level[];
}

export const enabledLevels = (ladder: Ladder) => ladder.levels.filter((l) => l.enabled);

/** Where members without a level row stand. A saved ladder always has an enabled level. */
export function lowestEnabled(ladder: Ladder): Level {
  const lowest = ladder.levels.find((l) => l.enabled);
  if (!lowest) throw new Error('the ladder has no enabled level');
  return lowest;
}

/** The level a member holds: its recorded level, or the lowest enabled one when it has none. */
export function levelOf(ladder: Ladder, levelId: number | null | undefined): Level {
  if (levelId == null) return lowestEnabled(ladder);
  const level = ladder.levels.find((l) => l.id === levelId);
  if (!level) throw new Error(`level ${levelId} is held but not in the ladder`);
  return level;
}

export const levelById = (ladder: Ladder, id: number) => ladder.levels.find((l) => l.id === id);

/** The next enabled level above `rank`, if any. */
export const nextLevelAbove = (ladder: Ladder, rank: number) => ladder.levels.find((l) => l.enabled && l.rank > rank) ?? null;

/** Ranks whose direct-member counts the upgrade (or keep) conditions need. */
export const upgradeRanks = (ladder: Ladder) => ranksAskedAbout(enabledLevels(ladder).map((l) => l.upgrade));
export const keepRanks = (ladder: Ladder) => ranksAskedAbout(ladder.levels.map((l) => l.keep));

/** Whether any enabled level can be reached by performance at all (else evaluation is skipped). */
export const hasPerformanceUpgrades = (ladder: Ladder) => ladder.levels.some((l) => l.enabled && l.upgrade.conditions.length > 0);

/** Whether a member's level changing can change its parent's facts (direct members counted by level). */
export const upgradesCountLevels = (ladder: Ladder) => upgradeRanks(ladder).length > 0;

/**
 * Whether one more direct member (at `childRank`) could lift a member at
 * `memberRank` that now has `directCount` directs. Only direct-member
 * conditions read that count, and one that did not hold before can only
 * hold now if the count just reached its minimum, or (counted by level) if
 * the new member is at the level counted. Everything else was evaluated
 * when it last changed (and the daily sweep catches the rest), so a
 * registration under a member usually needs no evaluation at all.
 */
export function directsMayLift(ladder: Ladder, memberRank: number, directCount: number, childRank: number): boolean {
  return ladder.levels.some(
    (l) =>
      l.enabled &&
      l.rank > memberRank &&
      l.upgrade.conditions.some((c) => c.kind === 'direct_members' && (c.minLevelRank === null ? c.min === directCount : childRank >= c.minLevelRank)),
  );
}

/**
 * The highest enabled level above `current` whose upgrade conditions hold.
 * Levels in between need not hold: a member can climb several at once.
 * Never lower than `current` (null when nothing higher is reached).
 */
export function highestReachable(ladder: Ladder, current: Level, facts: LevelFacts): { level: Level; result: ConditionSetResult } | null {
  for (let i = ladder.levels.length - 1; i >= 0; i--) {
    const level = ladder.levels[i]!;
    if (level.rank <= current.rank) break;
    if (!level.enabled || level.upgrade.conditions.length === 0) continue;
    const result = evaluateConditionSet(level.upgrade, facts, false);
    if (result.holds) return { level, result };
  }
  return null;
}

/**
 * Where a member failing its level's keep conditions goes: the highest
 * enabled lower level whose own keep conditions hold (the lowest enabled
 * level if none does), but never below `floor` — the level it last bought
 * within the protection window. Null when the member stays.
 */
export function downgradeTarget(ladder: Ladder, current: Level, facts: LevelFacts, floor: Level | null): Level | null {
  if (evaluateConditionSet(current.keep, facts, true).holds) return null;
  const lower = ladder.levels.filter((l) => l.enabled && l.rank < current.rank);
  if (lower.length === 0) return null;
  let target = [...lower].reverse().find((l) => evaluateConditionSet(l.keep, facts, true).holds) ?? lower[0]!;
  if (floor && target.rank < floor.rank) target = floor;
  return target.rank < current.rank ? target : null;
}

/** What a member at `current` pays for `target`: its price, or the difference when the operator prices upgrades that way. Null: not for sale to this member. */
export function purchasePrice(current: Level, target: Level, byDifference: boolean): Fen | null {
  if (!target.enabled || target.priceFen <= 0n || target.rank <= current.rank) return null;
  const price = byDifference ? target.priceFen - current.priceFen : target.priceFen;
  return price > 0n ? price : null;
}

/**
 * The least any member could pay for a level: over every level a member may
 * hold (disabled ones too, which members keep) and every level above it for
 * sale, priced as a purchase is. Null when nothing is for sale. What a
 * fixed reward on a level purchase is a share of, at worst.
 */
export function smallestPurchase(ladder: Ladder, byDifference: boolean): Fen | null {
  let least: Fen | null = null;
  for (const current of ladder.levels) {
    for (const target of ladder.levels) {
      const price = purchasePrice(current, target, byDifference);
      if (price !== null && (least === null || price < least)) least = price;
    }
  }
  return least;
}

// ---------------------------------------------------------------- validation of a save

/** A level as a save sends it: without an id when it is new. */
export type LevelDraft = Omit<Level, 'id'> & { id?: number | null | undefined };

export interface Problem {
  field: string;
  message: string;
}

/**
 * Every rule a saved ladder keeps (the shapes — non-negative amounts and
 * counts, known kinds — are the request schema's job). Returns all problems
 * at once, each naming the field, so the console can mark them.
 */
export function validateLadder(drafts: LevelDraft[], existingIds: ReadonlySet<number>, startingLevel?: { id: number; name: string }): Problem[] {
  const problems: Problem[] = [];
  const at = (i: number, field: string) => `body.levels.${i}.${field}`;
  if (drafts.length === 0) problems.push({ field: 'body.levels', message: 'The ladder needs at least one level' });
  else if (!drafts.some((d) => d.enabled)) problems.push({ field: 'body.levels', message: 'At least one level must be enabled' });

  const seenIds = new Map<number, number>();
  const seenRanks = new Map<number, number>();
  const seenNames = new Map<string, number>();
  drafts.forEach((d, i) => {
    if (d.id != null) {
      if (!existingIds.has(d.id)) problems.push({ field: at(i, 'id'), message: `Level ${d.id} does not exist (leave id out for a new level)` });
      else if (seenIds.has(d.id)) problems.push({ field: at(i, 'id'), message: `Level ${d.id} appears twice (also at position ${seenIds.get(d.id)})` });
      seenIds.set(d.id, i);
    }
    if (seenRanks.has(d.rank)) problems.push({ field: at(i, 'rank'), message: `Rank ${d.rank} is used twice (also at position ${seenRanks.get(d.rank)}); ranks must be unique` });
    else seenRanks.set(d.rank, i);
    const name = d.name.trim();
    if (seenNames.has(name)) problems.push({ field: at(i, 'name'), message: `The name "${name}" is used twice` });
    else seenNames.set(name, i);
  });

  // Every member without a level row stands at the lowest enabled level: changing which level that is
  // would move nearly every member at once, without history. It must stay the same level.
  if (startingLevel) {
    const lowest = drafts.filter((d) => d.enabled).sort((a, b) => a.rank - b.rank)[0];
    if (lowest && lowest.id !== startingLevel.id) {
      const i = drafts.findIndex((d) => d.id === startingLevel.id);
      problems.push({
        field: i >= 0 ? at(i, 'enabled') : 'body.levels',
        message: `"${startingLevel.name}" is where every new member starts: it must stay enabled and the lowest rank (it cannot be removed, disabled or have a level put below it)`,
      });
    }
  }

  // Profit share never decreases as the rank rises — disabled levels included, since members may still hold them.
  const enabled = drafts.map((d, i) => ({ d, i })).sort((a, b) => a.d.rank - b.d.rank);
  for (let k = 1; k < enabled.length; k++) {
    const below = enabled[k - 1]!;
    const here = enabled[k]!;
    if (here.d.rateProfitSharePpm < below.d.rateProfitSharePpm) {
      problems.push({
        field: at(here.i, 'rateProfitSharePpm'),
        message: `"${here.d.name}" (rank ${here.d.rank}) has a lower profit-share rate (${here.d.rateProfitSharePpm} ppm) than "${below.d.name}" below it (${below.d.rateProfitSharePpm} ppm)`,
      });
    }
  }

  // Conditions may only count members at ranks that exist in this ladder.
  drafts.forEach((d, i) => {
    for (const which of ['upgrade', 'keep'] as const) {
      d[which].conditions.forEach((c, j) => {
        if (c.kind === 'direct_members' && c.minLevelRank !== null && !seenRanks.has(c.minLevelRank)) {
          problems.push({ field: at(i, `${which}.conditions.${j}.minLevelRank`), message: `No level has rank ${c.minLevelRank}` });
        }
      });
    }
  });
  return problems;
}

/** Whether a condition set reads the team's figures (team performance of any period, or the team's increment). */
export const readsTeamFigures = (set: ConditionSet) => set.conditions.some((c) => c.kind === 'team_performance' || (c.kind === 'increment' && c.scope === 'team'));

/**
 * The ladder as a change of team figures alone sees it. Such a change (an
 * upline member whose downline sold) moves nothing a level reads unless its
 * upgrade conditions read team figures: every other fact is what it was when
 * the member was last evaluated, so a level that did not accept it then
 * cannot now. Those levels keep their rank and place but count as not
 * reachable by performance (no conditions). As everywhere in the event-driven
 * evaluation, what no event announces (a ladder made easier, a new month) is
 * the daily sweep's.
 */
export function teamDrivenLadder(ladder: Ladder): Ladder {
  return { ...ladder, levels: ladder.levels.map((l) => (readsTeamFigures(l.upgrade) ? l : { ...l, upgrade: emptyConditionSet() })) };
}

/**
 * The figures and thresholds a performance batch must watch for upgrades:
 * every performance condition of an enabled level that can be reached by
 * performance. A level whose conditions did not accept a member before a
 * batch can only accept it after if one of them turned true, and a
 * condition on this month's or the lifetime figures turns true only in the
 * batch that carries its figure across the threshold. Last month's figures
 * do not move in a batch of this month (a late record for an earlier month
 * makes its members "unsure", and they are looked at in full). An increment
 * (this month − last month) needs last month's figure, which the batch does
 * not carry: such a ladder watches everything. Direct-member conditions are
 * not figures; a change of direct members is evaluated where it happens.
 */
export function figureWatch(ladder: Ladder): FigureWatch {
  const watch = { thisMonth: { personal: [] as Fen[], team: [] as Fen[], teamWithSelf: [] as Fen[] }, lifetime: { personal: [] as Fen[], team: [] as Fen[], teamWithSelf: [] as Fen[] } };
  for (const level of enabledLevels(ladder)) {
    for (const c of level.upgrade.conditions) {
      if (c.kind === 'increment') return 'everything';
      if (c.kind === 'direct_members' || c.period === 'last_month') continue;
      const figures = c.period === 'this_month' ? watch.thisMonth : watch.lifetime;
      if (c.kind === 'personal_performance') figures.personal.push(c.minFen);
      else (c.includeSelf ? figures.teamWithSelf : figures.team).push(c.minFen);
    }
  }
  return watch;
}

/** More direct members than anyone has: the screen's threshold for a level nobody can rise from. */
export const NEVER_DIRECTS = 2_147_483_647;

/** Figures above any threshold an operator can set: every performance condition holds. */
function unlimitedPerformance(): LevelFacts['performance'] {
  const big = 1n << 62n;
  const fig = { month: '', personalSettled: big, personalRefunded: 0n, personalNet: big, personalSales: 1_000_000, teamNet: big, teamSettled: big, teamRefunded: 0n, teamActive: 1_000_000 };
  return { thisMonth: fig, lastMonth: fig, lifetime: { personalNet: big, teamNet: big }, increment: { personal: big, team: big } };
}

/**
 * The upgrade screen's thresholds: for each level a member can hold (null:
 * no level row), the least number of direct members with which some enabled
 * level above could accept it, when every performance condition is taken as
 * met and every direct member as being at any rank asked about; null when no
 * count ever suffices. Conditions are minimums, so whether a level accepts is
 * monotone in the count and a binary search over the counts an operator can
 * set (0 to 1,000,000) finds it. A member below its threshold cannot rise
 * whatever its figures, so the screen drops it without reading them.
 */
export function leastDirectsToRise(ladder: Ladder): { levelId: number | null; directs: number | null }[] {
  const performance = unlimitedPerformance();
  const MAX = 1_000_000;
  return [null, ...ladder.levels.map((l) => l.id)].map((levelId) => {
    const current = levelOf(ladder, levelId);
    const accepts = (directs: number) => mayRiseCountingAllDirects(ladder, current, performance, directs);
    if (!accepts(MAX)) return { levelId, directs: null };
    let lo = 0;
    let hi = MAX;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (accepts(mid)) hi = mid;
      else lo = mid + 1;
    }
    return { levelId, directs: lo };
  });
}

/**
 * Whether some level above `current` accepts these figures when every direct
 * member counts at every rank a condition asks about: the upgrade screen's
 * test, which can overstate but never miss (the full evaluation counts
 * direct members by level).
 */
export function mayRiseCountingAllDirects(ladder: Ladder, current: Level, performance: LevelFacts['performance'], directs: number): boolean {
  const directMembersAtRank = new Map(ladder.levels.map((l) => [l.rank, directs]));
  return highestReachable(ladder, current, { performance, directMembers: directs, directMembersAtRank }) !== null;
}
