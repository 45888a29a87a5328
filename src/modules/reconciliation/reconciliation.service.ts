import { desc, eq, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import { AppError, notFound } from '../../lib/errors.js';
import { parseFen } from '../../lib/money.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { channels } from '../channels/channels.schema.js';
import { reconciliationReports } from './reconciliation.schema.js';

/**
 * Reconciliation (对账): a channel's daily statement against the transactions
 * we received for that day. The statement is CSV with this header (extra
 * columns are ignored, order is free):
 *
 *   channel_txn_id,merchant_ref,amount_fen,status,occurred_at
 *
 * amount_fen in integer fen, status settled|refunded, occurred_at ISO 8601
 * with offset. The day is the business day in the platform time zone. The
 * report lists records only they have, only we have, and amount or status
 * differences; nothing is changed.
 */
export const statementColumns = ['channel_txn_id', 'merchant_ref', 'amount_fen', 'status', 'occurred_at'] as const;

export type DifferenceKind = 'missing_ours' | 'missing_theirs' | 'amount_mismatch' | 'status_mismatch' | 'invalid_line';

export interface Difference {
  kind: DifferenceKind;
  channelTxnId: string | null;
  line?: number;
  theirs?: { amountFen: string; status: string; merchantRef: string } | undefined;
  ours?: { amountFen: string; status: string; merchantRef: string } | undefined;
  message?: string;
}

/** Splits one CSV line, honouring double quotes ("" inside quotes is a quote). */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}

export async function reconcile(
  db: Db,
  audit: AuditContext,
  input: { channelId: string; day: string; csv: string; fileName?: string | null; timezone: string },
) {
  const [channel] = await db.select({ id: channels.id }).from(channels).where(eq(channels.id, input.channelId));
  if (!channel) throw notFound('Channel');
  const lines = input.csv.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.toLowerCase());
  const missing = statementColumns.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new AppError('BAD_REQUEST', `The statement lacks the column(s) ${missing.join(', ')}; expected ${statementColumns.join(',')}`);
  const col = Object.fromEntries(statementColumns.map((c) => [c, header.indexOf(c)])) as Record<(typeof statementColumns)[number], number>;

  const differences: Difference[] = [];
  const theirs = new Map<string, { amountFen: string; status: string; merchantRef: string }>();
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]!.trim()) continue;
    const cells = splitCsvLine(lines[i]!);
    const txnId = cells[col.channel_txn_id] ?? '';
    const status = cells[col.status] ?? '';
    let amount: bigint | null = null;
    try {
      amount = parseFen(cells[col.amount_fen] ?? '', { allowZero: false });
    } catch {
      amount = null;
    }
    if (!txnId || amount === null || (status !== 'settled' && status !== 'refunded') || Number.isNaN(Date.parse(cells[col.occurred_at] ?? ''))) {
      differences.push({ kind: 'invalid_line', channelTxnId: txnId || null, line: i + 1, message: 'expected channel_txn_id, a positive amount_fen, status settled|refunded and an ISO occurred_at' });
      continue;
    }
    theirs.set(txnId, { amountFen: amount.toString(), status, merchantRef: cells[col.merchant_ref] ?? '' });
  }

  const oursRows = await queryRows<{ channel_txn_id: string; amount: unknown; status: string; merchant_ref: string }>(db, sql`
    select channel_txn_id, amount, status, merchant_ref from channel_transactions
    where channel_id = ${input.channelId}
      and occurred_at >= (${input.day}::date)::timestamp at time zone ${input.timezone}
      and occurred_at < ((${input.day}::date + 1)::timestamp at time zone ${input.timezone})`);
  const ours = new Map(oursRows.map((r) => [r.channel_txn_id, { amountFen: String(r.amount), status: r.status, merchantRef: r.merchant_ref }]));

  // Records in their file that we hold under another day are not "missing": look them up by id.
  const onlyTheirs = [...theirs.keys()].filter((id) => !ours.has(id));
  if (onlyTheirs.length > 0) {
    const elsewhere = await queryRows<{ channel_txn_id: string; amount: unknown; status: string; merchant_ref: string }>(db, sql`
      select channel_txn_id, amount, status, merchant_ref from channel_transactions
      where channel_id = ${input.channelId} and channel_txn_id = any(${sql.param(onlyTheirs)}::text[])`);
    for (const r of elsewhere) ours.set(r.channel_txn_id, { amountFen: String(r.amount), status: r.status, merchantRef: r.merchant_ref });
  }

  let matched = 0;
  for (const [id, t] of theirs) {
    const o = ours.get(id);
    if (!o) differences.push({ kind: 'missing_ours', channelTxnId: id, theirs: t });
    else if (o.amountFen !== t.amountFen) differences.push({ kind: 'amount_mismatch', channelTxnId: id, theirs: t, ours: o });
    else if (o.status !== t.status) differences.push({ kind: 'status_mismatch', channelTxnId: id, theirs: t, ours: o });
    else matched++;
  }
  for (const r of oursRows) {
    if (!theirs.has(r.channel_txn_id)) differences.push({ kind: 'missing_theirs', channelTxnId: r.channel_txn_id, ours: ours.get(r.channel_txn_id) });
  }
  const counts = {
    theirRecords: theirs.size,
    ourRecords: oursRows.length,
    matched,
    missingOurs: differences.filter((d) => d.kind === 'missing_ours').length,
    missingTheirs: differences.filter((d) => d.kind === 'missing_theirs').length,
    amountMismatch: differences.filter((d) => d.kind === 'amount_mismatch').length,
    statusMismatch: differences.filter((d) => d.kind === 'status_mismatch').length,
    invalidLines: differences.filter((d) => d.kind === 'invalid_line').length,
  };
  return db.transaction(async (tx) => {
    const [report] = await tx
      .insert(reconciliationReports)
      .values({ channelId: input.channelId, day: input.day, fileName: input.fileName ?? null, createdBy: audit.actorId, counts, lines: differences })
      .returning();
    await recordAudit(tx, audit, { action: 'reconciliation.imported', targetType: 'reconciliation', targetId: report!.id, after: { channelId: input.channelId, day: input.day, counts } });
    return report!;
  });
}

export async function listReports(db: Db, channelId?: string) {
  return db
    .select({ id: reconciliationReports.id, channelId: reconciliationReports.channelId, day: reconciliationReports.day, fileName: reconciliationReports.fileName, counts: reconciliationReports.counts, createdAt: reconciliationReports.createdAt })
    .from(reconciliationReports)
    .where(channelId ? eq(reconciliationReports.channelId, channelId) : undefined)
    .orderBy(desc(reconciliationReports.id))
    .limit(200);
}

export async function getReport(db: Db, id: number) {
  const [report] = await db.select().from(reconciliationReports).where(eq(reconciliationReports.id, id));
  if (!report) throw notFound('Reconciliation report');
  return report;
}
