import { sql } from 'drizzle-orm';
import { type Db, intArrayLiteral, queryRows, queryRowsPrepared } from '../../db/client.js';
import type { Fen } from '../../lib/money.js';
import { readLadder } from '../levels/ladder.service.js';
import { levelOf } from '../levels/ladder.js';
import { performanceFacts } from '../performance/figures.service.js';
import { conditionByCode, type PerformanceSnapshot, type Person, type RewardEvent, zeroPerformance } from './definitions.js';
import { type EngineInput, usageKey } from './engine.js';
import type { RuleSet } from './rule-set.js';

/**
 * Gathers what the engine needs for a batch of events in a handful of
 * indexed reads (no tree walks: the nearest three ancestors are one column
 * of the member's tree row), and turns an engine input into the compact
 * snapshot stored with each event — and back, for replays and simulation.
 */

/** Whether any enabled condition reads performance figures: only then does a batch load them. */
export const readsPerformance = (set: RuleSet) =>
  [...set.rules.filter((r) => r.enabled).flatMap((r) => r.conditions), ...(set.profitShare.enabled ? set.profitShare.conditions : [])].some(
    (c) => conditionByCode.get(c.code)!.readsPerformance,
  );

export const hasCaps = (set: RuleSet) =>
  set.memberCaps.dailyFen !== null || set.memberCaps.monthlyFen !== null || set.rules.some((r) => r.enabled && (r.caps.dailyFen !== null || r.caps.monthlyFen !== null));

export interface BatchFacts {
  persons: Map<number, Person>;
  /** Nearest first, up to three. */
  ancestorsOf: Map<number, number[]>;
}

/** Members of the events and their ≤ 3 ancestors: levels, status, and (when a condition reads it) performance of each event's month. */
export async function loadBatchFacts(tx: Db, events: RewardEvent[]): Promise<BatchFacts> {
  const memberIds = [...new Set(events.map((e) => e.memberId))];
  // Everything comes from tree rows, which carry each member's level and status (see referrals.schema.ts):
  // the sellers' rows by key, then those of their nearest three ancestors not among them, in one statement.
  // The ancestors' ids go to the index as one array (a join could hash the whole table). One JSON row:
  // thousands of small rows cost the driver more to decode than the database to find.
  const [row] = await queryRowsPrepared<{ s: [number, number[], number | null, boolean][] | null; a: [number, number | null, boolean][] | null }>(tx, 'rewards_people_v4', sql`
    with s as materialized (
      select member_id, up3, level_id, status_active and onboarded as active from member_tree where member_id = any(${intArrayLiteral(memberIds)}::bigint[]))
    select (select json_agg(json_build_array(member_id, up3, level_id, active)) from s) as s,
      (select json_agg(json_build_array(member_id, level_id, status_active and onboarded)) from member_tree
       where member_id = any(array(select u from s, unnest(s.up3) as u except select member_id from s))) as a`);
  const ladder = await readLadder(tx);
  const persons = new Map<number, Person>();
  const ancestorsOf = new Map<number, number[]>();
  const person = (id: number, levelId: number | null, active: boolean) => {
    const level = levelOf(ladder, levelId);
    persons.set(id, { memberId: id, levelId: level.id, levelName: level.name, rank: level.rank, ratePpm: level.rateProfitSharePpm, active, performance: zeroPerformance });
  };
  for (const [memberId, up3, levelId, active] of row?.s ?? []) {
    ancestorsOf.set(memberId, up3.reverse());
    person(memberId, levelId, active);
  }
  for (const [memberId, levelId, active] of row?.a ?? []) person(memberId, levelId, active);
  return { persons, ancestorsOf };
}

/** Performance of the ancestors, per event month (events of one batch rarely span two months). */
export async function loadPerformance(tx: Db, facts: BatchFacts, events: RewardEvent[]): Promise<Map<string, Map<number, PerformanceSnapshot>>> {
  const byMonth = new Map<string, Set<number>>();
  for (const e of events) {
    const set = byMonth.get(e.month) ?? new Set<number>();
    for (const a of facts.ancestorsOf.get(e.memberId) ?? []) set.add(a);
    byMonth.set(e.month, set);
  }
  const out = new Map<string, Map<number, PerformanceSnapshot>>();
  for (const [month, ids] of byMonth) {
    const figures = await performanceFacts(tx, [...ids], month);
    const snapshots = new Map<number, PerformanceSnapshot>();
    for (const [id, f] of figures) {
      snapshots.set(id, {
        personalThisMonth: f.thisMonth.personalNet,
        personalLastMonth: f.lastMonth.personalNet,
        personalLifetime: f.lifetime.personalNet,
        teamThisMonth: f.thisMonth.teamNet,
        teamLastMonth: f.lastMonth.teamNet,
        teamLifetime: f.lifetime.teamNet,
      });
    }
    out.set(month, snapshots);
  }
  return out;
}

/** What the recipients have earned so far in the events' days and months, by rule and in total (only read when caps exist). */
export async function loadUsage(tx: Db, facts: BatchFacts, events: RewardEvent[]): Promise<Map<string, Fen>> {
  const ids = [...new Set(events.flatMap((e) => facts.ancestorsOf.get(e.memberId) ?? []))];
  const months = [...new Set(events.map((e) => e.month))];
  const usage = new Map<string, Fen>();
  if (ids.length === 0) return usage;
  const rows = await queryRows<{ member_id: number | string; rule_id: string | null; day: string; month: string; amount: string }>(tx, sql`
    select member_id, rule_id, day::text as day, month::text as month, sum(amount_fen)::text as amount
    from reward_payouts
    where member_id = any(${intArrayLiteral(ids)}::bigint[]) and month = any(${sql.param(months)}::date[]) and clawed_back_at is null
    group by member_id, rule_id, day, month`);
  const add = (key: string, fen: Fen) => usage.set(key, (usage.get(key) ?? 0n) + fen);
  for (const r of rows) {
    const fen = BigInt(r.amount);
    const m = Number(r.member_id);
    add(usageKey(m, 'total', 'day', r.day), fen);
    add(usageKey(m, 'total', 'month', r.month), fen);
    if (r.rule_id) {
      add(usageKey(m, `rule:${r.rule_id}`, 'day', r.day), fen);
      add(usageKey(m, `rule:${r.rule_id}`, 'month', r.month), fen);
    }
  }
  return usage;
}

// ---------------------------------------------------------------- snapshots

export type PersonJson = [id: number, levelId: number, levelName: string, rank: number, ratePpm: number, active: 0 | 1, perf?: string[]];
export interface InputSnapshot {
  member: PersonJson;
  ancestors: PersonJson[];
  usage: Record<string, string>;
}

const perfKeys = ['personalThisMonth', 'personalLastMonth', 'personalLifetime', 'teamThisMonth', 'teamLastMonth', 'teamLifetime'] as const;

function personJson(p: Person, withPerformance: boolean): PersonJson {
  const base: PersonJson = [p.memberId, p.levelId, p.levelName, p.rank, p.ratePpm, p.active ? 1 : 0];
  if (withPerformance) base.push(perfKeys.map((k) => p.performance[k].toString()));
  return base;
}

function personOf(j: PersonJson): Person {
  const perf = j[6];
  return {
    memberId: j[0],
    levelId: j[1],
    levelName: j[2],
    rank: j[3],
    ratePpm: j[4],
    active: j[5] === 1,
    performance: perf ? (Object.fromEntries(perfKeys.map((k, i) => [k, BigInt(perf[i]!)])) as unknown as PerformanceSnapshot) : zeroPerformance,
  };
}

/** Adds performance figures to snapshot persons stored without them (the rules then read none), for a draft that reads them. */
export async function withPerformance(db: Db, items: { snapshot: InputSnapshot; month: string }[]): Promise<void> {
  const byMonth = new Map<string, PersonJson[]>();
  for (const { snapshot, month } of items) for (const a of snapshot.ancestors) if (!a[6]) byMonth.set(month, [...(byMonth.get(month) ?? []), a]);
  for (const [month, persons] of byMonth) {
    const figures = await performanceFacts(db, [...new Set(persons.map((p) => p[0]))], month);
    for (const p of persons) {
      const f = figures.get(p[0])!;
      p[6] = [f.thisMonth.personalNet, f.lastMonth.personalNet, f.lifetime.personalNet, f.thisMonth.teamNet, f.lastMonth.teamNet, f.lifetime.teamNet].map(String);
    }
  }
}

/** The usage values this event could read: its ancestors' totals and the caps of its trigger's rules. */
export function snapshotOf(input: EngineInput, withPerformance: boolean): InputSnapshot {
  const usage: Record<string, string> = {};
  if (input.usage.size > 0) {
    const { event, ruleSet } = input;
    const scopes = ['total', ...ruleSet.rules.filter((r) => r.trigger === event.kind).map((r) => `rule:${r.id}`)];
    for (const a of input.ancestors)
      for (const scope of scopes)
        for (const [kind, period] of [['day', event.day], ['month', event.month]] as const) {
          const key = usageKey(a.memberId, scope as 'total' | `rule:${string}`, kind, period);
          const v = input.usage.get(key);
          if (v) usage[key] = v.toString();
        }
  }
  return { member: personJson(input.member, false), ancestors: input.ancestors.map((a) => personJson(a, withPerformance)), usage };
}

export function inputFromSnapshot(s: InputSnapshot, event: RewardEvent, ruleSet: RuleSet): EngineInput {
  return {
    event,
    member: personOf(s.member),
    ancestors: s.ancestors.map(personOf),
    ruleSet,
    usage: new Map(Object.entries(s.usage).flatMap(([k, v]) => currentUsageKeys(k, event).map((key) => [key, BigInt(v)] as const))),
  };
}

/**
 * Snapshots stored before usage keys named their period's kind wrote `member|scope|YYYY-MM-DD` for both.
 * A replay reads such a key as the event's day, its month, or (on the 1st, where the engine then looked
 * both up under that one key) both, so it sees what the engine saw.
 */
function currentUsageKeys(key: string, event: RewardEvent): string[] {
  const m = /^(\d+)\|(total|rule:.+)\|(\d{4}-\d{2}-\d{2})$/.exec(key);
  if (!m) return [key];
  const [, member, scope, period] = m as unknown as [string, string, 'total' | `rule:${string}`, string];
  const keys: string[] = [];
  if (period === event.day) keys.push(usageKey(Number(member), scope, 'day', period));
  if (period === event.month) keys.push(usageKey(Number(member), scope, 'month', period));
  return keys.length > 0 ? keys : [key];
}
