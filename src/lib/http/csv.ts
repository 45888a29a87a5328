import type { FastifyReply } from 'fastify';
import { AppError } from '../errors.js';

/**
 * CSV files for staff: one writer that defuses formula cells, and what the
 * list exports share (reading a list service in keyset batches up to a cap,
 * times in the platform's zone, download headers).
 */

export type CsvCell = string | number | bigint | null;

/**
 * Quotes what needs quoting, and defuses cells a spreadsheet would run as
 * formulas: text starting with = + @ - tab or CR is marked as text with a
 * leading apostrophe, except a plain negative number, which stays a number
 * ("-1+cmd|' /C calc'!A0" is defused, "-12.50" is not).
 */
function csvCell(value: string): string {
  const formulaLike = /^[=+@\t\r]/.test(value) || (value.startsWith('-') && !/^-\d+(\.\d+)?$/.test(value));
  const v = formulaLike ? `'${value}` : value;
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV with a header row, UTF-8 with a BOM (Excel reads the Chinese headers right), CRLF lines. */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map((c) => csvCell(c === null ? '' : String(c))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Most rows one export file holds; a filter that matches more is refused rather than cut short. */
export const EXPORT_MAX_ROWS = 50_000;
const BATCH_ROWS = 1000;

export const exportCapNote = `At most ${EXPORT_MAX_ROWS.toLocaleString('en-US')} rows: when more match, the answer is 400 BAD_REQUEST asking to narrow the filters.`;

type ReadPage<T> = (cursor: string | undefined, limit: number) => Promise<{ items: T[]; nextCursor: string | null }>;

/**
 * Every row a list service returns for a filter, page after page. Reads one
 * row past the cap so that "exactly the cap" passes and "more" is refused:
 * a silently truncated file would look complete.
 */
export async function collectForExport<T>(readPage: ReadPage<T>, maxRows = EXPORT_MAX_ROWS): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await readPage(cursor, Math.min(BATCH_ROWS, maxRows + 1 - rows.length));
    rows.push(...page.items);
    if (rows.length > maxRows) {
      throw new AppError('BAD_REQUEST', `符合条件的记录超过 ${maxRows.toLocaleString('en-US')} 条，无法一次导出：请缩小筛选范围后再导出`, { maxRows });
    }
    if (page.nextCursor === null) return rows;
    cursor = page.nextCursor;
  }
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
/** "2026-03-01 09:30:00" in the platform's zone: what a spreadsheet reads as a date and staff read as local time. */
export function csvTime(at: Date | null, timeZone: string): string | null {
  if (!at) return null;
  // One formatter per zone: building one per cell costs tens of microseconds, seconds for a large export.
  let format = timeFormats.get(timeZone);
  if (!format) timeFormats.set(timeZone, (format = new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'medium' })));
  return format.format(at);
}

/** Sends a CSV as a download named `<name>-<platform date>.csv`, like the statement export. */
export function sendCsvDownload(reply: FastifyReply, name: string, timeZone: string, csv: string) {
  const day = new Date().toLocaleDateString('sv-SE', { timeZone });
  return reply
    .type('text/csv; charset=utf-8')
    // Personal data: no shared cache keeps a copy.
    .header('cache-control', 'private, no-store')
    .header('content-disposition', `attachment; filename="${name}-${day}.csv"`)
    .send(csv);
}
