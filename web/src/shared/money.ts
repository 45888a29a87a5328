/**
 * Money on screen. The server speaks integer fen (as strings or safe integers);
 * people read and type yuan. Conversion is done on digits with BigInt — never
 * through a float, so 0.1 + 0.2 problems cannot reach a payout.
 */
export type Fen = string | number | bigint;

function toBigInt(fen: Fen): bigint {
  if (typeof fen === 'bigint') return fen;
  if (typeof fen === 'number') {
    if (!Number.isSafeInteger(fen)) throw new Error(`not an integer amount of fen: ${fen}`);
    return BigInt(fen);
  }
  return BigInt(fen);
}

/** 123456 → "1,234.56"; negative amounts keep their sign. */
export function fenToYuan(fen: Fen, opts: { grouping?: boolean } = {}): string {
  const v = toBigInt(fen);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let yuan = (abs / 100n).toString();
  if (opts.grouping !== false) yuan = yuan.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${neg ? '-' : ''}${yuan}.${cents}`;
}

/** 123456 → "¥1,234.56". */
export function formatMoney(fen: Fen | null | undefined): string {
  if (fen === null || fen === undefined || fen === '') return '—';
  const s = fenToYuan(fen);
  return s.startsWith('-') ? `-¥${s.slice(1)}` : `¥${s}`;
}

export const YUAN_PATTERN = /^\d{1,12}(\.\d{1,2})?$/;

/**
 * "1,234.5" → "123450" (fen, as a string for the API). Returns null for
 * anything that is not a non-negative amount with at most two decimals.
 */
export function yuanToFen(input: string): string | null {
  const s = input.trim().replace(/[,，\s¥￥]/g, '');
  if (!YUAN_PATTERN.test(s)) return null;
  const [whole, frac = ''] = s.split('.');
  return (BigInt(whole!) * 100n + BigInt(frac.padEnd(2, '0'))).toString();
}

/** 50000 ppm → "5%"; 12345 ppm → "1.2345%". */
export function ppmToPercent(ppm: number | string): string {
  const v = BigInt(ppm);
  const whole = v / 10_000n;
  const frac = (v % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${whole}${frac ? `.${frac}` : ''}%`;
}

/** "5" or "1.25" (percent) → ppm; null if not a percent with at most four decimals. */
export function percentToPpm(input: string): number | null {
  const s = input.trim().replace(/%$/, '');
  if (!/^\d{1,3}(\.\d{1,4})?$/.test(s)) return null;
  const [whole, frac = ''] = s.split('.');
  return Number(BigInt(whole!) * 10_000n + BigInt(frac.padEnd(4, '0')));
}
