import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floorDiv, formatYuan, mulPpm, parseFen, parseYuan, positiveFen } from './money.js';

describe('mulPpm', () => {
  it('floors', () => {
    expect(mulPpm(1999n, 5000)).toBe(9n); // 9.995 → 9
    expect(mulPpm(100n, 1_000_000)).toBe(100n);
    expect(mulPpm(1n, 999_999)).toBe(0n);
    expect(mulPpm(-1999n, 5000)).toBe(-10n); // floor, not truncation
  });
  it('never exceeds the exact product and is within one fen of it', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 1_000_000 }), (a, ppm) => {
        const r = mulPpm(a, ppm);
        expect(r * 1_000_000n <= a * BigInt(ppm)).toBe(true);
        expect((r + 1n) * 1_000_000n > a * BigInt(ppm)).toBe(true);
      }),
    );
  });
  it('refuses fractional rates', () => {
    expect(() => mulPpm(100n, 0.5)).toThrow(RangeError);
  });
  it('floorDiv matches floor for every sign', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.boolean(), (a, b, negB) => {
        const d = negB ? -b : b;
        const q = floorDiv(a, d);
        // q ≤ a/d < q + 1, checked without division.
        if (d > 0n) expect(q * d <= a && a < (q + 1n) * d).toBe(true);
        else expect(q * d >= a && a > (q + 1n) * d).toBe(true);
      }),
    );
  });
});

describe('yuan strings', () => {
  it('parses plain decimals', () => {
    expect(parseYuan('12.34')).toBe(1234n);
    expect(parseYuan('12.3')).toBe(1230n);
    expect(parseYuan('12')).toBe(1200n);
    expect(parseYuan('0.05')).toBe(5n);
    expect(parseYuan('-0.05', { allowNegative: true })).toBe(-5n);
  });
  it.each(['1e3', '12.345', '', ' 1', '1 ', '+1', '01', '1,000', '1.', '.5', 'NaN', 'Infinity', '0x10', '１２'])('rejects %j', (text) => {
    expect(() => parseYuan(text)).toThrow();
  });
  it('rejects negatives and zero where not allowed', () => {
    expect(() => parseYuan('-1')).toThrow(/negative/);
    expect(() => parseYuan('0', { allowZero: false })).toThrow(/greater than zero/);
  });
  it('formats and round-trips', () => {
    expect(formatYuan(1234n)).toBe('12.34');
    expect(formatYuan(5n)).toBe('0.05');
    expect(formatYuan(-5n)).toBe('-0.05');
    expect(formatYuan(0n)).toBe('0.00');
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }), (fen) => {
      expect(parseYuan(formatYuan(fen), { allowNegative: true })).toBe(fen);
    }));
  });
});

describe('fen from JSON', () => {
  it('accepts digit strings and safe integers', () => {
    expect(parseFen('123')).toBe(123n);
    expect(parseFen(123)).toBe(123n);
    expect(parseFen('9223372036854775807')).toBe(9223372036854775807n);
  });
  it.each([1.5, 1e21, Number.MAX_SAFE_INTEGER + 2, '1.5', '1e3', '9223372036854775808', '', null, true, {}, ' 1'])('rejects %j', (v) => {
    expect(() => parseFen(v)).toThrow();
  });
  it('the zod schema refuses zero, negatives and floats', () => {
    for (const bad of [0, '0', -1, '-1', 0.5, '12.5', 2 ** 60]) expect(positiveFen.safeParse(bad).success).toBe(false);
    expect(positiveFen.parse('500')).toBe(500n);
  });
});
