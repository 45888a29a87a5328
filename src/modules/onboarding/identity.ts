/**
 * Check digits of Chinese identity numbers. Pure functions: the onboarding
 * form, the blacklist and the tests share them.
 */

/** 统一社会信用代码 (GB 32100-2015): 18 characters over 31 symbols (no I, O, S, V, Z). */
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function normalizeLicenceNo(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

export function usccCheckChar(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i] ?? '');
    if (v < 0) return null;
    sum += v * USCC_WEIGHTS[i]!;
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

export function isValidLicenceNo(raw: string): boolean {
  const v = normalizeLicenceNo(raw);
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(v)) return false;
  return usccCheckChar(v.slice(0, 17)) === v[17];
}

/** 居民身份证号码 (GB 11643-1999): 17 digits, a valid birth date, and an ISO 7064 MOD 11-2 check character. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

export function normalizeIdNumber(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

export function idCheckChar(first17: string): string | null {
  if (!/^\d{17}$/.test(first17)) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

export function isValidIdNumber(raw: string, today = new Date()): boolean {
  const v = normalizeIdNumber(raw);
  if (!/^\d{17}[\dX]$/.test(v)) return false;
  const y = Number(v.slice(6, 10));
  const m = Number(v.slice(10, 12));
  const d = Number(v.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return false;
  if (birth.getTime() > today.getTime()) return false;
  return idCheckChar(v.slice(0, 17)) === v[17];
}

/** Mainland mobile numbers as members register them. */
export const PHONE_PATTERN = /^1[3-9]\d{9}$/;
