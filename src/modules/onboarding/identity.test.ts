import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idCheckChar, isValidIdNumber, isValidLicenceNo, usccCheckChar } from './identity.js';

describe('统一社会信用代码', () => {
  it('accepts real published codes and refuses a changed check character', () => {
    // Published codes of well-known companies.
    for (const code of ['91350100M000100Y43', '911100001000128855', '91440300708461136T']) {
      expect(isValidLicenceNo(code), code).toBe(true);
      const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
      expect(isValidLicenceNo(wrong), wrong).toBe(false);
    }
  });

  it('normalises spaces and case, refuses letters outside the alphabet and wrong lengths', () => {
    expect(isValidLicenceNo(' 91350100m000100y43 ')).toBe(true);
    expect(isValidLicenceNo('91350100I000100Y43')).toBe(false);
    expect(isValidLicenceNo('91350100M000100Y4')).toBe(false);
  });

  it('every generated body with its computed check character is valid; any other check character is not', () => {
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 17, maxLength: 17 }), fc.constantFrom(...alphabet), (body, other) => {
        const first17 = body.join('');
        const check = usccCheckChar(first17)!;
        expect(isValidLicenceNo(first17 + check)).toBe(true);
        if (other !== check) expect(isValidLicenceNo(first17 + other)).toBe(false);
      }),
    );
  });
});

describe('居民身份证号码', () => {
  it('accepts the standard example and refuses a changed check character or birth date', () => {
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
    // 1949-02-30 does not exist; recompute the check so only the date is wrong.
    const badDate = '11010519490230002';
    expect(isValidIdNumber(badDate + idCheckChar(badDate))).toBe(false);
    const future = '11010530000101002';
    expect(isValidIdNumber(future + idCheckChar(future))).toBe(false);
  });

  it('one changed digit is always caught', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const valid = '11010519491231002X';
        const digits = valid.split('');
        digits[pos] = String((Number(digits[pos]) + delta) % 10);
        const changed = digits.join('');
        // A changed date digit may make the date invalid; either way the number must be refused.
        expect(isValidIdNumber(changed)).toBe(false);
      }),
    );
  });
});
