import crypto from 'node:crypto';

/**
 * Builds WeChat Pay API v3 payment notifications exactly as WeChat sends them,
 * for tests, the sandbox channel and end-to-end runs. The verifier lives in
 * wechatpay.ts; nothing here is used in production paths.
 */

export interface WechatpayTransactionFields {
  mchid: string;
  appid: string;
  outTradeNo: string;
  transactionId: string;
  amountFen: bigint | number;
  successTime?: Date;
  tradeState?: string;
  tradeType?: string;
  bankType?: string;
  openid?: string;
}

/** The decrypted `resource` of a TRANSACTION.SUCCESS notification, with the documented field names. */
export function wechatpayTransaction(f: WechatpayTransactionFields): Record<string, unknown> {
  const total = Number(f.amountFen);
  const tradeState = f.tradeState ?? 'SUCCESS';
  return {
    mchid: f.mchid,
    appid: f.appid,
    out_trade_no: f.outTradeNo,
    transaction_id: f.transactionId,
    trade_type: f.tradeType ?? 'JSAPI',
    trade_state: tradeState,
    trade_state_desc: tradeState === 'SUCCESS' ? '支付成功' : tradeState,
    bank_type: f.bankType ?? 'OTHERS',
    attach: '',
    success_time: formatWechatpayTime(f.successTime ?? new Date()),
    payer: { openid: f.openid ?? 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    amount: { total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' },
  };
}

/** RFC 3339 in Beijing time, the way WeChat writes times: 2018-06-08T10:34:56+08:00. */
export function formatWechatpayTime(date: Date): string {
  const shifted = new Date(date.getTime() + 8 * 3_600_000).toISOString();
  return `${shifted.slice(0, 19)}+08:00`;
}

/** AEAD_AES_256_GCM as WeChat does it: base64(ciphertext ‖ 16-byte tag), IV = the nonce string's bytes. */
export function encryptWechatpayResource(apiV3Key: string, plaintext: string, nonce: string, associatedData: string): string {
  const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'), { authTagLength: 16 });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}

/** SHA256withRSA over `timestamp\nnonce\nbody\n`, base64: the Wechatpay-Signature header. */
export function signWechatpayMessage(privateKey: crypto.KeyObject | string, timestamp: string, nonce: string, rawBody: Buffer | string): string {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), body, Buffer.from('\n', 'utf8')]);
  const key = typeof privateKey === 'string' ? crypto.createPrivateKey(privateKey) : privateKey;
  return crypto.sign('sha256', message, { key, padding: crypto.constants.RSA_PKCS1_PADDING }).toString('base64');
}

export interface SignWechatpayHeadersOptions {
  privateKey: crypto.KeyObject | string;
  serial: string;
  rawBody: Buffer | string;
  /** Unix seconds; defaults to now. */
  timestamp?: number | string;
  nonce?: string;
}

/** The four Wechatpay-* headers (lower-cased, as Node delivers them) for a given body. */
export function signWechatpayHeaders(o: SignWechatpayHeadersOptions): Record<string, string> {
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = o.nonce ?? crypto.randomBytes(16).toString('hex').toUpperCase();
  return {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': signWechatpayMessage(o.privateKey, timestamp, nonce, o.rawBody),
    'wechatpay-serial': o.serial,
    'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

export interface WechatpayNotificationOptions {
  privateKey: crypto.KeyObject | string;
  /** Certificate serial number or `PUB_KEY_ID_…`. */
  serial: string;
  apiV3Key: string;
  transaction: WechatpayTransactionFields;
  /** Shallow-merged over the decrypted transaction, e.g. `{ amount: { total: 1.5 } }` for a malformed amount. */
  transactionOverrides?: Record<string, unknown>;
  timestamp?: number | string;
  nonce?: string;
  /** The 12-character resource nonce (GCM IV). */
  resourceNonce?: string;
  /** Defaults to "transaction"; null leaves the field out of the resource. */
  associatedData?: string | null;
  eventType?: string;
  algorithm?: string;
  notificationId?: string;
  createTime?: Date;
}

export interface SignedWechatpayNotification {
  headers: Record<string, string>;
  rawBody: Buffer;
  /** The outer JSON body as sent. */
  notification: Record<string, unknown>;
  /** The decrypted resource. */
  transaction: Record<string, unknown>;
}

export function buildWechatpayNotification(o: WechatpayNotificationOptions): SignedWechatpayNotification {
  const transaction = { ...wechatpayTransaction(o.transaction), ...o.transactionOverrides };
  const resourceNonce = o.resourceNonce ?? crypto.randomBytes(6).toString('hex');
  const associatedData = o.associatedData === undefined ? 'transaction' : o.associatedData;
  const resource: Record<string, unknown> = {
    original_type: 'transaction',
    algorithm: o.algorithm ?? 'AEAD_AES_256_GCM',
    ciphertext: encryptWechatpayResource(o.apiV3Key, JSON.stringify(transaction), resourceNonce, associatedData ?? ''),
    ...(associatedData === null ? {} : { associated_data: associatedData }),
    nonce: resourceNonce,
  };
  const notification = {
    id: o.notificationId ?? crypto.randomUUID(),
    create_time: formatWechatpayTime(o.createTime ?? new Date()),
    resource_type: 'encrypt-resource',
    event_type: o.eventType ?? 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource,
  };
  const rawBody = Buffer.from(JSON.stringify(notification), 'utf8');
  const headers = signWechatpayHeaders({ privateKey: o.privateKey, serial: o.serial, rawBody, timestamp: o.timestamp, nonce: o.nonce });
  return { headers, rawBody, notification, transaction };
}
