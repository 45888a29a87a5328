import { z } from 'zod';

/**
 * Money is integer fen held in `bigint`; rates are integer parts per million.
 * This file is the only place that turns rates into amounts, and it floors.
 */
export type Fen = bigint;

export const PPM = 1_000_000n;
export const INT64_MAX = 9_223_372_036_854_775_807n;
export const INT64_MIN = -9_223_372_036_854_775_808n;

/** floor(a / b) for bigint (the built-in `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError('division by zero');
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** amount × ppm / 1,000,000, floored to whole fen: the one rounding rule of the platform. */
export function mulPpm(amount: Fen, ppm: bigint | number): Fen {
  const rate = typeof ppm === 'number' ? toPpm(ppm) : ppm;
  return floorDiv(amount * rate, PPM);
}

function toPpm(ppm: number): bigint {
  if (!Number.isSafeInteger(ppm)) throw new RangeError(`ppm must be an integer, got ${ppm}`);
  return BigInt(ppm);
}

export interface ParseOptions {
  allowNegative?: boolean;
  allowZero?: boolean;
}

const yuanPattern = /^(-)?(0|[1-9]\d{0,15})(?:\.(\d{1,2}))?$/;

/**
 * "12.34" → 1234n. Accepts only plain decimal yuan with at most two decimals:
 * no exponent, no spaces, no "+", no thousands separators, no leading zeros.
 */
export function parseYuan(text: string, options: ParseOptions = {}): Fen {
  const match = yuanPattern.exec(text);
  if (!match) throw new MoneyFormatError(`"${text}" is not an amount in yuan (e.g. 12.34)`);
  const [, minus, whole, decimals = ''] = match;
  const fen = BigInt(whole!) * 100n + BigInt(decimals.padEnd(2, '0'));
  const value = minus ? -fen : fen;
  checkSign(value, options);
  return value;
}

/** 1234n → "12.34"; -5n → "-0.05". */
export function formatYuan(fen: Fen): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** Fen from JSON: a string of digits or a safe integer; never a fraction or an exponent. */
export function parseFen(value: unknown, options: ParseOptions = {}): Fen {
  let fen: bigint;
  if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) fen = BigInt(value);
  else if (typeof value === 'number' && Number.isSafeInteger(value)) fen = BigInt(value);
  else if (typeof value === 'bigint') fen = value;
  else throw new MoneyFormatError('expected an integer amount in fen (a string of digits or a safe integer)');
  if (fen > INT64_MAX || fen < INT64_MIN) throw new MoneyFormatError('amount is out of range');
  checkSign(fen, options);
  return fen;
}

function checkSign(value: bigint, options: ParseOptions) {
  if (value < 0n && !options.allowNegative) throw new MoneyFormatError('amount must not be negative');
  if (value === 0n && options.allowZero === false) throw new MoneyFormatError('amount must be greater than zero');
}

export class MoneyFormatError extends Error {
  override name = 'MoneyFormatError';
}

/** zod: a positive fen amount from JSON (string or safe integer) → bigint. Floats, exponents, zero and negatives fail. */
export const positiveFen = z
  .union([z.string(), z.number()])
  .describe('amount in fen: a string of digits (preferred) or a safe integer')
  .transform((v, ctx) => {
    try {
      return parseFen(v, { allowZero: false });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

/** zod: a non-negative fen amount (zero allowed). */
export const nonNegativeFen = z
  .union([z.string(), z.number()])
  .describe('amount in fen: a string of digits (preferred) or a safe integer')
  .transform((v, ctx) => {
    try {
      return parseFen(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

/** zod: a rate in ppm, 0 to 1,000,000. */
export const ppmSchema = z.number().int().min(0).max(1_000_000).describe('rate in parts per million (0.5% = 5000)');

/** Money in responses travels as a string of fen, so no client parses it into a float. */
export const fenOut = z.string().describe('amount in fen, as a string of digits');
export const fenString = (fen: Fen) => fen.toString();
