/**
 * The records `cli simulate-channel` pushes: a seeded random stream of sales
 * (integer fen from price bands) and refunds of earlier sales of the same
 * merchant, never more than what is left of the sale.
 */
import crypto from 'node:crypto';

/** How many sales may wait for a refund at once; older ones are forgotten. */
const MAX_OPEN_SALES = 5_000;
// ---------------------------------------------------------------------------
// Records

/** sfc32, seeded from a hash of the seed text: small, fast, and the same stream on every machine. */
export function createRandom(seed: string) {
  const h = crypto.createHash('sha256').update(seed).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  const uint32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) uint32();
  return {
    uint32,
    /** 0 ≤ n < max (max ≤ 2^32). */
    below: (max: number) => uint32() % max,
    /** true with probability p. */
    chance: (p: number) => uint32() < p * 4_294_967_296,
  };
}
export type Random = ReturnType<typeof createRandom>;

/**
 * Price bands in fen with their weights: most sales are a few dozen yuan,
 * a long tail reaches ¥5,000 (log-normal-ish). Integers only.
 */
const AMOUNT_BANDS: readonly { lo: bigint; hi: bigint; weight: number }[] = [
  { lo: 100n, hi: 999n, weight: 14 }, // ¥1-10: drinks, snacks
  { lo: 1_000n, hi: 2_999n, weight: 22 }, // ¥10-30: a meal
  { lo: 3_000n, hi: 9_999n, weight: 26 },
  { lo: 10_000n, hi: 29_999n, weight: 18 },
  { lo: 30_000n, hi: 99_999n, weight: 12 },
  { lo: 100_000n, hi: 299_999n, weight: 6 },
  { lo: 300_000n, hi: 500_000n, weight: 2 },
];
const BAND_WEIGHT = AMOUNT_BANDS.reduce((sum, b) => sum + b.weight, 0);
export const MIN_SALE_FEN = 100n;
export const MAX_SALE_FEN = 500_000n;

/** A sale amount in fen, ¥1.00-¥5,000.00; most are whole yuan or whole jiao, like real prices. */
export function saleAmount(rng: Random): bigint {
  let pick = rng.below(BAND_WEIGHT);
  let band = AMOUNT_BANDS[0]!;
  for (const b of AMOUNT_BANDS) {
    band = b;
    if (pick < b.weight) break;
    pick -= b.weight;
  }
  const amount = band.lo + BigInt(rng.below(Number(band.hi - band.lo) + 1));
  const style = rng.below(100);
  // Band bounds are whole yuan, so cutting to yuan or jiao stays inside the band.
  if (style < 55) return amount - (amount % 100n);
  if (style < 80) return amount - (amount % 10n);
  return amount;
}

export interface SimRecord {
  channel_txn_id: string;
  merchant_ref: string;
  amount_fen: number;
  status: 'settled' | 'refunded';
  occurred_at: string;
  original_txn_id?: string;
}

interface OpenSale {
  txnId: string;
  merchant: string;
  remaining: bigint;
}

export interface Batch {
  records: SimRecord[];
  /** Send this request a second time, unchanged, after its answer. */
  resend: boolean;
}

/** now as ISO 8601 in China time: 2026-11-20T10:00:00.123+08:00 */
export function chinaTime(ms = Date.now()): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 23)}+08:00`;
}

/**
 * The record stream. It depends only on the seed and on the sizes asked for,
 * in order: which request a record lands in, and timing, change nothing.
 * `occurred_at` is stamped when a request is sent.
 */
export function createGenerator(opts: { runId: string; merchants: readonly string[]; refundShare: number; duplicateShare: number; seed: string }) {
  const rng = createRandom(opts.seed);
  const open: OpenSale[] = [];
  let seq = 0;
  const n = opts.merchants.length;

  function record(): SimRecord {
    const channel_txn_id = `SIM-${opts.runId}-${++seq}`;
    if (open.length > 0 && rng.chance(opts.refundShare)) {
      const i = rng.below(open.length);
      const sale = open[i]!;
      // Full refund (of what is left) or partial: 10-90 % of what is left, at least 1 fen.
      let amount = sale.remaining;
      if (sale.remaining >= 2n && !rng.chance(0.4)) {
        amount = (sale.remaining * BigInt(10 + rng.below(81))) / 100n;
        if (amount < 1n) amount = 1n;
      }
      sale.remaining -= amount;
      if (sale.remaining === 0n) {
        open[i] = open[open.length - 1]!;
        open.pop();
      }
      return { channel_txn_id, merchant_ref: sale.merchant, amount_fen: Number(amount), status: 'refunded', occurred_at: '', original_txn_id: sale.txnId };
    }
    // Uneven traffic: the first merchants sell the most (index = n·u²).
    const u = rng.uint32() / 4_294_967_296;
    const merchant = opts.merchants[Math.min(n - 1, Math.floor(n * u * u))]!;
    const amount = saleAmount(rng);
    const sale = { txnId: channel_txn_id, merchant, remaining: amount };
    if (open.length < MAX_OPEN_SALES) open.push(sale);
    else open[rng.below(MAX_OPEN_SALES)] = sale;
    return { channel_txn_id, merchant_ref: merchant, amount_fen: Number(amount), status: 'settled', occurred_at: '' };
  }

  return {
    batch(size: number): Batch {
      const records = Array.from({ length: size }, record);
      return { records, resend: rng.chance(opts.duplicateShare) };
    },
  };
}
