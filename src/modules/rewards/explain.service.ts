import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { type Fen, formatYuan, mulPpm } from '../../lib/money.js';
import { readLadder } from '../levels/ladder.service.js';
import { dayOf } from '../levels/level-jobs.js';
import { monthOf } from '../performance/performance.service.js';
import { conditionByCode, formatPpm, type Generation, positionNames, recipientByCode, type RewardEvent, type Trigger, triggerNames } from './definitions.js';
import { type CutKind, type Decision, type EngineResult, type PayoutSource, payoutText, runEngine, verdictsFor } from './engine.js';
import { inputFromSnapshot, type InputSnapshot, type PersonJson } from './inputs.service.js';
import { rulesFor, type RuleSet } from './rule-set.js';
import { ruleSetAt } from './rule-sets.service.js';

/**
 * Explanations: a processed event replayed from its stored inputs (the
 * engine is deterministic, so this is exactly what ran), the payout lines a
 * member reads, and the active rules in plain words.
 */

interface EventRow {
  event_id: number | string;
  kind: string;
  subject: string;
  member_id: number | string;
  base_fen: string;
  occurred_at: string | Date;
  version: number;
  inputs: unknown;
  total_fen: string;
  entry_id: number | string | null;
  processed_at: string | Date;
  clawed_back_at: string | Date | null;
}

export interface EventReplay {
  eventId: number;
  kind: string;
  subject: string;
  memberId: number;
  baseFen: Fen;
  occurredAt: Date;
  version: number;
  totalFen: Fen;
  clawedBackAt: Date | null;
  result: EngineResult | null;
  /** The replay gives the amounts that were posted (it always should: a mismatch means stored data was altered). */
  consistent: boolean;
  snapshot: InputSnapshot | null;
}

export const eventOfRow = (r: { event_id: number | string; kind: string; member_id: number | string; base_fen: string; occurred_at: string | Date }, timeZone: string): RewardEvent => {
  const occurredAt = new Date(r.occurred_at);
  return { id: Number(r.event_id), kind: r.kind as Trigger, baseFen: BigInt(r.base_fen), memberId: Number(r.member_id), occurredAt, day: dayOf(occurredAt, timeZone), month: monthOf(occurredAt, timeZone) };
};

export async function replayEvent(db: Db, eventId: number, timeZone: string): Promise<EventReplay> {
  const [row] = await queryRows<EventRow>(db, sql`
    select event_id, kind, subject, member_id, base_fen::text, occurred_at, version, inputs, total_fen::text, entry_id, processed_at, clawed_back_at
    from reward_events where event_id = ${eventId}`);
  if (!row) throw new AppError('NOT_FOUND', `事件 ${eventId} 尚未处理或不存在`);
  const base = {
    eventId: Number(row.event_id),
    kind: row.kind,
    subject: row.subject,
    memberId: Number(row.member_id),
    baseFen: BigInt(row.base_fen),
    occurredAt: new Date(row.occurred_at),
    version: row.version,
    totalFen: BigInt(row.total_fen),
    clawedBackAt: row.clawed_back_at ? new Date(row.clawed_back_at) : null,
  };
  if (row.kind === 'transaction_refunded') return { ...base, result: null, consistent: true, snapshot: null };
  const snapshot = row.inputs as InputSnapshot;
  const set = await ruleSetAt(db, row.version);
  const result = runEngine(inputFromSnapshot(snapshot, eventOfRow(row, timeZone), set));
  const paid = await queryRows<{ member_id: number | string; amount: string }>(db, sql`
    select member_id, sum(amount_fen)::text as amount from reward_payouts where entry_id = ${row.entry_id ?? -1} and event_id = ${eventId} group by member_id`);
  const replayed = new Map<number, Fen>();
  for (const p of result.payouts) replayed.set(p.memberId, (replayed.get(p.memberId) ?? 0n) + p.amountFen);
  const consistent = result.totalFen === base.totalFen && paid.length === replayed.size && paid.every((p) => replayed.get(Number(p.member_id)) === BigInt(p.amount));
  return { ...base, result, consistent, snapshot };
}

/** "Why was member X (not) paid for event Y": every rule's verdict about X. */
export async function whyMember(db: Db, eventId: number, memberId: number, timeZone: string) {
  const replay = await replayEvent(db, eventId, timeZone);
  if (!replay.result || !replay.snapshot) {
    return { replay, position: '退款事件不产生奖励；它收回原交易产生的全部奖励', decisions: [] as Decision[] };
  }
  const set = await ruleSetAt(db, replay.version);
  const input = inputFromSnapshot(replay.snapshot, { id: replay.eventId, kind: replay.kind as Trigger, baseFen: replay.baseFen, memberId: replay.memberId, occurredAt: replay.occurredAt, day: '', month: '' }, set);
  const { position, decisions } = verdictsFor(replay.result, input, memberId);
  const within = input.ancestors.some((a) => a.memberId === memberId);
  return { replay, position: within && decisions.length === 0 ? `${position}：没有适用于该事件的规则` : position, decisions };
}

// ---------------------------------------------------------------- payout lines

export interface PayoutLine {
  id: number;
  eventId: number;
  trigger: string;
  kind: string;
  ruleId: string | null;
  version: number;
  generation: number;
  position: string;
  baseFen: Fen;
  ratePpm: number;
  fixedFen: Fen;
  grossFen: Fen;
  amountFen: Fen;
  cuts: { kind: string; fen: string; roomFen: string }[];
  text: string;
  entryId: number;
  occurredAt: Date;
  clawedBack: boolean;
}

/** A member's payout lines, newest first (keyset by id), optionally only those of some ledger entries. */
export async function payoutLines(db: Db, f: { memberId: number; entryIds?: number[]; before?: number; limit: number }): Promise<{ items: PayoutLine[]; nextCursor: string | null }> {
  const rows = await queryRows<Record<string, unknown>>(db, sql`
    select p.id, p.event_id, p.trigger, p.kind, p.rule_id, p.version, p.generation, p.base_fen::text, p.rate_ppm, p.fixed_fen::text, p.gross_fen::text,
      p.amount_fen::text, p.cuts, p.text, p.entry_id, e.occurred_at, p.clawed_back_at, p.member_id,
      -- Profit share says the recipient's own rate, which the event's inputs hold (the line holds the differential).
      case when p.text is null and p.kind = 'profit_share' then e.inputs->'ancestors' end as ancestors
    from reward_payouts p join reward_events e on e.event_id = p.event_id
    where p.member_id = ${f.memberId}
      ${f.entryIds ? sql`and p.entry_id = any(${`{${f.entryIds.join(',')}}`}::bigint[])` : sql``}
      ${f.before !== undefined ? sql`and p.id < ${f.before}` : sql``}
    order by p.id desc limit ${f.limit + 1}`);
  const page = rows.slice(0, f.limit);
  // The versions on a page are few and immutable once they ran (ruleSetAt caches them).
  const sets = new Map<number, RuleSet>();
  for (const r of page) if (r.text === null && !sets.has(Number(r.version))) sets.set(Number(r.version), await ruleSetAt(db, Number(r.version)));
  const items = page.map((r): PayoutLine => {
    const line = {
      id: Number(r.id),
      eventId: Number(r.event_id),
      trigger: String(r.trigger),
      kind: String(r.kind),
      ruleId: (r.rule_id as string | null) ?? null,
      version: Number(r.version),
      generation: Number(r.generation),
      position: positionNames[Number(r.generation) as Generation],
      baseFen: BigInt(String(r.base_fen)),
      ratePpm: Number(r.rate_ppm),
      fixedFen: BigInt(String(r.fixed_fen)),
      grossFen: BigInt(String(r.gross_fen)),
      amountFen: BigInt(String(r.amount_fen)),
      cuts: (r.cuts as PayoutLine['cuts'] | null) ?? [],
      entryId: Number(r.entry_id),
      occurredAt: new Date(r.occurred_at as string),
      clawedBack: r.clawed_back_at !== null,
    };
    const recipient = (r.ancestors as PersonJson[] | null)?.find((a) => a[0] === Number(r.member_id));
    const words = r.text === null ? wordsOf(line, sets.get(line.version)!, recipient?.[4]) : String(r.text);
    return { ...line, text: words + (line.clawedBack ? '（原交易已退款，该笔奖励已收回）' : '') };
  });
  return { items, nextCursor: rows.length > f.limit ? String(items.at(-1)!.id) : null };
}

/**
 * A line's words, said again from its columns exactly as the engine said them when it paid. The rule's
 * name comes from the version; profit share also says the recipient's own rate (from the event's inputs).
 */
function wordsOf(line: Omit<PayoutLine, 'text'>, set: RuleSet, recipientRatePpm: number | undefined): string {
  const kind = line.kind as PayoutSource['kind'];
  const ruleId = line.ruleId ?? '';
  const source: PayoutSource = kind === 'rule' ? { kind, ruleId, ruleName: set.rules.find((x) => x.id === ruleId)?.name ?? ruleId } : { kind };
  return payoutText({
    ...line,
    trigger: line.trigger as Trigger,
    source,
    generation: line.generation as Generation,
    cuts: line.cuts.map((c) => ({ kind: c.kind as CutKind, fen: BigInt(c.fen) })),
    ...(recipientRatePpm !== undefined ? { recipientRatePpm } : {}),
  });
}

/** The payouts behind reward entries of a member's statement, in words, by entry. */
export async function explanationsByEntry(db: Db, memberId: number, entryIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (entryIds.length === 0) return out;
  const { items } = await payoutLines(db, { memberId, entryIds, limit: entryIds.length * 20 });
  for (const l of items.reverse()) out.set(l.entryId, [...(out.get(l.entryId) ?? []), l.text]);
  return out;
}

// ---------------------------------------------------------------- the rules in words

const yuan = (fen: Fen) => `¥${formatYuan(fen)}`;

/** The active rule set as members read it (SPEC §12 "the active rules in plain words"). */
export async function rulesInWords(db: Db, set: RuleSet, now: Date) {
  const ladder = await readLadder(db);
  const rankName = (rank: number) => ladder.levels.find((l) => l.rank === rank)?.name ?? `等级${rank}`;
  const sections = (['onboarding_fee_paid', 'level_purchased', 'transaction_settled'] as Trigger[]).map((trigger) => ({
    trigger,
    title: triggerNames[trigger],
    rules: rulesFor(set, trigger)
      .filter((r) => !r.effectiveUntil || new Date(r.effectiveUntil) > now)
      .map((r) => {
        const who = recipientByCode.get(r.recipient.code)!.describe(r.recipient.args, rankName, set.reach);
        const amount = [r.amount.fixedFen > 0n ? yuan(r.amount.fixedFen) : null, r.amount.ppm > 0 ? `金额的 ${formatPpm(r.amount.ppm)}` : null].filter(Boolean).join(' 加 ');
        const conditions = r.conditions.map((c) => conditionByCode.get(c.code)!.describe(c.args, rankName));
        const caps = [r.caps.dailyFen !== null ? `每日最多 ${yuan(r.caps.dailyFen)}` : null, r.caps.monthlyFen !== null ? `每月最多 ${yuan(r.caps.monthlyFen)}` : null].filter(Boolean);
        const window = r.effectiveFrom && new Date(r.effectiveFrom) > now ? `（${r.effectiveFrom.slice(0, 10)} 起生效）` : r.effectiveUntil ? `（至 ${r.effectiveUntil.slice(0, 10)}）` : '';
        return {
          id: r.id,
          name: r.name,
          description: r.description,
          text: `${who}时，每笔${triggerNames[trigger]}您可获得${amount}${conditions.length ? `；条件：${conditions.join('，')}` : ''}${caps.length ? `；${caps.join('，')}` : ''}${window}。`,
        };
      }),
  }));
  const ps = set.profitShare;
  const profitShare = ps.enabled
    ? {
        text: `级差分润：您 ${set.reach} 代以内的下级商户每笔交易结算时，您获得（您的等级费率 − 下级已分配的费率）× 交易金额；不满足条件的上级被跳过，级差由更上一级领取。${
          ps.conditions.length ? `条件：已激活，${ps.conditions.map((c) => conditionByCode.get(c.code)!.describe(c.args, rankName)).join('，')}。` : '条件：已激活。'
        }`,
        rates: ladder.levels.filter((l) => l.enabled).map((l) => ({ level: l.name, rank: l.rank, ratePpm: l.rateProfitSharePpm, rate: formatPpm(l.rateProfitSharePpm) })),
        peer: ps.peer.enabled ? `平级奖：交易链路上第一位与当前最高等级相同、且等级不低于「${rankName(ps.peer.minRank)}」的上级，获得交易金额的 ${formatPpm(ps.peer.ppm)}（每笔最多一位）。` : null,
      }
    : null;
  const limits = [
    '只有已激活（已缴入驻费且账户正常）的会员获得奖励：未激活的上级在每条规则中都会被跳过。',
    `奖励先进入冻结余额，${set.freezeDays} 天后可提现；交易退款时，该笔交易产生的奖励会被收回。`,
    set.memberCaps.dailyFen !== null ? `每位会员每日收益最多 ${yuan(set.memberCaps.dailyFen)}。` : null,
    set.memberCaps.monthlyFen !== null ? `每位会员每月收益最多 ${yuan(set.memberCaps.monthlyFen)}。` : null,
    `单笔封顶：每个事件发放的奖励合计不超过事件金额的一定比例（入驻费 ${formatPpm(set.ceilings.onboarding_fee_paid)}，等级购买 ${formatPpm(set.ceilings.level_purchased)}，交易 ${formatPpm(set.ceilings.transaction_settled)}）。`,
    `所有关系奖励最多计算到 ${set.reach} 代上级。`,
  ].filter((v): v is string => v !== null);
  return { version: set.version, sections, profitShare, limits, example: exampleOf(set) };
}

/** A worked example for the rules page: a ¥1,000.00 sale. */
function exampleOf(set: RuleSet): string | null {
  if (!set.profitShare.enabled) return null;
  const a = 100_000n;
  return `例如：下级商户一笔 ${yuan(a)} 的交易，您的费率为 4%、下级为 2% 时，您获得 ${yuan(mulPpm(a, 40_000 - 20_000))}（${positionNames[1]}）。`;
}
