import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { formatYuan } from '../../lib/money.js';

/** A member's dividends once their run is being paid (a preview may still be cancelled): month, tier, share, paid or not, and the conditions it met. */
export async function memberDividends(db: Db, memberId: number) {
  const rows = await queryRows<Record<string, unknown>>(db, sql`
    select r.month::text as month, r.state, q.tier_id, t.name, q.share_fen::text, t.paid_at, q.evidence
    from settlement_qualifiers q
    join settlement_runs r on r.id = q.run_id and r.state in ('paying', 'paid')
    join settlement_tiers t on t.run_id = q.run_id and t.tier_id = q.tier_id
    where q.member_id = ${memberId}
    order by r.month desc, t.pool_ppm desc limit 120`);
  return rows.map((r) => ({
    month: String(r.month).slice(0, 7),
    tierId: String(r.tier_id),
    tierName: String(r.name),
    shareFen: String(r.share_fen),
    paid: r.paid_at !== null,
    runState: String(r.state),
    conditions: (r.evidence as { text: string; holds: boolean }[]).map((e) => e.text),
  }));
}

export interface MonthlyReport {
  month: string;
  volumeFen: string;
  payouts: { type: 'rule' | 'profit_share' | 'peer_bonus' | 'dividend'; fen: string }[];
  byLevel: { levelRank: number | null; type: string; fen: string }[];
  totalFen: string;
  /** Payouts as ppm of the volume (null with no volume). */
  shareOfVolumePpm: number | null;
}

/**
 * One month in figures (SPEC §8 reports): the platform volume, what was paid
 * for it by type — reward rules, profit share, peer bonus (less what refunds
 * clawed back), and the dividends of the month's settlement — by level, and
 * as a share of the volume.
 */
export async function monthlyReport(db: Db, month: string): Promise<MonthlyReport> {
  const [v] = await queryRows<{ volume: string }>(db, sql`
    select coalesce(sum(personal_settled - personal_refunded), 0)::text as volume from member_performance where month = ${month}::date`);
  const rows = await queryRows<{ type: string; level_rank: number | null; fen: string }>(db, sql`
    select kind as type, level_rank, sum(amount_fen)::text as fen from reward_payouts
    where month = ${month}::date and clawed_back_at is null group by kind, level_rank
    union all
    select 'dividend', q.level_rank, sum(q.share_fen)::text from settlement_qualifiers q
    join settlement_runs r on r.id = q.run_id and r.month = ${month}::date and r.state <> 'cancelled'
    where q.entry_id is not null group by q.level_rank`);
  const types = ['rule', 'profit_share', 'peer_bonus', 'dividend'] as const;
  const byType = new Map<string, bigint>(types.map((t) => [t, 0n]));
  for (const r of rows) byType.set(r.type, (byType.get(r.type) ?? 0n) + BigInt(r.fen));
  const total = [...byType.values()].reduce((a, b) => a + b, 0n);
  const volume = BigInt(v!.volume);
  return {
    month: month.slice(0, 7),
    volumeFen: volume.toString(),
    payouts: types.map((type) => ({ type, fen: byType.get(type)!.toString() })),
    byLevel: rows
      .map((r) => ({ levelRank: r.level_rank === null ? null : Number(r.level_rank), type: r.type, fen: r.fen }))
      .sort((a, b) => (a.levelRank ?? 0) - (b.levelRank ?? 0) || a.type.localeCompare(b.type)),
    totalFen: total.toString(),
    shareOfVolumePpm: volume > 0n ? Number((total * 1_000_000n) / volume) : null,
  };
}

const typeNames: Record<string, string> = { rule: '奖励规则', profit_share: '级差分润', peer_bonus: '平级奖', dividend: '分红' };

export function monthlyReportCsv(r: MonthlyReport): string {
  const lines = ['月份,项目,等级序号,金额(元)'];
  lines.push(`${r.month},平台交易额,,${formatYuan(BigInt(r.volumeFen))}`);
  for (const p of r.payouts) lines.push(`${r.month},${typeNames[p.type]},,${formatYuan(BigInt(p.fen))}`);
  for (const l of r.byLevel) lines.push(`${r.month},${typeNames[l.type] ?? l.type},${l.levelRank ?? ''},${formatYuan(BigInt(l.fen))}`);
  lines.push(`${r.month},合计发放,,${formatYuan(BigInt(r.totalFen))}`);
  lines.push(`${r.month},发放占交易额,,${r.shareOfVolumePpm === null ? '' : `${(r.shareOfVolumePpm / 10_000).toFixed(2)}%`}`);
  return `\uFEFF${lines.join('\n')}\n`;
}
