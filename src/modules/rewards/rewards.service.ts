import { sql } from 'drizzle-orm';
import { type Db, intArrayLiteral, queryRows, textArrayLiteral } from '../../db/client.js';
import type { Fen } from '../../lib/money.js';
import { type EntryInput, postBatch, reserveEntryIds } from '../ledger/ledger.service.js';
import { dayOf } from '../levels/level-jobs.js';
import type { DomainEvents } from '../outbox/events.js';
import { consumeEvents, drainConsumer, type OutboxEvent } from '../outbox/outbox.service.js';
import { monthOf } from '../performance/performance.service.js';
import { clawback } from '../wallets/wallets.service.js';
import { MAX_REACH, type PerformanceSnapshot, type RewardEvent, type Trigger } from './definitions.js';
import { type EngineInput, type EngineResult, runEngine } from './engine.js';
import { type BatchFacts, hasCaps, type InputSnapshot, loadBatchFacts, loadPerformance, loadUsage, readsPerformance, snapshotOf } from './inputs.service.js';
import type { RuleSet } from './rule-set.js';
import { activeRuleSet } from './rule-sets.service.js';

/**
 * Applies reward events exactly once in effect: the outbox hands a batch to
 * this consumer and moves its cursor in the same transaction as the ledger
 * entries, frozen lots, payout lines and event records written here, so a
 * crash anywhere leaves each event fully applied or not at all. Every entry
 * also carries the key `reward:<event id>`, so even a replayed batch cannot
 * pay twice.
 */
export const REWARDS_CONSUMER = 'rewards';
const rewardEventTypes = ['transaction_settled', 'transaction_refunded', 'onboarding_fee_paid', 'level_purchased'] as const;
type RewardEventType = (typeof rewardEventTypes)[number];
type AnyRewardEvent = OutboxEvent<DomainEvents[RewardEventType]>;

/** Where the ledger entry points: the sale, the fee order or the purchase order (what a clawback reverses). */
export const ledgerSourceOf = (kind: Trigger, e: AnyRewardEvent): { sourceType: string; sourceId: string } => {
  if (kind === 'transaction_settled') return { sourceType: 'channel_transaction', sourceId: String((e.payload as DomainEvents['transaction_settled']).transactionId) };
  return { sourceType: kind === 'onboarding_fee_paid' ? 'onboarding_fee' : 'level_purchase', sourceId: String((e.payload as DomainEvents['level_purchased']).orderId) };
};

/** Day and month of a time in the platform zone, memoised per minute (zone offsets are whole minutes; Intl is slow per call). */
const periodCache = new Map<string, { day: string; month: string }>();
export function periodsOf(at: Date, timeZone: string): { day: string; month: string } {
  const key = `${timeZone}|${Math.floor(at.getTime() / 60_000)}`;
  let hit = periodCache.get(key);
  if (!hit) {
    if (periodCache.size > 10_000) periodCache.clear();
    hit = { day: dayOf(at, timeZone), month: monthOf(at, timeZone) };
    periodCache.set(key, hit);
  }
  return hit;
}

export function rewardEventOf(e: AnyRewardEvent, timeZone: string): RewardEvent {
  const kind = e.type as Trigger;
  const p = e.payload as { memberId: number; amountFen: string; occurredAt?: string; paidAt?: string };
  const occurredAt = new Date(p.occurredAt ?? p.paidAt ?? e.createdAt);
  return { id: e.id, kind, baseFen: BigInt(p.amountFen), memberId: p.memberId, occurredAt, ...periodsOf(occurredAt, timeZone) };
}

// Sales of batch pushes were paid in their push's transaction (see setSalesStoredHandler): the cursor passes them unread.
const inlineSkipped = { skipAppliedInline: true };

export async function consumeRewards(db: Db, timeZone: string, limit = 1000): Promise<number> {
  return consumeEvents(db, REWARDS_CONSUMER, [...rewardEventTypes], (tx, events) => applyRewardEvents(tx, events as AnyRewardEvent[], timeZone), limit, inlineSkipped);
}

/** Processes everything committed so far (waiting up to maxWaitMs for transactions still running). */
export const drainRewards = (db: Db, timeZone: string, maxWaitMs = 30_000) =>
  drainConsumer(db, REWARDS_CONSUMER, [...rewardEventTypes], () => consumeRewards(db, timeZone), maxWaitMs, inlineSkipped);

/** In order: runs of payable events are computed and written together; a refund first flushes what came before it. */
export async function applyRewardEvents(tx: Db, events: AnyRewardEvent[], timeZone: string): Promise<void> {
  const set = await activeRuleSet(tx);
  let run: AnyRewardEvent[] = [];
  for (const e of events) {
    if (e.type !== 'transaction_refunded') {
      run.push(e);
      continue;
    }
    await payRun(tx, set, run, timeZone);
    run = [];
    await clawBackRefund(tx, set, e as OutboxEvent<DomainEvents['transaction_refunded']>, timeZone);
  }
  await payRun(tx, set, run, timeZone);
}

interface Computed {
  source: AnyRewardEvent;
  event: RewardEvent;
  input: EngineInput;
  /** Taken before this event's payouts count against the caps: what the engine saw. */
  snapshot: InputSnapshot;
  result: EngineResult;
}

/** Runs the engine over events in order, each seeing the caps usage the earlier ones added. */
export function computeRun(
  set: RuleSet,
  events: { source: AnyRewardEvent; event: RewardEvent }[],
  facts: BatchFacts,
  /** Per month, per member; null when no condition reads performance. */
  performance: Map<string, Map<number, PerformanceSnapshot>> | null,
  usage: Map<string, Fen> | null,
): Computed[] {
  const out: Computed[] = [];
  for (const { source, event } of events) {
    const member = facts.persons.get(event.memberId);
    if (!member) continue;
    const month = performance?.get(event.month);
    const ancestors = (facts.ancestorsOf.get(event.memberId) ?? [])
      // All of them (up to three), not just the set's reach: the engine looks no further than the reach, and the
      // stored inputs then let a draft that reaches further be simulated on this event.
      .slice(0, MAX_REACH)
      .flatMap((id) => {
        const p = facts.persons.get(id);
        const f = month?.get(id);
        return p ? [f ? { ...p, performance: f } : p] : [];
      });
    const input: EngineInput = { event, member, ancestors, ruleSet: set, usage: usage ?? new Map() };
    // Verdicts off: only payouts are stored; a why-query replays the event with them (explain.service.ts).
    const result = runEngine(input, { verdicts: false });
    out.push({ source, event, input, snapshot: snapshotOf(input, performance !== null), result });
    if (usage) for (const [k, v] of result.added) usage.set(k, (usage.get(k) ?? 0n) + v);
  }
  return out;
}

async function payRun(tx: Db, set: RuleSet, sources: AnyRewardEvent[], timeZone: string): Promise<void> {
  if (sources.length === 0) return;
  const events = sources.map((source) => ({ source, event: rewardEventOf(source, timeZone) }));
  const facts = await loadBatchFacts(tx, events.map((e) => e.event));
  // Only when a condition reads them; a simulation of a draft that does fills them in from the month's figures.
  const performance = readsPerformance(set) ? await loadPerformance(tx, facts, events.map((e) => e.event)) : null;
  let usage: Map<string, Fen> | null = null;
  if (hasCaps(set)) {
    // Caps read what was paid so far: lock the recipients' wallets first (ascending, as every poster does), so a
    // concurrent push paying the same member waits and then reads our payouts instead of the same old total.
    const recipients = [...new Set(events.flatMap((e) => facts.ancestorsOf.get(e.event.memberId) ?? []))].sort((a, b) => a - b);
    if (recipients.length) await tx.execute(sql`select 1 from wallets where member_id = any(${intArrayLiteral(recipients)}::bigint[]) order by member_id for update`);
    usage = await loadUsage(tx, facts, events.map((e) => e.event));
  }
  const computed = computeRun(set, events, facts, performance, usage);
  await writeRun(tx, set, computed);
}

/**
 * Writes a run's payouts. The ledger entry is posted last: it locks the
 * recipients' wallet rows, and members near the top of the tree are paid by
 * nearly every batch, so concurrent pushes would otherwise queue behind each
 * other's remaining inserts. The entry ids are reserved first, so the payout
 * lines, frozen lots and event records can point at their entry before it
 * is posted.
 */
async function writeRun(tx: Db, set: RuleSet, computed: Computed[]): Promise<void> {
  const paying = computed.filter((c) => c.result.payouts.length > 0);
  const ids = await reserveEntryIds(tx, paying.length);
  const entryOf = new Map<number, number>(paying.map((c, i) => [c.event.id, ids[i]!]));
  // One credit per member per event (a member paid twice by one event, e.g. a rule and profit share, gets one posting and one lot).
  const perMemberOf = paying.map((c) => {
    const perMember = new Map<number, Fen>();
    for (const p of c.result.payouts) perMember.set(p.memberId, (perMember.get(p.memberId) ?? 0n) + p.amountFen);
    return perMember;
  });
  const entries: EntryInput[] = paying.map((c, i) => {
    const perMember = perMemberOf[i]!;
    return {
      id: ids[i]!,
      idempotencyKey: `reward:${c.event.id}`,
      kind: 'reward',
      ...ledgerSourceOf(c.event.kind, c.source),
      memo: `奖励：${c.result.payouts.length === 1 ? c.result.payouts[0]!.text.split(' · ').slice(0, 2).join(' · ') : `${c.result.payouts.length} 笔`}`,
      postings: [
        ...[...perMember].map(([memberId, amount]) => ({ account: set.freezeDays > 0 ? ('wallet:frozen' as const) : ('wallet:available' as const), memberId, amount })),
        { account: 'rewards:expense' as const, amount: -c.result.totalFen },
      ],
    };
  });

  // Columns travel as array literals (and the engine inputs as one JSON array): a JSON document with a
  // key per value was three times the bytes, and the bytes are what both sides pay for.
  const payouts = paying.flatMap((c, i) => c.result.payouts.map((p) => ({ eord: i + 1, c, p })));
  const cutsOf = (p: (typeof payouts)[number]['p']) => (p.cuts.length ? JSON.stringify(p.cuts.map((x) => ({ kind: x.kind, fen: x.fen.toString(), roomFen: x.roomFen.toString() }))) : null);
  // Frozen lots, one per entry (it holds the entry's frozen postings): what the release job frees and a clawback takes back.
  const lots = set.freezeDays > 0 ? ids : [];
  if (computed.length > 0) {
    // Payout lines, lots and event records in one statement: one round trip, one plan. A payout names its
    // event by position in the paying events (eord); the event's trigger, periods and entry come from there.
    // Its words are not stored: statements say them from these columns (payoutText).
    // Callers pass only events without a record (the consumer skips those paid by their push), so every one is new.
    await tx.execute(sql`
      with pe as (
        select * from unnest(${intArrayLiteral(paying.map((c) => c.event.id))}::bigint[], ${textArrayLiteral(paying.map((c) => c.event.kind))}::text[],
          ${textArrayLiteral(paying.map((c) => c.event.day))}::date[], ${textArrayLiteral(paying.map((c) => c.event.month))}::date[],
          ${intArrayLiteral(ids)}::bigint[]) with ordinality as t(event_id, kind, day, month, entry_id, eord)),
      pp as (
        select * from unnest(${intArrayLiteral(payouts.map((x) => x.eord))}::int[], ${intArrayLiteral(payouts.map((x) => x.p.memberId))}::bigint[],
          ${intArrayLiteral(payouts.map((x) => x.p.generation))}::smallint[], ${textArrayLiteral(payouts.map((x) => x.p.source.kind))}::text[],
          ${textArrayLiteral(payouts.map((x) => (x.p.source.kind === 'rule' ? x.p.source.ruleId : null)))}::text[],
          ${intArrayLiteral(payouts.map((x) => x.p.baseFen))}::bigint[], ${intArrayLiteral(payouts.map((x) => x.p.ratePpm))}::int[],
          ${intArrayLiteral(payouts.map((x) => x.p.fixedFen))}::bigint[], ${intArrayLiteral(payouts.map((x) => x.p.grossFen))}::bigint[],
          ${intArrayLiteral(payouts.map((x) => x.p.amountFen))}::bigint[], ${textArrayLiteral(payouts.map((x) => cutsOf(x.p)))}::jsonb[],
          ${intArrayLiteral(payouts.map((x) => x.c.input.ancestors.find((a) => a.memberId === x.p.memberId)!.rank))}::int[])
          with ordinality as t(eord, member_id, generation, kind, rule_id, base_fen, rate_ppm, fixed_fen, gross_fen, amount_fen, cuts, level_rank, pord)),
      payouts as (
        insert into reward_payouts (event_id, member_id, generation, kind, rule_id, version, trigger, base_fen, rate_ppm, fixed_fen, gross_fen, amount_fen, cuts, entry_id, day, month, level_rank)
        select pe.event_id, pp.member_id, pp.generation, pp.kind, pp.rule_id, ${set.version}::int, pe.kind, pp.base_fen, pp.rate_ppm, pp.fixed_fen, pp.gross_fen,
          pp.amount_fen, pp.cuts, pe.entry_id, pe.day, pe.month, pp.level_rank
        from pp join pe on pe.eord = pp.eord order by pp.pord
        returning 1),
      lots as (
        insert into frozen_lots (entry_id, release_at)
        select e, now() + make_interval(days => ${set.freezeDays}::int) from unnest(${intArrayLiteral(lots)}::bigint[]) as e
        returning 1),
      ev as (
        select * from unnest(${intArrayLiteral(computed.map((c) => c.event.id))}::bigint[], ${textArrayLiteral(computed.map((c) => c.event.kind))}::text[],
          ${textArrayLiteral(computed.map((c) => c.source.subject))}::text[], ${intArrayLiteral(computed.map((c) => c.event.memberId))}::bigint[],
          ${intArrayLiteral(computed.map((c) => c.event.baseFen))}::bigint[], ${textArrayLiteral(computed.map((c) => c.event.occurredAt.toISOString()))}::timestamptz[],
          ${intArrayLiteral(computed.map((c) => c.result.totalFen))}::bigint[], ${intArrayLiteral(computed.map((c) => entryOf.get(c.event.id) ?? null))}::bigint[])
          with ordinality as t(event_id, kind, subject, member_id, base_fen, occurred_at, total_fen, entry_id, ord)),
      inp as (select value, ord from json_array_elements(${JSON.stringify(computed.map((c) => c.snapshot))}::json) with ordinality as j(value, ord))
      insert into reward_events (event_id, kind, subject, member_id, base_fen, occurred_at, version, inputs, total_fen, entry_id)
      select ev.event_id, ev.kind, ev.subject, ev.member_id, ev.base_fen, ev.occurred_at, ${set.version}::int, inp.value, ev.total_fen, ev.entry_id
      from ev join inp on inp.ord = ev.ord order by ev.ord`);
  }
  // New keys: every event here has no record yet (its record goes in above, and the primary key would refuse a
  // second), so its entry cannot exist either; one that did would mean an event paid before without its record,
  // and postBatch then refuses rather than write lines twice.
  await postBatch(tx, entries, { newKeys: true });
}

/**
 * A refund reverses every payout its sale produced (SPEC §9): from frozen
 * while the lot is open, else from available (which may go negative). The
 * first refund of a sale reverses it all; later partial refunds of the same
 * sale find nothing left to reverse.
 */
async function clawBackRefund(tx: Db, set: RuleSet, e: OutboxEvent<DomainEvents['transaction_refunded']>, timeZone: string): Promise<void> {
  const p = e.payload;
  const [sale] = await queryRows<{ id: number | string }>(tx, sql`
    select id from channel_transactions where channel_id = ${p.channelId} and channel_txn_id = ${p.originalTxnId}`);
  let reversed = 0n;
  let entryId: number | null = null;
  if (sale) {
    // The sale's event record, read once: its reward entry is what the clawback reverses (the ledger does not
    // index reward entries by source), and the record is then marked by its key.
    const [paid] = await queryRows<{ event_id: number | string; entry_id: number | string | null }>(tx, sql`
      select event_id, entry_id from reward_events where subject = ${`channel_transaction:${sale.id}`} and kind = 'transaction_settled'`);
    const result = await clawback(tx, {
      sourceType: 'channel_transaction',
      sourceId: String(sale.id),
      rewardEntryIds: paid && paid.entry_id !== null ? [Number(paid.entry_id)] : [],
      memo: `交易 ${p.originalTxnId} 退款，收回该笔交易产生的奖励`,
    });
    if (result.created) {
      reversed = result.reversed;
      entryId = result.entryId;
    }
    // The sale's event is marked on its first refund even when it paid nothing (then there is nothing to take
    // back and no clawback entry): simulations and caps leave refunded sales out by this mark.
    if (paid) {
      await tx.execute(sql`
        with ev as (
          update reward_events set clawed_back_at = now(), clawback_entry_id = ${entryId}
          where event_id = ${paid.event_id} and clawed_back_at is null returning entry_id)
        update reward_payouts set clawed_back_at = now() where entry_id in (select entry_id from ev)`);
    }
  }
  const event = rewardEventOf(e as AnyRewardEvent, timeZone);
  await tx.execute(sql`
    insert into reward_events (event_id, kind, subject, member_id, base_fen, occurred_at, version, inputs, total_fen, entry_id)
    values (${e.id}, 'transaction_refunded', ${e.subject}, ${p.memberId}, ${p.amountFen}::bigint, ${event.occurredAt.toISOString()}::timestamptz, ${set.version},
      ${JSON.stringify({ refundOf: sale ? `channel_transaction:${sale.id}` : null })}::json, ${(-reversed).toString()}::bigint, ${entryId})
    on conflict (event_id) do nothing`);
}
