import { fenToYuan, formatMoney, ppmToPercent, yuanToFen } from '../../../shared/money';
import type { Tier, TierConditions } from './model';

/**
 * The tier editor's form values and the rules the server applies to a tier
 * set (src/modules/dividends/tiers.ts), mirrored so mistakes show on the
 * field before a save is refused.
 */

export const MAX_TIERS = 20;
/** One tier's pool: at most 20% of the month's volume. */
export const MAX_TIER_POOL_PPM = 200_000;
/** All enabled tiers together: at most 30%. */
export const MAX_ENABLED_POOL_PPM = 300_000;
export const TIER_ID_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

export interface TierFormValues {
  id: string;
  name: string;
  poolPercent: string;
  enabled: boolean;
  teamOn: boolean;
  teamYuan?: string;
  personalOn: boolean;
  personalYuan?: string;
  directsOn: boolean;
  directsMin?: number | null;
  directsRank?: number | null;
  directsPersonalYuan?: string;
  incrementOn: boolean;
  incrementYuan?: string;
  note?: string;
}

/** Yuan that may be negative (a team increment may allow a shrinking team): "-12.5" → "-1250". */
export function signedYuanToFen(input: string): string | null {
  const s = input.trim();
  if (!s.startsWith('-')) return yuanToFen(s);
  const fen = yuanToFen(s.slice(1));
  if (fen === null) return null;
  return fen === '0' ? '0' : `-${fen}`;
}

const yuanOf = (fen: string | null) => (fen === null ? undefined : fenToYuan(fen, { grouping: false }));

export function tierToForm(tier: Tier): TierFormValues {
  const c = tier.conditions;
  return {
    id: tier.id,
    name: tier.name,
    poolPercent: ppmToPercent(tier.poolPpm).replace(/%$/, ''),
    enabled: tier.enabled,
    teamOn: c.minTeamFen !== null,
    teamYuan: yuanOf(c.minTeamFen),
    personalOn: c.minPersonalFen !== null,
    personalYuan: yuanOf(c.minPersonalFen),
    directsOn: c.qualifiedDirects !== null,
    directsMin: c.qualifiedDirects?.min ?? 3,
    directsRank: c.qualifiedDirects?.minLevelRank ?? null,
    directsPersonalYuan: yuanOf(c.qualifiedDirects?.minPersonalFen ?? null),
    incrementOn: c.minTeamIncrementFen !== null,
    incrementYuan: yuanOf(c.minTeamIncrementFen),
  };
}

export function emptyTierForm(existingIds: string[]): TierFormValues {
  let n = existingIds.length + 1;
  while (existingIds.includes(`tier${n}`)) n += 1;
  return { id: `tier${n}`, name: '', poolPercent: '', enabled: true, teamOn: true, personalOn: false, directsOn: false, directsMin: 3, directsRank: null, incrementOn: false };
}

/** The conditions the form describes; amounts were validated by the form rules before this runs. */
export function formConditions(v: TierFormValues): TierConditions {
  const fen = (on: boolean, yuan: string | undefined) => (on && yuan ? yuanToFen(yuan) : null);
  return {
    minTeamFen: fen(v.teamOn, v.teamYuan),
    minPersonalFen: fen(v.personalOn, v.personalYuan),
    qualifiedDirects: v.directsOn
      ? { min: v.directsMin ?? 1, minLevelRank: v.directsRank ?? null, minPersonalFen: v.directsPersonalYuan?.trim() ? yuanToFen(v.directsPersonalYuan) : null }
      : null,
    minTeamIncrementFen: v.incrementOn && v.incrementYuan ? signedYuanToFen(v.incrementYuan) : null,
  };
}

export const hasCondition = (c: TierConditions) => c.minTeamFen !== null || c.minPersonalFen !== null || c.qualifiedDirects !== null || c.minTeamIncrementFen !== null;

/** The pools of the enabled tiers in ppm. */
export const enabledPoolPpm = (tiers: Tier[]) => tiers.filter((x) => x.enabled).reduce((n, x) => n + x.poolPpm, 0);

type T = (zh: string, en: string) => string;

/** The tier's conditions in words, one line each (all must hold). */
export function describeConditions(c: TierConditions, levelName: (rank: number) => string, t: T): string[] {
  const lines: string[] = [];
  if (c.minTeamFen !== null) lines.push(t(`团队业绩 ≥ ${formatMoney(c.minTeamFen)}`, `Team performance ≥ ${formatMoney(c.minTeamFen)}`));
  if (c.minPersonalFen !== null) lines.push(t(`个人业绩 ≥ ${formatMoney(c.minPersonalFen)}`, `Personal performance ≥ ${formatMoney(c.minPersonalFen)}`));
  if (c.qualifiedDirects !== null) {
    const q = c.qualifiedDirects;
    const which = [
      q.minLevelRank !== null ? t(`等级 ≥ ${levelName(q.minLevelRank)}`, `level ≥ ${levelName(q.minLevelRank)}`) : null,
      q.minPersonalFen !== null ? t(`当月个人业绩 ≥ ${formatMoney(q.minPersonalFen)}`, `personal performance ≥ ${formatMoney(q.minPersonalFen)} in the month`) : null,
    ]
      .filter(Boolean)
      .join(t(' 或 ', ' or '));
    lines.push(t(`合格直推 ≥ ${q.min} 人（${which}）`, `≥ ${q.min} qualified direct members (${which})`));
  }
  if (c.minTeamIncrementFen !== null) lines.push(t(`团队增量 ≥ ${formatMoney(c.minTeamIncrementFen)}（较上月）`, `Team growth ≥ ${formatMoney(c.minTeamIncrementFen)} over last month`));
  return lines;
}
