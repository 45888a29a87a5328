/**
 * Rules and rule sets in words for staff, built from the registered
 * definitions (their labels and argument schemas), so a newly registered
 * condition reads correctly without code here.
 */
import { formatDateTime } from '../../../shared/format';
import { formatMoney, ppmToPercent } from '../../../shared/money';
import { enumWords, fieldWords } from './schema-form/labels';
import { formatValue, type RefDefinition, type SchemaContext } from './schema-form/schema';
import type { Definitions, Ref, Rule, RuleSetBody } from './types';

type T = (zh: string, en: string) => string;

export interface Words {
  t: T;
  lang: string;
  defs: Definitions;
  ctx: SchemaContext;
}

export function schemaContext(defs: Definitions, levels: { rank: number; name: string }[]): SchemaContext {
  return { refs: { recipient: defs.recipients, conditions: defs.conditions }, levels };
}

/** Trigger names from the server, for enum values the built-in words lack. */
export const triggerExtra = (defs: Definitions) => ({ trigger: Object.fromEntries(defs.triggers.map((x) => [x.code, x.name])) });

export function triggerLabel(code: string, w: Pick<Words, 't' | 'defs'>): string {
  return enumWords('trigger', code, w.t, triggerExtra(w.defs));
}

export function describeRef(ref: Ref, registry: RefDefinition[], w: Words): string {
  const def = registry.find((d) => d.code === ref.code);
  if (!def) return ref.code;
  const label = w.lang === 'en' ? def.label.en : def.label.zh;
  const args = Object.entries(def.args.properties ?? {}).map(([key, schema]) => {
    const value = formatValue(key, schema, ref.args[key], w.ctx, w.t, (k, v) => enumWords(k, v, w.t, triggerExtra(w.defs)));
    return w.t(`${fieldWords(key, w.t).label}：${value}`, `${fieldWords(key, w.t).label}: ${value}`);
  });
  return args.length ? w.t(`${label}（${args.join('，')}）`, `${label} (${args.join(', ')})`) : label;
}

export function describeAmount(rule: Pick<Rule, 'trigger' | 'amount'>, w: Words): string {
  const parts: string[] = [];
  if (rule.amount.ppm > 0) parts.push(w.t(`${triggerLabel(rule.trigger, w)}金额的 ${ppmToPercent(rule.amount.ppm)}`, `${ppmToPercent(rule.amount.ppm)} of the ${triggerLabel(rule.trigger, w)} amount`));
  if (BigInt(rule.amount.fixedFen || '0') > 0n) parts.push(w.t(`固定 ${formatMoney(rule.amount.fixedFen)}`, `${formatMoney(rule.amount.fixedFen)} fixed`));
  return parts.length ? parts.join(' + ') : w.t('金额为零', 'Zero');
}

export function describeCaps(caps: { dailyFen: string | null; monthlyFen: string | null }, w: Pick<Words, 't'>): string {
  if (caps.dailyFen === null && caps.monthlyFen === null) return w.t('不封顶', 'No cap');
  const day = caps.dailyFen === null ? w.t('不限', 'none') : formatMoney(caps.dailyFen);
  const month = caps.monthlyFen === null ? w.t('不限', 'none') : formatMoney(caps.monthlyFen);
  return w.t(`每日 ${day}，每月 ${month}`, `Daily ${day}, monthly ${month}`);
}

export function describeWindow(rule: Pick<Rule, 'effectiveFrom' | 'effectiveUntil'>, w: Pick<Words, 't'>): string {
  if (!rule.effectiveFrom && !rule.effectiveUntil) return w.t('长期有效', 'Always');
  if (!rule.effectiveUntil) return w.t(`${formatDateTime(rule.effectiveFrom)} 起`, `From ${formatDateTime(rule.effectiveFrom)}`);
  if (!rule.effectiveFrom) return w.t(`至 ${formatDateTime(rule.effectiveUntil)}`, `Until ${formatDateTime(rule.effectiveUntil)}`);
  return `${formatDateTime(rule.effectiveFrom)} ～ ${formatDateTime(rule.effectiveUntil)}`;
}

export function describeConditions(conditions: Ref[], w: Words): string[] {
  return conditions.map((c) => describeRef(c, w.defs.conditions, w));
}

/**
 * Where a problem is, in words: a request check names a field path
 * (`body.body.rules.2.amount.ppm`), which becomes the rule's name and the
 * rest of the path; rule-set checks name the rule in their message already,
 * so only request-level paths get a place.
 */
export function problemPlace(path: string, rules: Pick<Rule, 'name'>[], t: T): string | null {
  const field = path.replace(/^(body\.)+/, '');
  if (!field) return null;
  const m = /^rules\.(\d+)(?:\.(.*))?$/.exec(field);
  if (!m) return field;
  const rule = rules[Number(m[1])];
  const name = rule?.name ? t(`规则「${rule.name}」`, `Rule “${rule.name}”`) : t(`第 ${Number(m[1]) + 1} 条规则`, `Rule ${Number(m[1]) + 1}`);
  return m[2] ? `${name} · ${m[2]}` : name;
}

/** The server words worst cases in ppm ("200000 ppm"); people read percent. */
export const ppmWordsToPercent = (text: string) => text.replace(/(\d+) ppm/g, (_m, n: string) => ppmToPercent(n));

export function levelName(rank: number, w: Pick<Words, 'ctx' | 't'>): string {
  return w.ctx.levels.find((l) => l.rank === rank)?.name ?? w.t(`等级序号 ${rank}`, `rank ${rank}`);
}

export function describeProfitShare(body: RuleSetBody, w: Words): { profitShare: string; peer: string } {
  const ps = body.profitShare;
  const extra = describeConditions(ps.conditions, w);
  const profitShare = ps.enabled
    ? w.t(
        `已启用：交易结算时，${body.reach} 代以内的上级按自身与下级的分润比例差获得分润${extra.length ? `；另需满足：${extra.join('；')}` : ''}`,
        `On: on settled transactions, ancestors within ${body.reach} generations earn the difference between their rate and their downline's${extra.length ? `; also requires: ${extra.join('; ')}` : ''}`,
      )
    : w.t('未启用', 'Off');
  const peer = ps.enabled && ps.peer.enabled
    ? w.t(
        `已启用：交易链路上第一位与当前最高等级相同、且不低于「${levelName(ps.peer.minRank, w)}」的上级，获得交易金额的 ${ppmToPercent(ps.peer.ppm)}（每笔最多一位）`,
        `On: the first ancestor up the line at the same level as the highest so far, and at least “${levelName(ps.peer.minRank, w)}”, earns ${ppmToPercent(ps.peer.ppm)} of the transaction (one per transaction)`,
      )
    : w.t('未启用', 'Off');
  return { profitShare, peer };
}
