/** Shapes of the reconciliation API (src/modules/reconciliation/) and their words. */
type Words = [zh: string, en: string];

export interface Counts {
  theirRecords?: number;
  ourRecords?: number;
  matched?: number;
  missingOurs?: number;
  missingTheirs?: number;
  amountMismatch?: number;
  statusMismatch?: number;
  invalidLines?: number;
}

export interface ReportSummary {
  id: number;
  channelId: string;
  day: string;
  fileName: string | null;
  counts: Counts;
  createdAt: string;
}

export interface Side {
  amountFen: string;
  status: string;
  merchantRef: string;
}

export type DifferenceKind = 'missing_ours' | 'missing_theirs' | 'amount_mismatch' | 'status_mismatch' | 'invalid_line';

export interface Difference {
  kind: DifferenceKind;
  channelTxnId: string | null;
  line?: number;
  theirs?: Side;
  ours?: Side;
  message?: string;
}

export type Report = ReportSummary & { lines: Difference[] };

/** The columns a statement needs (reconciliation.service.ts statementColumns). */
export const STATEMENT_HEADER = 'channel_txn_id,merchant_ref,amount_fen,status,occurred_at';

export const differenceWords: Record<DifferenceKind, [zh: string, en: string, color: string, countKey: keyof Counts]> = {
  missing_ours: ['通道有、平台无', 'Only in their file', 'volcano', 'missingOurs'],
  missing_theirs: ['平台有、通道无', 'Only on our side', 'orange', 'missingTheirs'],
  amount_mismatch: ['金额不符', 'Amount differs', 'red', 'amountMismatch'],
  status_mismatch: ['状态不符', 'Status differs', 'magenta', 'statusMismatch'],
  invalid_line: ['无效行', 'Invalid line', 'default', 'invalidLines'],
};

export const txnStatusWords: Record<string, Words> = {
  settled: ['已结算', 'Settled'],
  refunded: ['已退款', 'Refunded'],
};

export const differenceCount = (c: Counts) => (c.missingOurs ?? 0) + (c.missingTheirs ?? 0) + (c.amountMismatch ?? 0) + (c.statusMismatch ?? 0) + (c.invalidLines ?? 0);
