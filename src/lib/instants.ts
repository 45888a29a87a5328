/**
 * An instant written as an ISO 8601 string, in the one form the platform
 * stores and fingerprints: `new Date(value).toISOString()`
 * ('YYYY-MM-DDTHH:mm:ss.sssZ', UTC, milliseconds).
 *
 * Channels almost always send that form already, and formatting a Date is
 * the dearest part of it (about a microsecond, twice per pushed record), so
 * a string already in it — the exact shape with every field in range — is
 * returned as it is. Anything else (another offset, no milliseconds, more
 * digits) goes through Date. Both paths give the same string for every input
 * (test/lib/instants.test.ts).
 */
const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;

export function canonicalInstant(value: string): string {
  const m = CANONICAL.exec(value);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6]) <= 59) return value;
  }
  return new Date(value).toISOString();
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
