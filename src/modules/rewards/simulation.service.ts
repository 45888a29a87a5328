import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import type { Fen } from '../../lib/money.js';
import { PPM } from '../../lib/money.js';
import { type Trigger, triggers } from './definitions.js';
import { runEngine } from './engine.js';
import { eventOfRow } from './explain.service.js';
import { inputFromSnapshot, type InputSnapshot, readsPerformance, withPerformance } from './inputs.service.js';
import type { RuleSet } from './rule-set.js';

/**
 * Runs a draft and the published set side by side over a past period's
 * processed events, on the inputs stored with each event (levels, status,
 * and performance as they were when the active rules read it; otherwise the
 * event month's figures as they stand now), without writing anything. Caps count from
 * zero at the start of the period. Sales refunded since are left out: their
 * payouts were taken back.
 */
export const MAX_SIMULATION_DAYS = 93;
const PAGE = 5000;

interface Totals {
  count: number;
  totalFen: Fen;
  name?: string;
  level?: string;
}
const add = (m: Map<string, Totals>, key: string, fen: Fen, extra: { name?: string; level?: string } = {}) => {
  const t = m.get(key) ?? { count: 0, totalFen: 0n, ...extra };
  t.count += 1;
  t.totalFen += fen;
  m.set(key, t);
};

class Tally {
  totalFen = 0n;
  byRule = new Map<string, Totals>();
  byLevel = new Map<string, Totals>();
  byTrigger = new Map<string, Totals>();
  byMember = new Map<number, Fen>();
  usage = new Map<string, Fen>();
  cutFen = 0n;

  run(set: RuleSet, snapshot: InputSnapshot, event: ReturnType<typeof eventOfRow>) {
    const input = inputFromSnapshot(snapshot, event, set);
    const result = runEngine({ ...input, usage: this.usage }, { verdicts: false });
    for (const [k, v] of result.added) this.usage.set(k, (this.usage.get(k) ?? 0n) + v);
    for (const p of result.payouts) {
      this.totalFen += p.amountFen;
      this.cutFen += p.grossFen - p.amountFen;
      const rule = p.source.kind === 'rule' ? `rule:${p.source.ruleId}` : p.source.kind;
      add(this.byRule, rule, p.amountFen, { name: p.source.kind === 'rule' ? p.source.ruleName : p.source.kind === 'profit_share' ? '级差分润' : '平级奖' });
      const who = input.ancestors.find((a) => a.memberId === p.memberId)!;
      add(this.byLevel, String(who.rank), p.amountFen, { level: who.levelName });
      add(this.byTrigger, event.kind, p.amountFen);
      this.byMember.set(p.memberId, (this.byMember.get(p.memberId) ?? 0n) + p.amountFen);
    }
  }
}

const shareOf = (part: Fen, whole: Fen) => (whole > 0n ? Number((part * PPM) / whole) : 0);

export async function simulate(db: Db, timeZone: string, input: { draft: RuleSet; published: RuleSet; from: Date; to: Date }) {
  const days = (input.to.getTime() - input.from.getTime()) / 86_400_000;
  if (!(days > 0) || days > MAX_SIMULATION_DAYS) throw new AppError('BAD_REQUEST', `模拟区间必须在 1 到 ${MAX_SIMULATION_DAYS} 天之间`);
  const draft = new Tally();
  const published = new Tally();
  const volume = new Map<Trigger, { events: number; volumeFen: Fen }>(triggers.map((t) => [t, { events: 0, volumeFen: 0n }]));
  let after = 0;
  let events = 0;
  for (;;) {
    const rows = await queryRows<{ event_id: number | string; kind: string; member_id: number | string; base_fen: string; occurred_at: string | Date; inputs: InputSnapshot }>(db, sql`
      select event_id, kind, member_id, base_fen::text, occurred_at, inputs from reward_events
      where occurred_at >= ${input.from.toISOString()}::timestamptz and occurred_at < ${input.to.toISOString()}::timestamptz
        and kind <> 'transaction_refunded' and clawed_back_at is null and event_id > ${after}
      order by event_id limit ${PAGE}`);
    if (readsPerformance(input.draft) || readsPerformance(input.published)) {
      await withPerformance(db, rows.map((r) => ({ snapshot: r.inputs, month: eventOfRow(r, timeZone).month })));
    }
    for (const r of rows) {
      const event = eventOfRow(r, timeZone);
      const v = volume.get(event.kind)!;
      v.events += 1;
      v.volumeFen += event.baseFen;
      draft.run(input.draft, r.inputs, event);
      published.run(input.published, r.inputs, event);
    }
    events += rows.length;
    if (rows.length < PAGE) break;
    after = Number(rows.at(-1)!.event_id);
  }
  const totalVolume = [...volume.values()].reduce((s, v) => s + v.volumeFen, 0n);
  const names = await memberNames(db, topOf(draft.byMember, 10).map(([id]) => id));
  const side = (t: Tally) => ({
    totalFen: t.totalFen,
    shareOfVolumePpm: shareOf(t.totalFen, totalVolume),
    cutFen: t.cutFen,
    byRule: [...t.byRule].map(([key, v]) => ({ key, ...v })),
    byLevel: [...t.byLevel].map(([rank, v]) => ({ rank: Number(rank), ...v })).sort((a, b) => a.rank - b.rank),
    byTrigger: triggers.map((trigger) => {
      const v = volume.get(trigger)!;
      const paid = t.byTrigger.get(trigger)?.totalFen ?? 0n;
      return { trigger, events: v.events, volumeFen: v.volumeFen, totalFen: paid, shareOfVolumePpm: shareOf(paid, v.volumeFen) };
    }),
  });
  const d = side(draft);
  const p = side(published);
  const ruleKeys = [...new Set([...d.byRule.map((r) => r.key), ...p.byRule.map((r) => r.key)])];
  return {
    from: input.from,
    to: input.to,
    events,
    volumeFen: totalVolume,
    draftVersion: input.draft.version,
    publishedVersion: input.published.version,
    draft: d,
    published: p,
    difference: {
      totalFen: d.totalFen - p.totalFen,
      byRule: ruleKeys.map((key) => {
        const a = d.byRule.find((r) => r.key === key);
        const b = p.byRule.find((r) => r.key === key);
        return { key, name: String(a?.name ?? b?.name ?? key), draftFen: a?.totalFen ?? 0n, publishedFen: b?.totalFen ?? 0n, differenceFen: (a?.totalFen ?? 0n) - (b?.totalFen ?? 0n) };
      }),
    },
    topRecipients: topOf(draft.byMember, 10).map(([memberId, fen]) => ({ memberId, name: names.get(memberId) ?? '', draftFen: fen, publishedFen: published.byMember.get(memberId) ?? 0n })),
  };
}

const topOf = (m: Map<number, Fen>, n: number) => [...m].sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : a[0] - b[0])).slice(0, n);

async function memberNames(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ id: number | string; display_name: string }>(db, sql`select id, display_name from members where id = any(${`{${ids.join(',')}}`}::bigint[])`);
  return new Map(rows.map((r) => [Number(r.id), r.display_name]));
}
