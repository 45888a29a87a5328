import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { notFound } from '../../lib/errors.js';
import { toCsv } from '../../lib/http/csv.js';
import type { SettlementState } from './dividends.schema.js';
import type { Progress } from './settlement.service.js';

/** What staff and the CLI read of settlement runs: summaries with their tiers, the qualifiers with evidence, the CSV. */

const monthLabel = (month: string) => month.slice(0, 7);

export interface RunSummary {
  id: number;
  month: string;
  state: SettlementState;
  tiersVersion: number;
  volumeFen: string | null;
  payInto: 'available' | 'frozen';
  approvalRequired: boolean;
  progress: Partial<Progress>;
  createdAt: string;
  previewAt: string | null;
  approvedAt: string | null;
  paidAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  /** The end of the payout day; `late` once it has passed with the run unpaid. */
  payBy: string;
  late: boolean;
  tiers: { tierId: string; name: string; poolPpm: number; poolFen: string; qualifiers: number; shareFen: string; remainderFen: string; paidFen: string; paidAt: string | null }[];
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export async function runSummaries(db: Db, filter: { runId?: number; month?: string; limit?: number }): Promise<RunSummary[]> {
  const runs = await queryRows<Record<string, unknown>>(db, sql`
    select id, month::text as month, state, tiers_version, volume_fen::text, pay_into, approval_required, progress, created_at, preview_at, approved_at, paid_at, cancelled_at, cancel_reason,
      pay_by, state not in ('paid', 'cancelled') and now() > pay_by as late
    from settlement_runs
    where true ${filter.runId !== undefined ? sql`and id = ${filter.runId}` : sql``} ${filter.month ? sql`and month = ${filter.month}::date` : sql``}
    order by id desc limit ${filter.limit ?? 50}`);
  if (runs.length === 0) return [];
  const tiers = await queryRows<Record<string, unknown>>(db, sql`
    select run_id, tier_id, name, pool_ppm, pool_fen::text, qualifiers, share_fen::text, remainder_fen::text, paid_fen::text, paid_at
    from settlement_tiers where run_id = any(${`{${runs.map((r) => r.id).join(',')}}`}::bigint[]) order by pool_ppm desc, tier_id`);
  return runs.map((r) => ({
    id: Number(r.id),
    month: monthLabel(String(r.month)),
    state: r.state as SettlementState,
    tiersVersion: Number(r.tiers_version),
    volumeFen: (r.volume_fen as string | null) ?? null,
    payInto: r.pay_into as 'available' | 'frozen',
    approvalRequired: Number(r.approval_required) === 1,
    progress: r.progress as Partial<Progress>,
    createdAt: iso(r.created_at)!,
    previewAt: iso(r.preview_at),
    approvedAt: iso(r.approved_at),
    paidAt: iso(r.paid_at),
    cancelledAt: iso(r.cancelled_at),
    cancelReason: (r.cancel_reason as string | null) ?? null,
    payBy: iso(r.pay_by)!,
    late: r.late === true,
    tiers: tiers
      .filter((t) => Number(t.run_id) === Number(r.id))
      .map((t) => ({
        tierId: String(t.tier_id),
        name: String(t.name),
        poolPpm: Number(t.pool_ppm),
        poolFen: String(t.pool_fen),
        qualifiers: Number(t.qualifiers),
        shareFen: String(t.share_fen),
        remainderFen: String(t.remainder_fen),
        paidFen: String(t.paid_fen),
        paidAt: iso(t.paid_at),
      })),
  }));
}

export async function runSummary(db: Db, runId: number): Promise<RunSummary> {
  const [run] = await runSummaries(db, { runId });
  if (!run) throw notFound('Settlement run');
  return run;
}

export interface QualifierLine {
  tierId: string;
  memberId: number;
  displayName: string;
  phone: string;
  levelRank: number | null;
  shareFen: string;
  paid: boolean;
  evidence: { code: string; holds: boolean; actual: string; required: string; text: string }[];
}

/** A run's qualifiers (optionally of one tier), keyset-paginated by (tier, member). */
export async function qualifierLines(db: Db, runId: number, f: { tierId?: string; after?: { tierId: string; memberId: number }; limit: number }): Promise<{ items: QualifierLine[]; nextCursor: string | null }> {
  const rows = await queryRows<Record<string, unknown>>(db, sql`
    select q.tier_id, q.member_id, m.display_name, m.phone, q.level_rank, q.share_fen::text, t.paid_at, q.evidence
    from settlement_qualifiers q join members m on m.id = q.member_id
    join settlement_tiers t on t.run_id = q.run_id and t.tier_id = q.tier_id
    where q.run_id = ${runId} ${f.tierId ? sql`and q.tier_id = ${f.tierId}` : sql``}
      ${f.after ? sql`and (q.tier_id, q.member_id) > (${f.after.tierId}, ${f.after.memberId})` : sql``}
    order by q.tier_id, q.member_id limit ${f.limit + 1}`);
  const items = rows.slice(0, f.limit).map((r) => ({
    tierId: String(r.tier_id),
    memberId: Number(r.member_id),
    displayName: String(r.display_name),
    phone: String(r.phone),
    levelRank: r.level_rank === null ? null : Number(r.level_rank),
    shareFen: String(r.share_fen),
    // Paid with its tier (a share of 0 fen posts nothing but is settled all the same).
    paid: r.paid_at !== null,
    evidence: r.evidence as QualifierLine['evidence'],
  }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > f.limit && last ? `${last.tierId}:${last.memberId}` : null };
}

/** Phone numbers in exports are masked like everywhere staff read lists. */
const maskPhone = (p: string) => (p.length >= 7 ? `${p.slice(0, 3)}****${p.slice(-4)}` : p);

/** The preview as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese right). */
export async function qualifiersCsv(db: Db, runId: number): Promise<string> {
  const rows: string[][] = [];
  let after: { tierId: string; memberId: number } | undefined;
  for (;;) {
    const page = await qualifierLines(db, runId, { after, limit: 5000 });
    for (const q of page.items) {
      const yuan = `${BigInt(q.shareFen) / 100n}.${(BigInt(q.shareFen) % 100n).toString().padStart(2, '0')}`;
      rows.push([q.tierId, String(q.memberId), q.displayName, maskPhone(q.phone), q.levelRank === null ? '' : String(q.levelRank), yuan, q.paid ? '是' : '否', q.evidence.map((e) => e.text).join('；')]);
    }
    if (!page.nextCursor) break;
    after = { tierId: page.items.at(-1)!.tierId, memberId: page.items.at(-1)!.memberId };
  }
  // Member names are typed by members: the shared writer defuses cells a spreadsheet would run as formulas.
  return toCsv(['档位', '会员ID', '会员', '手机号', '等级序号', '分红(元)', '已发放', '依据'], rows);
}

