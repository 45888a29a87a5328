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
export function canonicalInstant(value: string): string {
  if (isCanonical(value)) return value;
  return new Date(value).toISOString();
}

/**
 * 'YYYY-MM-DDTHH:mm:ss.sssZ' with a month, a day of that month, an hour, a
 * minute and a second in range: read character by character (a regular
 * expression with captures cost most of what it saved).
 */
function isCanonical(v: string): boolean {
  if (v.length !== 24 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58 || v.charCodeAt(19) !== 46 || v.charCodeAt(23) !== 90) return false;
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  const hour = digits(v, 11, 2);
  const minute = digits(v, 14, 2);
  const second = digits(v, 17, 2);
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && digits(v, 20, 3) >= 0;
}

/** The number written by `count` ASCII digits at `at`, or -1 if one of them is not a digit. */
function digits(v: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
