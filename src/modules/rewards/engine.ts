import { type Fen, formatYuan, mulPpm } from '../../lib/money.js';
import {
  conditionByCode,
  type ConditionVerdict,
  formatPpm,
  type Generation,
  type Person,
  positionNames,
  recipientByCode,
  type RewardEvent,
  triggerNames,
} from './definitions.js';
import { type ConditionRef, type Rule, type RuleSet, rulesFor } from './rule-set.js';

/**
 * The reward engine (SPEC §6, §7, §9): one event, the member and its nearest
 * ancestors as plain data, the rule set, and what each recipient has already
 * earned in the periods that carry caps — in; payouts with their
 * explanations and every verdict on every candidate — out. No database, no
 * clock, no randomness: the same input gives the same output, which is what
 * lets staff replay "why was X (not) paid" and lets a draft be simulated on
 * stored events.
 *
 * Order of application (SPEC §9): reward rules by priority (then id), then
 * profit share from the nearest ancestor upward, then the peer bonus. Each
 * payout passes, in this order, the rule's daily and monthly caps, the
 * member's daily and monthly caps, and the event's ceiling: the payout that
 * would cross the ceiling is reduced to fit and every later one gets nothing.
 */

export type PayoutSource = { kind: 'rule'; ruleId: string; ruleName: string } | { kind: 'profit_share' } | { kind: 'peer_bonus' };

export type CutKind = 'rule_daily_cap' | 'rule_monthly_cap' | 'member_daily_cap' | 'member_monthly_cap' | 'ceiling';
export const cutNames: Record<CutKind, string> = {
  rule_daily_cap: '本规则日封顶',
  rule_monthly_cap: '本规则月封顶',
  member_daily_cap: '每日收益封顶',
  member_monthly_cap: '每月收益封顶',
  ceiling: '单笔发放上限',
};

export interface Cut {
  kind: CutKind;
  /** How much this limit took off. */
  fen: Fen;
  /** The limit's room before this payout. */
  roomFen: Fen;
}

export interface Payout {
  memberId: number;
  generation: Generation;
  source: PayoutSource;
  baseFen: Fen;
  ratePpm: number;
  fixedFen: Fen;
  grossFen: Fen;
  cuts: Cut[];
  amountFen: Fen;
  text: string;
}

export interface Decision {
  source: PayoutSource;
  /** Null when the verdict concerns no one in particular (a rule not in effect, no ancestor at that generation). */
  memberId: number | null;
  generation: Generation | null;
  paid: boolean;
  reason:
    | 'paid'
    | 'not_in_effect'
    | 'beyond_reach'
    | 'no_ancestor'
    | 'conditions'
    | 'other_generation'
    | 'nearer_paid'
    | 'ineligible'
    | 'no_differential'
    | 'peer_taken'
    | 'cut_to_zero'
    | 'below_one_fen';
  text: string;
  conditions: ConditionVerdict[];
  amountFen: Fen;
}

/** Earned so far per (member, scope, period); see usageKey. */
export type Usage = ReadonlyMap<string, Fen>;
/**
 * The key of a member's earnings in a day or a month. The period's kind is part of it: a month is written as
 * its first day, so on the 1st a day and its month would otherwise share one key and count everything twice.
 */
export const usageKey = (memberId: number, scope: 'total' | `rule:${string}`, kind: 'day' | 'month', period: string) => `${memberId}|${scope}|${kind}:${period}`;

export interface EngineInput {
  event: RewardEvent;
  member: Person;
  /** Nearest first; the engine looks at no more than the rule set's reach. */
  ancestors: Person[];
  ruleSet: RuleSet;
  usage: Usage;
}

export interface EngineResult {
  eventId: number;
  version: number;
  ceilingFen: Fen;
  totalFen: Fen;
  payouts: Payout[];
  decisions: Decision[];
  /** What this event added to each usage key (the caller adds it to its running usage). */
  added: Map<string, Fen>;
}

const yuan = (fen: Fen) => `¥${formatYuan(fen)}`;

/** What a payout line says is made of what the line stores (plus its rule's name and, for profit share, the recipient's own rate). */
export interface PayoutWords {
  trigger: RewardEvent['kind'];
  baseFen: Fen;
  source: PayoutSource;
  version: number;
  generation: Generation;
  ratePpm: number;
  fixedFen: Fen;
  grossFen: Fen;
  cuts: readonly { kind: CutKind; fen: Fen }[];
  amountFen: Fen;
  /** Profit share: the recipient's level rate (the line's rate is that minus what was paid below it). */
  recipientRatePpm?: number;
}

/**
 * A payout in zh-CN words: the event, the rule and version, the position,
 * the computation, any cuts. The engine says it in its verdicts, and
 * statements say it again from the stored line (the words are not stored:
 * they were a third of every payout row), so both come from here.
 */
export function payoutText(w: PayoutWords): string {
  const extra = w.source.kind === 'profit_share' && w.recipientRatePpm !== undefined ? `（${formatPpm(w.recipientRatePpm)} − ${formatPpm(w.recipientRatePpm - w.ratePpm)}）` : '';
  const rateText =
    w.fixedFen > 0n && w.ratePpm > 0
      ? `${yuan(w.fixedFen)} + ${yuan(w.baseFen)} × ${formatPpm(w.ratePpm)}`
      : w.fixedFen > 0n
        ? `固定 ${yuan(w.fixedFen)}`
        : `${yuan(w.baseFen)} × ${formatPpm(w.ratePpm)}${extra}`;
  const cutText = w.cuts.map((c) => `；${cutNames[c.kind]}扣减 ${yuan(c.fen)}`).join('');
  return `${triggerNames[w.trigger]} ${yuan(w.baseFen)} · ${sourceName(w.source, w.version)} · ${positionNames[w.generation]} · ${rateText} = ${yuan(w.grossFen)}${cutText}${w.cuts.length ? ` · 实得 ${yuan(w.amountFen)}` : ''}`;
}

export function sourceName(s: PayoutSource, version?: number): string {
  if (s.kind === 'rule') return `规则「${s.ruleName}」${version !== undefined ? `(v${version})` : ''}`;
  return s.kind === 'profit_share' ? `级差分润${version !== undefined ? `(v${version})` : ''}` : `平级奖${version !== undefined ? `(v${version})` : ''}`;
}

function inEffect(rule: Rule, at: Date): boolean {
  if (rule.effectiveFrom && at < new Date(rule.effectiveFrom)) return false;
  if (rule.effectiveUntil && at >= new Date(rule.effectiveUntil)) return false;
  return true;
}

function check(refs: ConditionRef[], who: Person, event: RewardEvent): ConditionVerdict[] {
  return refs.map((c) => conditionByCode.get(c.code)!.check(c.args, who, event));
}

/**
 * Only active members earn (SPEC §3), whatever a rule's own conditions say: every candidate carries this
 * verdict, and a rule that lists the `active` condition itself gets it once, from that condition.
 */
const activeVerdict = (who: Person): ConditionVerdict => ({ code: 'active', holds: who.active, text: who.active ? '已激活' : '未激活（未满足）' });

export interface EngineOptions {
  /**
   * Whether to record a verdict, with its zh-CN text, for every rule and
   * candidate (default true). Paying an event stores only the payouts and
   * their texts; "why was X (not) paid" replays the event from its stored
   * inputs with verdicts on. So the paying path turns them off: building
   * them was a third of what the engine allocated per event. Payouts,
   * their texts and totals are the same either way.
   */
  verdicts?: boolean;
}

/**
 * One event's run: its running ceiling room, what it added to usage, its
 * payouts and verdicts. A class rather than closures inside runEngine: those
 * were created anew for every event and payout (and under tsx each had its
 * name set by a helper call); without them the engine runs about twice as
 * fast (200k against 106k events per second on one core, verdicts off).
 */
class EngineRun {
  readonly added = new Map<string, Fen>();
  readonly payouts: Payout[] = [];
  readonly decisions: Decision[] = [];
  ceilingRoom: Fen;

  constructor(
    readonly input: EngineInput,
    readonly explain: boolean,
    readonly ceilingFen: Fen,
  ) {
    this.ceilingRoom = ceilingFen;
  }

  decide(d: Omit<Decision, 'amountFen' | 'conditions'> & { conditions?: ConditionVerdict[]; amountFen?: Fen }) {
    this.decisions.push({ conditions: [], amountFen: 0n, ...d });
  }

  /** Applies caps and the ceiling to a gross amount and records the payout (or the cut to zero). */
  pay(who: Person, generation: Generation, source: PayoutSource, rate: { ppm: number; fixedFen: Fen }, conditions: ConditionVerdict[]) {
    const { event, ruleSet: set, usage } = this.input;
    const grossFen = rate.fixedFen + mulPpm(event.baseFen, rate.ppm);
    const limits: { kind: CutKind; key: string; cap: Fen | null }[] = [];
    if (source.kind === 'rule') {
      const rule = set.rules.find((r) => r.id === source.ruleId)!;
      limits.push({ kind: 'rule_daily_cap', key: usageKey(who.memberId, `rule:${rule.id}`, 'day', event.day), cap: rule.caps.dailyFen });
      limits.push({ kind: 'rule_monthly_cap', key: usageKey(who.memberId, `rule:${rule.id}`, 'month', event.month), cap: rule.caps.monthlyFen });
    }
    limits.push({ kind: 'member_daily_cap', key: usageKey(who.memberId, 'total', 'day', event.day), cap: set.memberCaps.dailyFen });
    limits.push({ kind: 'member_monthly_cap', key: usageKey(who.memberId, 'total', 'month', event.month), cap: set.memberCaps.monthlyFen });
    let amount = grossFen;
    const cuts: Cut[] = [];
    // Each limit in order, then the ceiling: a limit with less room than the amount cuts it to that room.
    const rooms: [CutKind, Fen][] = [];
    for (const l of limits) if (l.cap !== null) rooms.push([l.kind, l.cap - (usage.get(l.key) ?? 0n) - (this.added.get(l.key) ?? 0n)]);
    rooms.push(['ceiling', this.ceilingRoom]);
    for (const [kind, room] of rooms) {
      const r = room < 0n ? 0n : room;
      if (amount > r) {
        cuts.push({ kind, fen: amount - r, roomFen: r });
        amount = r;
      }
    }
    this.ceilingRoom -= amount;
    const text = payoutText({ trigger: event.kind, baseFen: event.baseFen, source, version: set.version, generation, ratePpm: rate.ppm, fixedFen: rate.fixedFen, grossFen, cuts, amountFen: amount, recipientRatePpm: who.ratePpm });
    if (amount === 0n) {
      // Either a limit took it all, or the amount floors to nothing (e.g. 0.1% of 9.99 yuan).
      if (!this.explain) return;
      if (cuts.length > 0) this.decide({ source, memberId: who.memberId, generation, paid: false, reason: 'cut_to_zero', text: `${text}（已达上限，本次未发放）`, conditions });
      else this.decide({ source, memberId: who.memberId, generation, paid: false, reason: 'below_one_fen', text: `${text}（不足 1 分，未发放）`, conditions });
      return;
    }
    for (const l of limits) this.added.set(l.key, (this.added.get(l.key) ?? 0n) + amount);
    this.payouts.push({ memberId: who.memberId, generation, source, baseFen: event.baseFen, ratePpm: rate.ppm, fixedFen: rate.fixedFen, grossFen, cuts, amountFen: amount, text });
    if (this.explain) this.decide({ source, memberId: who.memberId, generation, paid: true, reason: 'paid', text, conditions, amountFen: amount });
  }
}

export function runEngine(input: EngineInput, options: EngineOptions = {}): EngineResult {
  const explain = options.verdicts !== false;
  const { event, ruleSet: set } = input;
  const ancestors = input.ancestors.slice(0, set.reach);
  const ceilingFen = mulPpm(event.baseFen, set.ceilings[event.kind]);
  const run = new EngineRun(input, explain, ceilingFen);

  // 1. Reward rules, by priority then id.
  for (const rule of rulesFor(set, event.kind)) {
    const source: PayoutSource = { kind: 'rule', ruleId: rule.id, ruleName: rule.name };
    if (!inEffect(rule, event.occurredAt)) {
      if (explain) run.decide({ source, memberId: null, generation: null, paid: false, reason: 'not_in_effect', text: `${sourceName(source, set.version)}在事件发生时不在生效期内` });
      continue;
    }
    const recipient = recipientByCode.get(rule.recipient.code)!;
    const generations = recipient.generations(rule.recipient.args, set.reach);
    if (generations.length === 0) {
      if (explain) run.decide({ source, memberId: null, generation: null, paid: false, reason: 'beyond_reach', text: `${sourceName(source, set.version)}的对象超出 ${set.reach} 代范围` });
      continue;
    }
    const listsActive = rule.conditions.some((c) => c.code === 'active');
    if (explain) {
      // "Why was I not paid" must have an answer for every ancestor in reach, also those the rule never looks at.
      for (const [i, who] of ancestors.entries()) {
        const g = (i + 1) as Generation;
        if (!generations.includes(g)) {
          run.decide({ source, memberId: who.memberId, generation: g, paid: false, reason: 'other_generation', text: `${sourceName(source, set.version)}只发给${generations.map((x) => positionNames[x]).join('、')}上级，不发给${positionNames[g]}` });
        }
      }
    }
    for (const [k, g] of generations.entries()) {
      const who = ancestors[g - 1];
      if (!who) {
        if (explain) run.decide({ source, memberId: null, generation: g, paid: false, reason: 'no_ancestor', text: `没有${positionNames[g]}上级` });
        break;
      }
      const verdicts = [
        ...(recipient.requirement ? [recipient.requirement(rule.recipient.args, who)] : []),
        ...(listsActive ? [] : [activeVerdict(who)]),
        ...check(rule.conditions, who, event),
      ];
      const failed = verdicts.filter((v) => !v.holds);
      if (failed.length > 0) {
        if (explain) run.decide({ source, memberId: who.memberId, generation: g, paid: false, reason: 'conditions', text: `${sourceName(source, set.version)} · ${positionNames[g]}：${failed.map((v) => v.text).join('；')}`, conditions: verdicts });
        continue;
      }
      run.pay(who, g, source, { ppm: rule.amount.ppm, fixedFen: rule.amount.fixedFen }, verdicts);
      if (recipient.firstOnly) {
        if (explain) {
          for (const later of generations.slice(k + 1)) {
            const other = ancestors[later - 1];
            if (other) run.decide({ source, memberId: other.memberId, generation: later, paid: false, reason: 'nearer_paid', text: `${sourceName(source, set.version)}只发给最近一位符合条件的上级，本次已由${positionNames[g]}领取` });
          }
        }
        break;
      }
    }
  }

  // 2. Profit share from the nearest ancestor upward (SPEC §7); the peer bonus is found on the same walk and applied after it.
  if (event.kind === 'transaction_settled' && set.profitShare.enabled) {
    const ps = set.profitShare;
    let paidPpm = input.member.ratePpm;
    let topLevelId = input.member.levelId;
    let peer: { who: Person; generation: Generation; verdicts: ConditionVerdict[] } | null = null;
    for (const [i, who] of ancestors.entries()) {
      const g = (i + 1) as Generation;
      const verdicts = [activeVerdict(who), ...check(ps.conditions, who, event)];
      const failed = verdicts.filter((v) => !v.holds);
      if (failed.length > 0) {
        if (explain) {
          const text = `级差分润 · ${positionNames[g]}：${failed.map((v) => v.text).join('；')}，本级跳过，级差由上一级领取`;
          run.decide({ source: { kind: 'profit_share' }, memberId: who.memberId, generation: g, paid: false, reason: 'ineligible', text, conditions: verdicts });
        }
        continue;
      }
      if (ps.peer.enabled && who.levelId === topLevelId) {
        if (peer) {
          if (explain) run.decide({ source: { kind: 'peer_bonus' }, memberId: who.memberId, generation: g, paid: false, reason: 'peer_taken', text: `平级奖每笔只发给第一位同级上级，已由${positionNames[peer.generation]}领取`, conditions: verdicts });
        } else if (who.rank >= ps.peer.minRank) {
          peer = { who, generation: g, verdicts };
        } else if (explain) {
          run.decide({ source: { kind: 'peer_bonus' }, memberId: who.memberId, generation: g, paid: false, reason: 'conditions', text: `平级奖要求等级序号 ≥ ${ps.peer.minRank}，「${who.levelName}」为 ${who.rank}`, conditions: verdicts });
        }
      }
      if (who.ratePpm > paidPpm) {
        run.pay(who, g, { kind: 'profit_share' }, { ppm: who.ratePpm - paidPpm, fixedFen: 0n }, verdicts);
        paidPpm = who.ratePpm;
        topLevelId = who.levelId;
      } else if (explain && !(peer && peer.who === who)) {
        // The peer's verdict is its peer bonus; a no-differential line beside it would only repeat that its rate adds nothing.
        run.decide({ source: { kind: 'profit_share' }, memberId: who.memberId, generation: g, paid: false, reason: 'no_differential', text: `级差分润 · ${positionNames[g]}：「${who.levelName}」费率 ${formatPpm(who.ratePpm)} 不高于已分配的 ${formatPpm(paidPpm)}，无级差`, conditions: verdicts });
      }
    }
    if (peer) run.pay(peer.who, peer.generation, { kind: 'peer_bonus' }, { ppm: ps.peer.ppm, fixedFen: 0n }, peer.verdicts);
  }

  const totalFen = run.payouts.reduce((s, p) => s + p.amountFen, 0n);
  return { eventId: event.id, version: set.version, ceilingFen, totalFen, payouts: run.payouts, decisions: run.decisions, added: run.added };
}

/** Every verdict about one member, for "why was X (not) paid for event Y". */
export function verdictsFor(result: EngineResult, input: Pick<EngineInput, 'member' | 'ancestors' | 'ruleSet'>, memberId: number): { position: string; decisions: Decision[] } {
  if (input.member.memberId === memberId) return { position: '事件本人（本人不因自己的事件获得奖励，本人等级的费率在级差中已被占用）', decisions: [] };
  const index = input.ancestors.findIndex((a) => a.memberId === memberId);
  if (index < 0) return { position: `不在事件会员的 ${input.ruleSet.reach} 代上级之内`, decisions: [] };
  if (index >= input.ruleSet.reach) return { position: `第 ${index + 1} 代上级，超出 ${input.ruleSet.reach} 代范围`, decisions: [] };
  const generation = (index + 1) as Generation;
  return {
    position: positionNames[generation],
    decisions: result.decisions.filter((d) => d.memberId === memberId || (d.memberId === null && (d.generation === null || d.generation === generation))),
  };
}
