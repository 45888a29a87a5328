import { and, asc, eq, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db/client.js';
import type { FieldCipher } from '../../lib/crypto.js';
import { AppError, notFound } from '../../lib/errors.js';
import { formatYuan } from '../../lib/money.js';
import { type AuditContext, recordAudit } from '../audit/audit.service.js';
import { toCsv } from '../../lib/http/csv.js';
import { payoutBatches, withdrawals } from './withdrawals.schema.js';
import { applyWithdrawalTransition, lockWithdrawal } from './withdrawals.service.js';

/**
 * Bank transfer by file: finance puts approved withdrawals into a batch (they
 * become "paying"), downloads the CSV for the bank, and later imports the
 * bank's results file, which marks each one paid or failed.
 */
export async function createPayoutBatch(db: Db, audit: AuditContext, limit = 500) {
  return db.transaction(async (tx) => {
    const rows = await queryRows<{ id: string | number }>(tx, sql`
      select id from withdrawals where status = 'approved' and channel = 'bank_batch'
      order by id limit ${limit} for update skip locked`);
    if (rows.length === 0) throw new AppError('CONFLICT', 'No approved bank withdrawals are waiting for a batch');
    const [batch] = await tx.insert(payoutBatches).values({ createdBy: audit.actorId, count: rows.length, total: 0n }).returning();
    let total = 0n;
    for (const r of rows) {
      const w = await lockWithdrawal(tx, Number(r.id));
      await applyWithdrawalTransition(tx, w, 'paying', audit, { batchId: batch!.id });
      total += w.net;
    }
    const [updated] = await tx.update(payoutBatches).set({ total }).where(eq(payoutBatches.id, batch!.id)).returning();
    await recordAudit(tx, audit, { action: 'payout_batch.created', targetType: 'payout_batch', targetId: batch!.id, after: { count: rows.length, total: total.toString() } });
    return updated!;
  });
}

export const batchFileHeader = ['withdrawal_id', 'payee_name', 'payee_bank', 'payee_account', 'amount_yuan', 'memo'];

/** The transfer file for the bank. It holds full account numbers, so every download is audited. */
export async function exportPayoutBatch(db: Db, cipher: FieldCipher, audit: AuditContext, batchId: number): Promise<string> {
  const [batch] = await db.select().from(payoutBatches).where(eq(payoutBatches.id, batchId));
  if (!batch) throw notFound('Payout batch');
  const rows = await db.select().from(withdrawals).where(eq(withdrawals.batchId, batchId)).orderBy(asc(withdrawals.id));
  await recordAudit(db, audit, { action: 'payout_batch.exported', targetType: 'payout_batch', targetId: batchId, after: { count: rows.length } });
  return toCsv(
    batchFileHeader,
    rows.map((w) => [w.id, w.payeeName, w.payeeBank, cipher.decrypt(w.payeeAccountEnc), formatYuan(w.net), `商联提现 #${w.id}`]),
  );
}

export type ResultOutcome = 'paid' | 'failed' | 'unchanged' | 'conflict' | 'not_in_batch' | 'invalid';

export interface ResultLine {
  line: number;
  withdrawalId: number | null;
  outcome: ResultOutcome;
  message: string;
}

/**
 * Imports the bank's results: `withdrawal_id,result,bank_reference,message`
 * with result `success` or `failed`. Each line is applied on its own, so a bad
 * line never blocks good ones; importing the same file again changes nothing.
 */
export async function importPayoutResults(db: Db, audit: AuditContext, batchId: number, csv: string): Promise<ResultLine[]> {
  const [batch] = await db.select().from(payoutBatches).where(eq(payoutBatches.id, batchId));
  if (!batch) throw notFound('Payout batch');
  const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim());
  const header = lines[0]?.split(',').map((h) => h.trim().toLowerCase());
  if (!header || header.join(',') !== 'withdrawal_id,result,bank_reference,message') {
    throw new AppError('BAD_REQUEST', 'The first line must be: withdrawal_id,result,bank_reference,message');
  }
  const report: ResultLine[] = [];
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i]!;
    if (!text) continue;
    const [idText = '', result = '', reference = '', ...rest] = text.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const message = rest.join(',');
    const id = /^\d{1,15}$/.test(idText) ? Number(idText) : null;
    if (id === null || (result !== 'success' && result !== 'failed')) {
      report.push({ line: i + 1, withdrawalId: id, outcome: 'invalid', message: 'expected a withdrawal id and result success or failed' });
      continue;
    }
    report.push(
      await db.transaction(async (tx) => {
        const [w] = await tx.select().from(withdrawals).where(and(eq(withdrawals.id, id), eq(withdrawals.batchId, batchId))).for('update');
        if (!w) return { line: i + 1, withdrawalId: id, outcome: 'not_in_batch' as const, message: `withdrawal ${id} is not in batch ${batchId}` };
        const wanted = result === 'success' ? 'paid' : 'failed';
        if (w.status === wanted) return { line: i + 1, withdrawalId: id, outcome: 'unchanged' as const, message: `already ${wanted}` };
        if (w.status !== 'paying') {
          return { line: i + 1, withdrawalId: id, outcome: 'conflict' as const, message: `withdrawal is ${w.status}; the file says ${result}` };
        }
        await applyWithdrawalTransition(tx, w, wanted, audit, wanted === 'paid' ? { channelRef: reference || null } : { reason: message || '银行退回' });
        return { line: i + 1, withdrawalId: id, outcome: wanted, message: wanted === 'paid' ? `paid, bank reference ${reference}` : `failed: ${message || '银行退回'}` };
      }),
    );
  }
  await db.update(payoutBatches).set({ resultsImportedAt: sql`now()` }).where(eq(payoutBatches.id, batchId));
  await recordAudit(db, audit, {
    action: 'payout_batch.results_imported',
    targetType: 'payout_batch',
    targetId: batchId,
    after: Object.fromEntries(['paid', 'failed', 'unchanged', 'conflict', 'not_in_batch', 'invalid'].map((o) => [o, report.filter((r) => r.outcome === o).length])),
  });
  return report;
}

export async function listPayoutBatches(db: Db) {
  return db.select().from(payoutBatches).orderBy(sql`${payoutBatches.id} desc`).limit(200);
}
