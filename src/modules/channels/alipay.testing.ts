import crypto from 'node:crypto';
import { alipaySignContent } from './alipay.js';

/**
 * Builds Alipay asynchronous notifications (异步通知) the way Alipay sends
 * them, for tests, the sandbox channel and end-to-end runs. Nothing here is
 * used in production paths.
 */

export interface AlipayNotificationFields {
  appId: string;
  sellerId: string;
  outTradeNo: string;
  tradeNo: string;
  /** Yuan as Alipay writes it, e.g. "20.00". */
  totalAmount: string;
  tradeStatus?: string;
  /** "YYYY-MM-DD HH:mm:ss" Beijing time; defaults to now for paid statuses, absent otherwise. */
  gmtPayment?: string;
  notifyId?: string;
  subject?: string;
  buyerId?: string;
}

/** Beijing wall-clock time as Alipay writes it: "2015-04-27 15:45:57". */
export function formatAlipayTime(date: Date): string {
  const iso = new Date(date.getTime() + 8 * 3_600_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The unsigned parameters of a trade_status_sync notification, with the documented names. */
export function alipayNotificationParams(f: AlipayNotificationFields): Record<string, string> {
  const now = formatAlipayTime(new Date());
  const tradeStatus = f.tradeStatus ?? 'TRADE_SUCCESS';
  const paid = tradeStatus === 'TRADE_SUCCESS' || tradeStatus === 'TRADE_FINISHED';
  const gmtPayment = f.gmtPayment ?? (paid ? now : undefined);
  return {
    gmt_create: gmtPayment ?? now,
    charset: 'UTF-8',
    seller_email: 'merchant@example.com',
    subject: f.subject ?? '商联订单',
    buyer_id: f.buyerId ?? '2088102122524333',
    invoice_amount: f.totalAmount,
    notify_id: f.notifyId ?? crypto.randomBytes(17).toString('hex'),
    fund_bill_list: JSON.stringify([{ amount: f.totalAmount, fundChannel: 'ALIPAYACCOUNT' }]),
    notify_type: 'trade_status_sync',
    trade_status: tradeStatus,
    receipt_amount: f.totalAmount,
    app_id: f.appId,
    buyer_pay_amount: f.totalAmount,
    seller_id: f.sellerId,
    ...(gmtPayment === undefined ? {} : { gmt_payment: gmtPayment }),
    notify_time: now,
    version: '1.0',
    out_trade_no: f.outTradeNo,
    total_amount: f.totalAmount,
    trade_no: f.tradeNo,
    auth_app_id: f.appId,
    buyer_logon_id: 'mer***@example.com',
    point_amount: '0.00',
  };
}

/** Adds sign_type and an RSA2 (SHA256withRSA, base64) `sign` over the sorted, non-empty parameters. */
export function signAlipayParams(
  privateKey: crypto.KeyObject | string,
  params: Readonly<Record<string, string>>,
  signType = 'RSA2',
): Record<string, string> {
  const unsigned = { ...params };
  delete unsigned.sign;
  const key = typeof privateKey === 'string' ? crypto.createPrivateKey(privateKey) : privateKey;
  const sign = crypto
    .sign('sha256', Buffer.from(alipaySignContent(unsigned), 'utf8'), { key, padding: crypto.constants.RSA_PKCS1_PADDING })
    .toString('base64');
  return { ...unsigned, sign, sign_type: signType };
}

/** application/x-www-form-urlencoded, UTF-8 (spaces become "+", "+" becomes %2B). */
export function encodeAlipayForm(params: Readonly<Record<string, string>>): string {
  return new URLSearchParams(Object.entries(params)).toString();
}

export interface AlipayNotificationOptions {
  privateKey: crypto.KeyObject | string;
  fields: AlipayNotificationFields;
  /** Applied before signing; undefined removes a parameter. */
  overrides?: Record<string, string | undefined>;
  signType?: string;
}

/** A complete, correctly signed notification body. */
export function buildAlipayNotification(o: AlipayNotificationOptions): { rawBody: string; params: Record<string, string> } {
  const params: Record<string, string> = alipayNotificationParams(o.fields);
  for (const [key, value] of Object.entries(o.overrides ?? {})) {
    if (value === undefined) delete params[key];
    else params[key] = value;
  }
  const signed = signAlipayParams(o.privateKey, params, o.signType);
  return { rawBody: encodeAlipayForm(signed), params: signed };
}
