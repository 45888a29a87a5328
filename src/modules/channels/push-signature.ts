import crypto from 'node:crypto';

/**
 * Transaction push signatures: HMAC-SHA256 over `timestamp + "." + raw body`
 * with the channel's secret, hex-encoded, sent as
 *   X-Shanglian-Timestamp: <unix seconds>
 *   X-Shanglian-Signature: v1=<hex>[,v1=<hex>]
 * Two secrets may be valid at once while a channel rotates them.
 */
export const TIMESTAMP_HEADER = 'x-shanglian-timestamp';
export const SIGNATURE_HEADER = 'x-shanglian-signature';
export const WINDOW_SECONDS = 300;

export function signPush(secret: string, timestamp: number | string, rawBody: Buffer | string): string {
  return `v1=${crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

export type PushVerdict = { ok: true } | { ok: false; reason: string };

export function verifyPush(
  secrets: readonly string[],
  headers: { timestamp?: string | string[] | undefined; signature?: string | string[] | undefined },
  rawBody: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): PushVerdict {
  const ts = headers.timestamp;
  const sig = headers.signature;
  if (typeof ts !== 'string' || typeof sig !== 'string') return { ok: false, reason: 'missing signature headers' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'malformed timestamp' };
  if (Math.abs(nowSeconds - Number(ts)) > WINDOW_SECONDS) return { ok: false, reason: 'timestamp outside the allowed window' };
  const given = sig
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^v1=[0-9a-f]{64}$/.test(s))
    .map((s) => Buffer.from(s.slice(3), 'hex'));
  if (given.length === 0) return { ok: false, reason: 'malformed signature' };
  for (const secret of secrets) {
    const expected = crypto.createHmac('sha256', secret).update(`${ts}.`).update(rawBody).digest();
    if (given.some((g) => crypto.timingSafeEqual(g, expected))) return { ok: true };
  }
  return { ok: false, reason: 'signature does not match' };
}
