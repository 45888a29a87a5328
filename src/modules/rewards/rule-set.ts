import { z } from 'zod';
import { type Fen, nonNegativeFen, PPM, ppmSchema } from '../../lib/money.js';
import { conditionByCode, MAX_REACH, recipientByCode, type Trigger, triggerNames, triggers } from './definitions.js';

/**
 * A rule set (SPEC §6, §7, §9) as data: the reward rules, profit share and
 * peer bonus, the reach, the per-event ceilings, the members' earnings caps
 * and the freeze period. One document, versioned as a whole: a payout names
 * the version that produced it, and what it says can always be read back.
 *
 * Stored and sent as JSON (money as fen strings); parsed here into bigints.
 */

const fenOrNull = nonNegativeFen.nullable().default(null);
const ruleId = z.string().regex(/^[a-z0-9_-]{1,40}$/, { message: 'expected 1-40 lowercase letters, digits, _ or -' });

/** A `{code, args}` pair whose args are checked against the definition registered under `code`. */
const ref = (registry: Map<string, { args: z.ZodType<unknown> }>, what: string) =>
  z.object({ code: z.string(), args: z.record(z.string(), z.unknown()).default({}) }).strict().transform((v, ctx) => {
    const def = registry.get(v.code);
    if (!def) {
      ctx.addIssue({ code: 'custom', message: `unknown ${what} "${v.code}" (known: ${[...registry.keys()].join(', ')})`, path: ['code'] });
      return z.NEVER;
    }
    const args = def.args.safeParse(v.args);
    if (!args.success) {
      for (const issue of args.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['args', ...issue.path.map(String)] });
      return z.NEVER;
    }
    return { code: v.code, args: args.data };
  });

export const conditionRef = ref(conditionByCode, 'condition');
export const recipientRef = ref(recipientByCode, 'recipient');

export const ruleInput = z
  .object({
    id: ruleId.describe('stable across versions: caps and statistics follow it'),
    name: z.string().trim().min(1).max(40),
    description: z.string().trim().max(500).default(''),
    trigger: z.enum(triggers),
    recipient: recipientRef,
    amount: z.object({ fixedFen: nonNegativeFen.default(0n), ppm: ppmSchema.default(0) }).strict(),
    conditions: z.array(conditionRef).max(10).default([]),
    caps: z.object({ dailyFen: fenOrNull, monthlyFen: fenOrNull }).strict().default({ dailyFen: null, monthlyFen: null }),
    priority: z.number().int().min(0).max(10_000).default(100).describe('lower runs first; then by id'),
    enabled: z.boolean().default(true),
    effectiveFrom: z.iso.datetime({ offset: true }).nullable().default(null),
    effectiveUntil: z.iso.datetime({ offset: true }).nullable().default(null),
  })
  .strict();
export type Rule = z.infer<typeof ruleInput>;
export type ConditionRef = z.infer<typeof conditionRef>;

export const ruleSetInput = z
  .object({
    reach: z.number().int().min(1).max(MAX_REACH).describe('upline generations relationship payouts reach (1-3, never more)'),
    freezeDays: z.number().int().min(0).max(365).describe('payouts wait this many days in frozen before they can be withdrawn'),
    ceilings: z
      .object(Object.fromEntries(triggers.map((t) => [t, ppmSchema])) as Record<Trigger, typeof ppmSchema>)
      .strict()
      .describe('per-event payout ceiling per trigger, ppm of the event amount'),
    memberCaps: z.object({ dailyFen: fenOrNull, monthlyFen: fenOrNull }).strict().describe("a member's total earnings cap per day / month across everything (佣金封顶)"),
    rules: z.array(ruleInput).max(100),
    profitShare: z
      .object({
        enabled: z.boolean(),
        conditions: z.array(conditionRef).max(10).default([]).describe('besides being active'),
        peer: z.object({ enabled: z.boolean(), ppm: ppmSchema, minRank: z.number().int().min(1).max(1_000_000) }).strict(),
      })
      .strict(),
  })
  .strict();
export type RuleSetBody = z.infer<typeof ruleSetInput>;

export interface RuleSet extends RuleSetBody {
  version: number;
}

const fenJson = (v: Fen | null) => (v === null ? null : v.toString());
const encodeRefs = (refs: ConditionRef[]) =>
  refs.map((c) => ({ code: c.code, args: JSON.parse(JSON.stringify(c.args, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown> }));

/** The JSON form (stored and answered): fen as strings. */
export function encodeRuleSet(body: RuleSetBody) {
  return {
    reach: body.reach,
    freezeDays: body.freezeDays,
    ceilings: body.ceilings,
    memberCaps: { dailyFen: fenJson(body.memberCaps.dailyFen), monthlyFen: fenJson(body.memberCaps.monthlyFen) },
    rules: body.rules.map((r) => ({
      ...r,
      recipient: encodeRefs([r.recipient])[0]!,
      amount: { fixedFen: r.amount.fixedFen.toString(), ppm: r.amount.ppm },
      conditions: encodeRefs(r.conditions),
      caps: { dailyFen: fenJson(r.caps.dailyFen), monthlyFen: fenJson(r.caps.monthlyFen) },
    })),
    profitShare: { ...body.profitShare, conditions: encodeRefs(body.profitShare.conditions) },
  };
}
export type RuleSetJson = ReturnType<typeof encodeRuleSet>;

export const decodeRuleSet = (stored: unknown): RuleSetBody => ruleSetInput.parse(stored);

/** Rules of one trigger in the order they apply (SPEC §6: priority, then id). */
export const rulesFor = (set: RuleSetBody, trigger: Trigger) =>
  set.rules.filter((r) => r.enabled && r.trigger === trigger).sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

// ---------------------------------------------------------------- validation and worst case

/** What a save checks against: the ladder's rates and ranks, and the smallest amount each trigger can have. */
export interface ValidationContext {
  ranks: { rank: number; ratePpm: number; enabled: boolean }[];
  /** Smallest base amount of fee and purchase events (entry fee; cheapest purchase). Null: unknown (not bounded). */
  minBaseFen: Partial<Record<Trigger, Fen | null>>;
}

export interface WorstCase {
  trigger: Trigger;
  /** The most one event could pay, as ppm of its amount (fixed amounts at the smallest amount the event can have). */
  ppm: number | null;
  ceilingPpm: number;
  /** Lines that add up to it, in words. */
  parts: string[];
  /** Why a fixed amount leaves it unbounded, if it does. */
  unbounded?: string;
}

export interface Problem {
  path: string;
  message: string;
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** The worst case of each trigger (SPEC §9: a rule set that could exceed its ceiling is refused). */
export function worstCases(set: RuleSetBody, ctx: ValidationContext): WorstCase[] {
  return triggers.map((trigger) => {
    let ppm = 0n;
    const parts: string[] = [];
    let unbounded: string | undefined;
    for (const rule of rulesFor(set, trigger)) {
      const recipients = BigInt(recipientByCode.get(rule.recipient.code)!.maxRecipients(rule.recipient.args, set.reach));
      if (recipients === 0n) continue;
      let fixedPpm = 0n;
      if (rule.amount.fixedFen > 0n) {
        // A fixed amount is a share of the smallest event it can be paid on: the rule's own minimum amount, else the trigger's.
        const own = rule.conditions.find((c) => c.code === 'min_base_amount')?.args as { minFen: Fen } | undefined;
        const bounds = [own?.minFen, ctx.minBaseFen[trigger] ?? undefined].filter((v): v is Fen => v !== undefined && v > 0n);
        const minBase = bounds.length ? bounds.reduce((a, b) => (a > b ? a : b)) : null;
        if (minBase === null) unbounded = `规则「${rule.name}」的固定金额没有最低单笔金额可比（请加“单笔金额不低于”条件）`;
        else fixedPpm = ceilDiv(rule.amount.fixedFen * PPM, minBase);
      }
      const each = BigInt(rule.amount.ppm) + fixedPpm;
      ppm += each * recipients;
      parts.push(`规则「${rule.name}」${recipients > 1n ? `${recipients} 人 × ` : ''}${each} ppm`);
    }
    if (trigger === 'transaction_settled' && set.profitShare.enabled) {
      const rates = ctx.ranks.map((r) => r.ratePpm);
      // Any level a member may hold, enabled or not: the differential is the highest rate minus the lowest.
      const spread = rates.length ? Math.max(...rates) - Math.min(...rates) : 0;
      ppm += BigInt(Math.max(spread, 0));
      parts.push(`级差分润最多 ${Math.max(spread, 0)} ppm`);
      if (set.profitShare.peer.enabled) {
        ppm += BigInt(set.profitShare.peer.ppm);
        parts.push(`平级奖 ${set.profitShare.peer.ppm} ppm`);
      }
    }
    return { trigger, ppm: unbounded ? null : Number(ppm), ceilingPpm: set.ceilings[trigger], parts, ...(unbounded ? { unbounded } : {}) };
  });
}

/** Problems that refuse a save (empty = fine), and the worst cases shown either way. */
export function validateRuleSet(set: RuleSetBody, ctx: ValidationContext): { problems: Problem[]; worst: WorstCase[] } {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  set.rules.forEach((rule, i) => {
    const at = `rules.${i}`;
    if (seen.has(rule.id)) problems.push({ path: `${at}.id`, message: `规则编号 ${rule.id} 重复` });
    seen.add(rule.id);
    if (rule.recipient.code === 'ancestor' && (rule.recipient.args as { generation: number }).generation > set.reach) {
      problems.push({ path: `${at}.recipient`, message: `规则「${rule.name}」发给第 ${(rule.recipient.args as { generation: number }).generation} 代，超出了 ${set.reach} 代的范围` });
    }
    if (rule.effectiveFrom && rule.effectiveUntil && new Date(rule.effectiveFrom) >= new Date(rule.effectiveUntil)) {
      problems.push({ path: `${at}.effectiveUntil`, message: `规则「${rule.name}」的结束时间必须晚于开始时间` });
    }
    if (rule.amount.fixedFen === 0n && rule.amount.ppm === 0) problems.push({ path: `${at}.amount`, message: `规则「${rule.name}」的金额为零` });
    if (rule.caps.dailyFen !== null && rule.caps.monthlyFen !== null && rule.caps.dailyFen > rule.caps.monthlyFen) {
      problems.push({ path: `${at}.caps`, message: `规则「${rule.name}」的日封顶高于月封顶` });
    }
  });
  problems.push(...rankProblems(set, ctx));
  const worst = worstCases(set, ctx);
  for (const w of worst) {
    const problem = ceilingProblem(w);
    if (problem) problems.push(problem);
  }
  return { problems, worst };
}

/**
 * References to level ranks the ladder lacks. A rule or condition naming
 * such a rank never finds an eligible ancestor, so it would silently stop
 * paying: refused when the rules are saved, and when a ladder change
 * (a level removed or re-ranked) would leave the published rules so.
 */
export function rankProblems(set: RuleSetBody, ctx: Pick<ValidationContext, 'ranks'>): Problem[] {
  const problems: Problem[] = [];
  const ranks = new Set(ctx.ranks.map((r) => r.rank));
  const rankOf = (c: { args: unknown }) => (c.args as { rank?: number } | undefined)?.rank ?? (c.args as { minRank?: number } | undefined)?.minRank;
  set.rules.forEach((rule, i) => {
    for (const [j, c] of [...rule.conditions, rule.recipient].entries()) {
      const rank = rankOf(c);
      if (rank !== undefined && !ranks.has(rank)) problems.push({ path: `rules.${i}.conditions.${j}`, message: `规则「${rule.name}」引用的等级序号 ${rank} 不存在` });
    }
  });
  set.profitShare.conditions.forEach((c, j) => {
    const rank = rankOf(c);
    if (rank !== undefined && !ranks.has(rank)) problems.push({ path: `profitShare.conditions.${j}`, message: `级差分润的条件引用的等级序号 ${rank} 不存在` });
  });
  if (set.profitShare.peer.enabled && !ranks.has(set.profitShare.peer.minRank)) {
    problems.push({ path: 'profitShare.peer.minRank', message: `平级奖的最低等级序号 ${set.profitShare.peer.minRank} 不存在` });
  }
  return problems;
}

/** Why a worst case refuses a rule set (null when it fits its ceiling). */
export function ceilingProblem(w: WorstCase): Problem | null {
  if (w.unbounded) return { path: `ceilings.${w.trigger}`, message: `${triggerNames[w.trigger]}：${w.unbounded}` };
  if (w.ppm! > w.ceilingPpm) return { path: `ceilings.${w.trigger}`, message: `${triggerNames[w.trigger]}每笔最多可能发放 ${w.ppm} ppm（${w.parts.join(' + ')}），超过单笔封顶 ${w.ceilingPpm} ppm` };
  return null;
}
