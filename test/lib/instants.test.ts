import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalInstant } from '../../src/lib/instants.js';

const slow = (value: string) => new Date(value).toISOString();
const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('canonicalInstant', () => {
  it('gives what new Date(value).toISOString() gives, for every string of the canonical shape, in range or not', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 999 }),
        (y, mo, d, h, mi, s, ms) => {
          const value = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`;
          let expected: string | Error;
          try {
            expected = slow(value);
          } catch (err) {
            expected = err as Error;
          }
          if (expected instanceof Error) expect(() => canonicalInstant(value)).toThrow(RangeError);
          else expect(canonicalInstant(value)).toBe(expected);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('gives what Date gives when any one character of the form is something else', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }), fc.nat(23), fc.integer({ min: 32, max: 126 }).map((code) => String.fromCharCode(code)), (ms, at, c) => {
        const iso = new Date(ms).toISOString();
        const value = iso.slice(0, at) + c + iso.slice(at + 1);
        let expected: string | null;
        try {
          expected = slow(value);
        } catch {
          expected = null;
        }
        if (expected === null) expect(() => canonicalInstant(value)).toThrow(RangeError);
        else expect(canonicalInstant(value)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it('takes every instant a Date can write back as itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(0, 0, 1) + 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        const iso = new Date(ms).toISOString();
        expect(canonicalInstant(iso)).toBe(iso);
      }),
    );
    // Leap days are themselves; a 29 February that does not exist is whatever Date makes of it (the 1st of March).
    expect(canonicalInstant('2024-02-29T12:00:00.000Z')).toBe('2024-02-29T12:00:00.000Z');
    expect(canonicalInstant('2000-02-29T00:00:00.000Z')).toBe('2000-02-29T00:00:00.000Z');
    expect(canonicalInstant('2026-02-29T00:00:00.000Z')).toBe(slow('2026-02-29T00:00:00.000Z'));
    expect(canonicalInstant('1900-02-29T00:00:00.000Z')).toBe(slow('1900-02-29T00:00:00.000Z'));
  });

  it('normalises the other forms a channel may send', () => {
    expect(canonicalInstant('2026-12-02T18:30:00+08:00')).toBe('2026-12-02T10:30:00.000Z');
    expect(canonicalInstant('2026-12-02T10:30:00Z')).toBe('2026-12-02T10:30:00.000Z');
    expect(canonicalInstant('2026-12-02T10:30:00.123456Z')).toBe('2026-12-02T10:30:00.123Z');
    expect(canonicalInstant('2026-12-31T24:00:00.000Z')).toBe('2027-01-01T00:00:00.000Z');
  });
});
