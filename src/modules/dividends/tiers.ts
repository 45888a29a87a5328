import { z } from 'zod';
import { formatYuan, type Fen, nonNegativeFen } from '../../lib/money.js';
import { formatPpm } from '../rewards/definitions.js';

const yuan = (fen: Fen) => `¥${formatYuan(fen)}`;

/**
 * Dividend tiers (分红, SPEC §8) as data, and the pure rules that decide who
 * qualifies and how a pool is split. No database here: a settlement run
 * loads each member's facts for the month and asks these functions, and the
 * golden tests ask them on plain objects.
 */

export const MAX_TIERS = 20;

const tierId = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'lower-case letters, digits, _ or -, starting with a letter' });

/** A direct member counts as qualified at this level rank or higher, or with this personal performance in the month (either suffices). */
const qualifiedDirectsInput = z
  .object({
    min: z.number().int().min(1).max(10_000),
    minLevelRank: z.number().int().min(1).max(1_000_000).nullish().transform((v) => v ?? null),
    minPersonalFen: nonNegativeFen.nullish().transform((v) => v ?? null),
  })
  .strict()
  .refine((q) => q.minLevelRank !== null || q.minPersonalFen !== null, { message: 'say what makes a direct member qualified: a level rank, a personal performance, or both' });

export const tierInput = z
  .object({
    id: tierId,
    name: z.string().trim().min(1).max(40),
    /** Share of the month's platform volume that forms this tier's pool. */
    poolPpm: z.number().int().min(1).max(200_000).describe('pool as ppm of the month’s platform volume (at most 20%)'),
    enabled: z.boolean().default(true),
    conditions: z
      .object({
        /** Team performance of the month (whole downline, the member excluded). */
        minTeamFen: nonNegativeFen.nullish().transform((v) => v ?? null),
        minPersonalFen: nonNegativeFen.nullish().transform((v) => v ?? null),
        qualifiedDirects: qualifiedDirectsInput.nullish().transform((v) => v ?? null),
        /** Team performance of the month minus that of the month before. */
        minTeamIncrementFen: z
          .union([z.string().regex(/^-?\d{1,15}$/), z.number().int()])
          .transform((v) => BigInt(v))
          .nullish()
          .transform((v) => v ?? null),
      })
      .strict(),
  })
  .strict();

export const tierSetInput = z
  .object({
    tiers: z.array(tierInput).max(MAX_TIERS),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.tiers.forEach((t, i) => {
      if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'id'], message: `tier id "${t.id}" is used twice` });
      seen.add(t.id);
      const c = t.conditions;
      if (c.minTeamFen === null && c.minPersonalFen === null && c.qualifiedDirects === null && c.minTeamIncrementFen === null) {
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'conditions'], message: 'a tier needs at least one condition, or every active member would share its pool' });
      }
    });
    const total = s.tiers.filter((t) => t.enabled).reduce((n, t) => n + t.poolPpm, 0);
    if (total > 300_000) ctx.addIssue({ code: 'custom', path: ['tiers'], message: `the enabled tiers' pools add up to ${total / 10_000}% of the volume; at most 30%` });
  });

export type Tier = z.output<typeof tierInput>;
export type TierSet = z.output<typeof tierSetInput>;
export type QualifiedDirects = NonNullable<Tier['conditions']['qualifiedDirects']>;

/** The stored and returned form: fen as digit strings. */
export function encodeTier(t: Tier) {
  const c = t.conditions;
  return {
    id: t.id,
    name: t.name,
    poolPpm: t.poolPpm,
    enabled: t.enabled,
    conditions: {
      minTeamFen: c.minTeamFen?.toString() ?? null,
      minPersonalFen: c.minPersonalFen?.toString() ?? null,
      qualifiedDirects: c.qualifiedDirects ? { min: c.qualifiedDirects.min, minLevelRank: c.qualifiedDirects.minLevelRank, minPersonalFen: c.qualifiedDirects.minPersonalFen?.toString() ?? null } : null,
      minTeamIncrementFen: c.minTeamIncrementFen?.toString() ?? null,
    },
  };
}
export type TierJson = ReturnType<typeof encodeTier>;
export const decodeTiers = (json: unknown): Tier[] => tierSetInput.parse({ tiers: json }).tiers;

/** What a member brings to a month's settlement. */
export interface MemberMonthFacts {
  memberId: number;
  personalFen: Fen;
  teamFen: Fen;
  teamLastMonthFen: Fen;
  /** Qualified direct members, per qualification definition (key: qualifiedDirectsKey). */
  qualifiedDirects: Map<string, number>;
}

export const qualifiedDirectsKey = (q: QualifiedDirects) => `${q.minLevelRank ?? '-'}|${q.minPersonalFen ?? '-'}`;

export interface ConditionEvidence {
  code: 'team' | 'personal' | 'qualified_directs' | 'team_increment';
  holds: boolean;
  /** What the member had, and what the tier asks (fen, or members for qualified_directs). */
  actual: string;
  required: string;
  text: string;
}

/** Every condition of the tier with its evidence; the member qualifies when all hold. */
export function qualify(tier: Tier, f: MemberMonthFacts): { qualifies: boolean; evidence: ConditionEvidence[] } {
  const c = tier.conditions;
  const evidence: ConditionEvidence[] = [];
  const fen = (code: ConditionEvidence['code'], label: string, actual: Fen, required: Fen) =>
    evidence.push({ code, holds: actual >= required, actual: actual.toString(), required: required.toString(), text: `${label} ${yuan(actual)}，要求 ≥ ${yuan(required)}` });
  if (c.minTeamFen !== null) fen('team', '团队业绩', f.teamFen, c.minTeamFen);
  if (c.minPersonalFen !== null) fen('personal', '个人业绩', f.personalFen, c.minPersonalFen);
  if (c.qualifiedDirects !== null) {
    const q = c.qualifiedDirects;
    const n = f.qualifiedDirects.get(qualifiedDirectsKey(q));
    // A missing count would silently read as zero: the loader must count every definition the tiers use.
    if (n === undefined) throw new Error(`facts lack qualified direct members for ${qualifiedDirectsKey(q)}`);
    const what = [q.minLevelRank !== null ? `等级序号 ≥ ${q.minLevelRank}` : null, q.minPersonalFen !== null ? `个人业绩 ≥ ${yuan(q.minPersonalFen)}` : null].filter(Boolean).join(' 或 ');
    evidence.push({ code: 'qualified_directs', holds: n >= q.min, actual: String(n), required: String(q.min), text: `合格直推（${what}）${n} 人，要求 ≥ ${q.min} 人` });
  }
  if (c.minTeamIncrementFen !== null) fen('team_increment', '团队增量', f.teamFen - f.teamLastMonthFen, c.minTeamIncrementFen);
  return { qualifies: evidence.every((e) => e.holds), evidence };
}

/** The tier's pool: floor(volume × ppm / 1,000,000); nothing from a month with no (or negative) volume. */
export function poolOf(volumeFen: Fen, poolPpm: number): Fen {
  if (volumeFen <= 0n) return 0n;
  return (volumeFen * BigInt(poolPpm)) / 1_000_000n;
}

/** Equal shares floored to the fen; the remainder stays with the platform and is recorded. */
export function split(poolFen: Fen, qualifiers: number): { shareFen: Fen; remainderFen: Fen } {
  if (qualifiers === 0) return { shareFen: 0n, remainderFen: poolFen };
  const shareFen = poolFen / BigInt(qualifiers);
  return { shareFen, remainderFen: poolFen - shareFen * BigInt(qualifiers) };
}

/** Every distinct qualified-direct definition the enabled tiers use (the loader counts each once). */
export function qualifiedDirectDefinitions(tiers: Tier[]): QualifiedDirects[] {
  const out = new Map<string, QualifiedDirects>();
  for (const t of tiers) if (t.enabled && t.conditions.qualifiedDirects) out.set(qualifiedDirectsKey(t.conditions.qualifiedDirects), t.conditions.qualifiedDirects);
  return [...out.values()];
}

/** A tier's conditions in words, for the console and the members' rules page. */
export function describeTier(t: Tier): string {
  const c = t.conditions;
  const parts = [
    c.minTeamFen !== null ? `团队业绩 ≥ ${yuan(c.minTeamFen)}` : null,
    c.minPersonalFen !== null ? `个人业绩 ≥ ${yuan(c.minPersonalFen)}` : null,
    c.qualifiedDirects
      ? `合格直推 ≥ ${c.qualifiedDirects.min} 人（${[c.qualifiedDirects.minLevelRank !== null ? `等级序号 ≥ ${c.qualifiedDirects.minLevelRank}` : null, c.qualifiedDirects.minPersonalFen !== null ? `当月个人业绩 ≥ ${yuan(c.qualifiedDirects.minPersonalFen)}` : null].filter(Boolean).join(' 或 ')}）`
      : null,
    c.minTeamIncrementFen !== null ? `团队增量 ≥ ${yuan(c.minTeamIncrementFen)}` : null,
  ].filter(Boolean);
  return `${t.name}：平台当月交易额 × ${formatPpm(t.poolPpm)} 为奖池，${parts.join('，')} 的商户平分`;
}
