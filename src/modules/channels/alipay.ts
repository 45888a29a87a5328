import crypto from 'node:crypto';
import { parseYuan } from '../../lib/money.js';

/**
 * Alipay asynchronous notifications (异步通知), verified without touching the
 * database.
 *
 * The body is application/x-www-form-urlencoded UTF-8. Alipay signs the
 * *decoded* values: every parameter except `sign` and `sign_type`, leaving out
 * parameters whose value is empty (as Alipay's own SDK does), sorted by key in
 * ascending byte order and joined as k=v with "&", with no further encoding.
 * RSA2 means SHA256withRSA (PKCS#1 v1.5); the base64 signature is in `sign`.
 *
 * Status convention: 401 when the message is not authentically Alipay's
 * (sign missing, not RSA2, or not matching), 400 when it is authentic but not
 * something we accept (another app or seller, malformed amount or time).
 */

export interface VerifyAlipayInput {
  /** The body exactly as received. */
  rawBody: Buffer | string;
  /** Alipay's public key (支付宝公钥): PEM, bare base64 as the console shows it, or an X.509 certificate PEM. */
  alipayPublicKeyPem: string;
  expected: { appId: string; sellerId: string };
}

export type AlipayRefusal = { ok: false; status: 400 | 401; reason: string };
export type AlipayVerdict =
  | {
      ok: true;
      /** Only TRADE_SUCCESS and TRADE_FINISHED mean the money arrived. */
      paid: boolean;
      tradeStatus: string;
      outTradeNo: string;
      channelTradeNo: string;
      amountFen: bigint;
      notifyId: string;
      /** From gmt_payment (Beijing time); absent when Alipay sent none, e.g. for WAIT_BUYER_PAY. */
      paidAt?: Date;
      /** Every decoded parameter, for the record. */
      raw: Record<string, string>;
    }
  | AlipayRefusal;

const PAID_STATUSES = new Set(['TRADE_SUCCESS', 'TRADE_FINISHED']);

const refuse = (status: 400 | 401, reason: string): AlipayRefusal => ({ ok: false, status, reason });

export function verifyAlipayNotification(input: VerifyAlipayInput): AlipayVerdict {
  const params = parseAlipayForm(input.rawBody);
  if (typeof params === 'string') return refuse(400, params);
  const charset = params.charset;
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') return refuse(400, `charset ${JSON.stringify(charset)} is not UTF-8`);

  const sign = params.sign;
  if (sign === undefined || sign === '') return refuse(401, 'sign is missing');
  // RSA (SHA1withRSA) is legacy and weaker; only RSA2 is configured for this platform.
  if (params.sign_type !== 'RSA2') return refuse(401, `sign_type ${JSON.stringify(params.sign_type ?? null)} is not RSA2`);
  const signature = decodeBase64(sign);
  if (!signature) return refuse(401, 'sign is not base64');
  const key = loadAlipayPublicKey(input.alipayPublicKeyPem);
  if (!key) return refuse(401, 'the configured Alipay public key is not a usable RSA public key');
  const content = Buffer.from(alipaySignContent(params), 'utf8');
  let valid = false;
  try {
    valid = crypto.verify('sha256', content, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    valid = false;
  }
  if (!valid) return refuse(401, 'sign does not match');

  if (params.app_id !== input.expected.appId) return refuse(400, 'app_id does not match this merchant');
  if (params.seller_id !== input.expected.sellerId) return refuse(400, 'seller_id does not match this merchant');
  const { trade_status: tradeStatus, out_trade_no: outTradeNo, trade_no: tradeNo, notify_id: notifyId } = params;
  if (!tradeStatus) return refuse(400, 'trade_status is missing');
  if (!outTradeNo) return refuse(400, 'out_trade_no is missing');
  if (!tradeNo) return refuse(400, 'trade_no is missing');
  if (!notifyId) return refuse(400, 'notify_id is missing');

  let amountFen: bigint;
  try {
    // parseYuan accepts only plain decimals with at most two places: no exponent, sign or separators.
    amountFen = parseYuan(params.total_amount ?? '');
  } catch {
    return refuse(400, `total_amount ${JSON.stringify(params.total_amount ?? null)} is not an amount in yuan`);
  }
  let paidAt: Date | undefined;
  if (params.gmt_payment !== undefined && params.gmt_payment !== '') {
    paidAt = parseAlipayTime(params.gmt_payment);
    if (!paidAt) return refuse(400, 'gmt_payment is not a "YYYY-MM-DD HH:mm:ss" time');
  }
  return {
    ok: true,
    paid: PAID_STATUSES.has(tradeStatus),
    tradeStatus,
    outTradeNo,
    channelTradeNo: tradeNo,
    amountFen,
    notifyId,
    ...(paidAt ? { paidAt } : {}),
    raw: params,
  };
}

/** What Alipay waits for: the plain-text body `success` stops the retries; anything else means try again. */
export function alipayReply(ok: boolean): 'success' | 'fail' {
  return ok ? 'success' : 'fail';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decoded form parameters, or a reason. URLSearchParams applies form decoding
 * ("+" is a space, %XX are UTF-8 bytes). A repeated key is refused: which of
 * the two Alipay signed would be a guess.
 */
export function parseAlipayForm(rawBody: Buffer | string): Record<string, string> | string {
  let text: string;
  try {
    text = typeof rawBody === 'string' ? rawBody : utf8.decode(rawBody);
  } catch {
    return 'body is not UTF-8';
  }
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(params, key)) return `parameter ${JSON.stringify(key)} appears more than once`;
    params[key] = value;
  }
  return { ...params };
}

/** The string Alipay signs: see the file comment. Exported so tests can check it against a hand-written one. */
export function alipaySignContent(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .filter(([key, value]) => key !== 'sign' && key !== 'sign_type' && value !== '')
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

const ALIPAY_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** "2015-04-27 15:45:57" in Beijing time (UTC+8, no daylight saving) → Date; impossible dates are refused. */
export function parseAlipayTime(text: string): Date | undefined {
  const m = ALIPAY_TIME.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (
    local.getUTCFullYear() !== y || local.getUTCMonth() !== mo - 1 || local.getUTCDate() !== d ||
    local.getUTCHours() !== h || local.getUTCMinutes() !== mi || local.getUTCSeconds() !== s
  ) {
    return undefined;
  }
  return new Date(local.getTime() - 8 * 3_600_000);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(text: string): Buffer | undefined {
  return text !== '' && BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

function loadAlipayPublicKey(text: string): crypto.KeyObject | undefined {
  try {
    const trimmed = text.trim();
    let key: crypto.KeyObject;
    if (trimmed.includes('BEGIN CERTIFICATE')) key = new crypto.X509Certificate(trimmed).publicKey;
    else if (trimmed.includes('-----BEGIN')) key = crypto.createPublicKey(trimmed);
    // The open platform console hands out the key as bare base64 of the SubjectPublicKeyInfo.
    else key = crypto.createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'rsa' ? key : undefined;
  } catch {
    return undefined;
  }
}
