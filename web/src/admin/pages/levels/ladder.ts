/**
 * The level ladder as the admin API speaks it (GET/PUT /api/admin/levels),
 * its conditions in words, and the checks a save must pass — done here as
 * well as on the server so people read the problems in their language
 * before sending anything.
 */
import { formatMoney } from '../../../shared/money';

export type Period = 'this_month' | 'last_month' | 'lifetime';
export type Scope = 'personal' | 'team';

export type Condition =
  | { kind: 'personal_performance'; period: Period; minFen: string }
  | { kind: 'team_performance'; period: Period; minFen: string; includeSelf: boolean }
  | { kind: 'direct_members'; min: number; minLevelRank: number | null }
  | { kind: 'increment'; scope: Scope; minFen: string };
export type ConditionKind = Condition['kind'];

export interface ConditionSet {
  mode: 'all' | 'any';
  conditions: Condition[];
}

export interface Level {
  id: number;
  name: string;
  rank: number;
  priceFen: string;
  rateProfitSharePpm: number;
  upgrade: ConditionSet;
  keep: ConditionSet;
  enabled: boolean;
}

export interface LadderLevel extends Level {
  holders: number;
}

export interface Ladder {
  version: number;
  levels: LadderLevel[];
}

export interface LadderVersion {
  version: number;
  savedByKind: string;
  savedBy: number | null;
  savedAt: string;
  levels: Level[];
}

export interface LevelSettings {
  upgradeByDifference: boolean;
  downgradeEnabled: boolean;
  protectionDays: number;
  version: number;
}

/** A level being edited: new ones have no id yet, so rows are keyed separately. */
export interface EditableLevel extends Omit<Level, 'id'> {
  key: string;
  id?: number;
  holders: number;
}

type T = (zh: string, en: string) => string;

export const conditionKinds: ConditionKind[] = ['personal_performance', 'team_performance', 'direct_members', 'increment'];

export function conditionKindLabel(kind: ConditionKind, t: T): string {
  switch (kind) {
    case 'personal_performance':
      return t('个人业绩', 'Personal performance');
    case 'team_performance':
      return t('团队业绩', 'Team performance');
    case 'direct_members':
      return t('直推人数', 'Direct members');
    case 'increment':
      return t('月度增量', 'Monthly increment');
  }
}

export function periodLabel(p: Period, t: T): string {
  return p === 'this_month' ? t('本月', 'this month') : p === 'last_month' ? t('上月', 'last month') : t('累计', 'lifetime');
}

export function scopeLabel(s: Scope, t: T): string {
  return s === 'personal' ? t('个人', 'personal') : t('团队', 'team');
}

export function describeCondition(c: Condition, t: T, nameOfRank: (rank: number) => string | undefined): string {
  switch (c.kind) {
    case 'personal_performance':
      return t(`${periodLabel(c.period, t)}个人业绩不低于 ${formatMoney(c.minFen)}`, `Personal performance (${periodLabel(c.period, t)}) at least ${formatMoney(c.minFen)}`);
    case 'team_performance':
      return t(
        `${periodLabel(c.period, t)}团队业绩${c.includeSelf ? '（含本人）' : ''}不低于 ${formatMoney(c.minFen)}`,
        `Team performance (${periodLabel(c.period, t)}${c.includeSelf ? ', self included' : ''}) at least ${formatMoney(c.minFen)}`,
      );
    case 'direct_members': {
      if (c.minLevelRank === null) return t(`直推成员不少于 ${c.min} 人`, `At least ${c.min} direct members`);
      const name = nameOfRank(c.minLevelRank) ?? t(`等级 ${c.minLevelRank}`, `rank ${c.minLevelRank}`);
      return t(`「${name}」及以上的直推成员不少于 ${c.min} 人`, `At least ${c.min} direct members at “${name}” or higher`);
    }
    case 'increment':
      return t(
        `本月${scopeLabel(c.scope, t)}业绩比上月增长不低于 ${formatMoney(c.minFen)}`,
        `This month's ${scopeLabel(c.scope, t)} performance up by at least ${formatMoney(c.minFen)} on last month`,
      );
  }
}

export function modeLabel(mode: 'all' | 'any', t: T): string {
  return mode === 'all' ? t('同时满足', 'All of') : t('满足任一', 'Any of');
}

/** Problems that would make the server refuse the ladder, in words; empty when it can be saved. */
export function ladderProblems(levels: EditableLevel[], startingLevelId: number | undefined, t: T): string[] {
  const problems: string[] = [];
  if (levels.length === 0) return [t('至少需要一个等级', 'The ladder needs at least one level')];
  if (!levels.some((l) => l.enabled)) problems.push(t('至少需要启用一个等级', 'At least one level must be enabled'));
  const ranks = new Map<number, string>();
  const names = new Set<string>();
  for (const l of levels) {
    const other = ranks.get(l.rank);
    if (other !== undefined) problems.push(t(`「${l.name}」与「${other}」的序号都是 ${l.rank}，序号不能重复`, `“${l.name}” and “${other}” both have rank ${l.rank}; ranks must be unique`));
    else ranks.set(l.rank, l.name);
    const name = l.name.trim();
    if (names.has(name)) problems.push(t(`名称「${name}」重复`, `The name “${name}” is used twice`));
    names.add(name);
  }
  const sorted = [...levels].sort((a, b) => a.rank - b.rank);
  // New members start at the lowest enabled level; moving that start would move every member without history.
  const starting = levels.find((l) => l.id === startingLevelId);
  const lowest = sorted.find((l) => l.enabled);
  if (startingLevelId !== undefined && lowest && lowest.id !== startingLevelId) {
    const name = starting?.name ?? `#${startingLevelId}`;
    problems.push(
      t(
        `「${name}」是新会员的起始等级：必须保持启用且序号最低，不能删除、停用或在其下方添加等级`,
        `“${name}” is where every new member starts: it must stay enabled and lowest, and cannot be removed, disabled or have a level put below it`,
      ),
    );
  }
  for (let i = 1; i < sorted.length; i++) {
    const below = sorted[i - 1]!;
    const here = sorted[i]!;
    if (here.rateProfitSharePpm < below.rateProfitSharePpm) {
      problems.push(
        t(
          `「${here.name}」的分润比例低于其下方的「${below.name}」：分润比例不能随等级升高而降低`,
          `“${here.name}” has a lower profit-share rate than “${below.name}” below it; rates may not fall as rank rises`,
        ),
      );
    }
  }
  for (const l of levels) {
    for (const c of [...l.upgrade.conditions, ...l.keep.conditions]) {
      if (c.kind === 'direct_members' && c.minLevelRank !== null && !ranks.has(c.minLevelRank)) {
        problems.push(t(`「${l.name}」的条件引用了不存在的等级序号 ${c.minLevelRank}`, `A condition of “${l.name}” counts members at rank ${c.minLevelRank}, which no level has`));
      }
    }
  }
  return problems;
}

/** What a member at `below` pays to reach `level` when upgrades are priced by difference; null when not purchasable that way. */
export function differencePrice(level: Pick<Level, 'priceFen'>, below: Pick<Level, 'priceFen'> | undefined): string | null {
  if (!below) return null;
  const diff = BigInt(level.priceFen) - BigInt(below.priceFen);
  return BigInt(level.priceFen) > 0n && diff > 0n ? diff.toString() : null;
}
