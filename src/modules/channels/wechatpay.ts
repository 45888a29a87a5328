import crypto from 'node:crypto';

/**
 * WeChat Pay API v3 payment notifications (支付成功通知), verified without
 * touching the database: the caller gets a verdict and decides what to book.
 *
 * The request carries four headers (Wechatpay-Timestamp, -Nonce, -Signature,
 * -Serial). The signature is SHA256withRSA (PKCS#1 v1.5), base64, over
 *   timestamp + "\n" + nonce + "\n" + raw body + "\n"
 * made with the WeChat Pay platform key named by Wechatpay-Serial: either a
 * platform certificate's serial number or a public key id ("PUB_KEY_ID_…").
 * The body's `resource` is AEAD_AES_256_GCM-encrypted with the merchant's
 * APIv3 key; the plaintext is the transaction.
 *
 * Status convention: 401 when the message could not be authenticated (headers,
 * timestamp, key, signature, or the GCM tag), 400 when it is authentic but not
 * something we accept (event type, merchant, amount…).
 */

export const WECHATPAY_WINDOW_SECONDS = 300;
/** WeChat sends probes signed with this prefix to check that merchants really verify; they must fail. */
export const WECHATPAY_SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';

export type HeaderValue = string | string[] | undefined;

export interface WechatpayPlatformKey {
  /** Certificate serial number (hex) or public key id (`PUB_KEY_ID_…`), as sent in Wechatpay-Serial. */
  serial: string;
  publicKeyPem?: string;
  certificatePem?: string;
}

export interface VerifyWechatpayInput {
  /** Lower-cased header names, as Node delivers them. */
  headers: Readonly<Record<string, HeaderValue>>;
  /** The body exactly as received: the signature covers these bytes, not a re-serialisation. */
  rawBody: Buffer | string;
  platformKeys: readonly WechatpayPlatformKey[];
  /** The 32-character APIv3 key; its UTF-8 bytes are the AES-256 key. */
  apiV3Key: string;
  expected: { mchid: string; appid: string };
  now?: Date;
}

export type WechatpayRefusal = { ok: false; status: 400 | 401; reason: string };
export type WechatpayVerdict =
  | { ok: true; outTradeNo: string; channelTradeNo: string; amountFen: bigint; paidAt: Date; raw: Record<string, unknown> }
  | WechatpayRefusal;

const refuse = (status: 400 | 401, reason: string): WechatpayRefusal => ({ ok: false, status, reason });

export function verifyWechatpayNotification(input: VerifyWechatpayInput): WechatpayVerdict {
  const { headers, platformKeys, apiV3Key, expected } = input;
  const timestamp = headerValue(headers, 'wechatpay-timestamp');
  const nonce = headerValue(headers, 'wechatpay-nonce');
  const signature = headerValue(headers, 'wechatpay-signature');
  const serial = headerValue(headers, 'wechatpay-serial');
  if (timestamp === undefined || nonce === undefined || signature === undefined || serial === undefined) {
    return refuse(401, 'missing Wechatpay-Timestamp, -Nonce, -Signature or -Serial header');
  }
  // Refused before anything else, so a probe never reaches key lookup or logs as a near-miss.
  if (signature.startsWith(WECHATPAY_SIGNTEST_PREFIX)) return refuse(401, 'signature probe (WECHATPAY/SIGNTEST) refused');

  if (!/^\d{1,12}$/.test(timestamp)) return refuse(401, 'malformed Wechatpay-Timestamp');
  const nowSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > WECHATPAY_WINDOW_SECONDS) {
    return refuse(401, 'Wechatpay-Timestamp is more than 5 minutes from now');
  }

  // Serials are hex and may arrive in either case; public key ids are unaffected by upper-casing.
  const entry = platformKeys.find((k) => k.serial.toUpperCase() === serial.toUpperCase());
  if (!entry) return refuse(401, `unknown Wechatpay-Serial ${JSON.stringify(serial.slice(0, 80))}`);
  const key = loadPlatformKey(entry);
  if (!key) return refuse(401, `platform key for serial ${JSON.stringify(entry.serial)} is not a usable RSA public key`);

  const sig = decodeBase64(signature);
  if (!sig) return refuse(401, 'Wechatpay-Signature is not base64');
  const body = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : input.rawBody;
  const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), body, Buffer.from('\n', 'utf8')]);
  if (!rsaSha256Verify(key, message, sig)) return refuse(401, 'signature does not match');

  const notification = parseJsonObject(body);
  if (!notification) return refuse(400, 'body is not a JSON object');
  if (notification.event_type !== 'TRANSACTION.SUCCESS') {
    return refuse(400, `unexpected event_type ${JSON.stringify(notification.event_type)}`);
  }
  const resource = notification.resource;
  if (!isObject(resource)) return refuse(400, 'resource is missing');
  if (resource.algorithm !== 'AEAD_AES_256_GCM') return refuse(400, `unsupported resource.algorithm ${JSON.stringify(resource.algorithm)}`);
  const aad = resource.associated_data ?? '';
  if (typeof resource.ciphertext !== 'string' || typeof resource.nonce !== 'string' || resource.nonce === '' || typeof aad !== 'string') {
    return refuse(400, 'resource.ciphertext, nonce or associated_data is malformed');
  }

  const plain = decryptResource(apiV3Key, resource.ciphertext, resource.nonce, aad);
  if (typeof plain === 'string') return refuse(401, plain);
  const tx = parseJsonObject(plain.bytes);
  if (!tx) return refuse(400, 'decrypted resource is not a JSON object');
  return checkTransaction(tx, expected);
}

function checkTransaction(tx: Record<string, unknown>, expected: { mchid: string; appid: string }): WechatpayVerdict {
  if (tx.mchid !== expected.mchid) return refuse(400, 'mchid does not match this merchant');
  if (tx.appid !== expected.appid) return refuse(400, 'appid does not match this merchant');
  if (tx.trade_state !== 'SUCCESS') return refuse(400, `trade_state is ${JSON.stringify(tx.trade_state)}, not SUCCESS`);
  if (typeof tx.out_trade_no !== 'string' || tx.out_trade_no === '') return refuse(400, 'out_trade_no is missing');
  if (typeof tx.transaction_id !== 'string' || tx.transaction_id === '') return refuse(400, 'transaction_id is missing');
  const amount = tx.amount;
  if (!isObject(amount)) return refuse(400, 'amount is missing');
  // JSON numbers beyond 2^53 have already lost digits, so only safe integers are trusted as fen.
  const total = amount.total;
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) {
    return refuse(400, 'amount.total is not a non-negative integer number of fen');
  }
  // Fen only mean something in CNY; WeChat omits nothing here, but be explicit if it says otherwise.
  if (amount.currency !== undefined && amount.currency !== 'CNY') return refuse(400, `amount.currency ${JSON.stringify(amount.currency)} is not CNY`);
  const paidAt = typeof tx.success_time === 'string' ? parseRfc3339(tx.success_time) : undefined;
  if (!paidAt) return refuse(400, 'success_time is missing or not an RFC 3339 time');
  return { ok: true, outTradeNo: tx.out_trade_no, channelTradeNo: tx.transaction_id, amountFen: BigInt(total), paidAt, raw: tx };
}

export type WechatpayReply =
  | { status: 204; body: undefined }
  | { status: 400 | 500; body: { code: 'FAIL'; message: string } };

/**
 * The answer WeChat expects: 2xx with no body on success; otherwise 4xx/5xx and
 * {code:'FAIL', message}. Any failure makes WeChat retry, so callers pick 400 for
 * a message that will never verify and 500 for a hiccup on our side.
 */
export function wechatpayReply(ok: boolean, message = '失败', status: 400 | 500 = 500): WechatpayReply {
  return ok ? { status: 204, body: undefined } : { status, body: { code: 'FAIL', message } };
}

function headerValue(headers: Readonly<Record<string, HeaderValue>>, name: string): string | undefined {
  const value = headers[name];
  // A repeated header arrives as an array: ambiguous, so treated as absent.
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Buffer.from(…, 'base64') silently skips junk; a signature or ciphertext must be exactly base64. */
function decodeBase64(text: string): Buffer | undefined {
  return text !== '' && BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

function loadPlatformKey(entry: WechatpayPlatformKey): crypto.KeyObject | undefined {
  try {
    let key: crypto.KeyObject | undefined;
    if (entry.publicKeyPem) key = crypto.createPublicKey(entry.publicKeyPem);
    else if (entry.certificatePem) key = new crypto.X509Certificate(entry.certificatePem).publicKey;
    return key?.asymmetricKeyType === 'rsa' ? key : undefined;
  } catch {
    return undefined;
  }
}

function rsaSha256Verify(key: crypto.KeyObject, message: Buffer, signature: Buffer): boolean {
  try {
    return crypto.verify('sha256', message, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

/** AES-256-GCM: ciphertext is base64 of (encrypted bytes ‖ 16-byte tag); the nonce string's bytes are the IV. */
function decryptResource(apiV3Key: string, ciphertext: string, nonce: string, aad: string): { bytes: Buffer } | string {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) return 'the APIv3 key must be 32 bytes';
  const data = decodeBase64(ciphertext);
  if (!data || data.length <= 16) return 'resource.ciphertext is not base64 of ciphertext and tag';
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return { bytes: Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]) };
  } catch {
    return 'resource could not be decrypted (wrong APIv3 key or tampered ciphertext)';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(utf8.decode(bytes));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * "2018-06-08T10:34:56+08:00" → Date. Built from its parts because Date.parse
 * quietly rolls "02-30" over into March.
 */
export function parseRfc3339(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetH = Number(m[10] ?? '0');
  const offsetM = Number(m[11] ?? '0');
  if (offsetH > 23 || offsetM > 59) return undefined;
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  if (
    local.getUTCFullYear() !== y || local.getUTCMonth() !== mo - 1 || local.getUTCDate() !== d ||
    local.getUTCHours() !== h || local.getUTCMinutes() !== mi || local.getUTCSeconds() !== s
  ) {
    return undefined;
  }
  const offsetMs = (offsetH * 60 + offsetM) * 60_000 * (m[9] === '-' ? -1 : 1);
  return new Date(local.getTime() - offsetMs);
}
