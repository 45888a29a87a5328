import crypto from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import { formatYuan } from '../../lib/money.js';
import { alipayReply, verifyAlipayNotification } from '../channels/alipay.js';
import type { Channel } from '../channels/channels.service.js';
import { type HeaderValue, verifyWechatpayNotification, type WechatpayPlatformKey, wechatpayReply } from '../channels/wechatpay.js';
import type { PaymentOrder } from './payments.schema.js';
import type { Confirmation } from './payments.service.js';

/**
 * Real payment channels behind one interface: start a payment (what the
 * client needs to pay), verify and parse a notification, and answer it the
 * way the channel expects. The sandbox speaks the same language in
 * sandbox.routes.ts.
 */
export interface NotifyRequest {
  headers: Readonly<Record<string, HeaderValue>>;
  rawBody: Buffer;
}

/** `confirmation: null`: authentic, but nothing to apply yet (e.g. Alipay's WAIT_BUYER_PAY). */
export type AdapterVerdict = { ok: true; confirmation: Omit<Confirmation, 'channelId'> | null } | { ok: false; status: 400 | 401; reason: string };

export interface ChannelReply {
  status: number;
  contentType?: string;
  body?: unknown;
}

export interface PaymentChannelAdapter {
  verify(channel: Channel, req: NotifyRequest): AdapterVerdict;
  reply(ok: boolean, reason?: string): ChannelReply;
  /** What the member's client needs to pay: a URL to open, or parameters for the channel's SDK. */
  checkout(channel: Channel, order: PaymentOrder, context: { notifyUrl: string; clientIp: string }): Promise<Record<string, unknown>>;
}

const wechatpay: PaymentChannelAdapter = {
  verify(channel, req) {
    const config = channel.config as { mchid: string; appid: string; platformKeys: WechatpayPlatformKey[] };
    const verdict = verifyWechatpayNotification({
      headers: req.headers,
      rawBody: req.rawBody,
      platformKeys: config.platformKeys,
      apiV3Key: channel.secrets.apiV3Key ?? '',
      expected: { mchid: config.mchid, appid: config.appid },
    });
    if (!verdict.ok) return verdict;
    return {
      ok: true,
      confirmation: {
        dedupeKey: verdict.channelTradeNo,
        orderNo: verdict.outTradeNo,
        channelTradeNo: verdict.channelTradeNo,
        amount: verdict.amountFen,
        paid: true,
        paidAt: verdict.paidAt,
        detail: { transaction_id: verdict.channelTradeNo },
      },
    };
  },
  reply(ok, reason) {
    const r = wechatpayReply(ok, reason ?? '失败', 400);
    return r.status === 204 ? { status: 204 } : { status: r.status, contentType: 'application/json', body: r.body };
  },
  async checkout(channel, order, context) {
    // H5 payment (手机网站支付): WeChat answers with an h5_url the member's browser opens.
    const config = channel.config as { mchid: string; appid: string; merchantSerial?: string; apiBase?: string };
    const key = channel.secrets.merchantPrivateKeyPem;
    if (!key || !config.merchantSerial) throw new AppError('BAD_REQUEST', 'This WeChat Pay channel has no merchant key or certificate serial configured');
    const path = '/v3/pay/transactions/h5';
    const body = JSON.stringify({
      appid: config.appid,
      mchid: config.mchid,
      description: order.purpose === 'entry_fee' ? '商联入驻费' : '商联等级升级',
      out_trade_no: order.orderNo,
      time_expire: order.expiresAt.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
      notify_url: context.notifyUrl,
      amount: { total: Number(order.amount), currency: 'CNY' },
      scene_info: { payer_client_ip: context.clientIp, h5_info: { type: 'Wap' } },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = crypto.randomBytes(16).toString('hex');
    const signature = crypto.sign('sha256', Buffer.from(`POST\n${path}\n${timestamp}\n${nonce}\n${body}\n`), key).toString('base64');
    const authorization = `WECHATPAY2-SHA256-RSA2048 mchid="${config.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${config.merchantSerial}"`;
    const res = await fetch(`${config.apiBase ?? 'https://api.mch.weixin.qq.com'}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
      body,
      signal: AbortSignal.timeout(10_000),
    }).catch((err: Error) => {
      throw new AppError('UNAVAILABLE', `WeChat Pay cannot be reached: ${err.message}`);
    });
    const answer = (await res.json().catch(() => ({}))) as { h5_url?: string; message?: string };
    if (!res.ok || !answer.h5_url) throw new AppError('UNAVAILABLE', `WeChat Pay refused the order: ${answer.message ?? res.status}`);
    return { h5Url: answer.h5_url };
  },
};

const alipay: PaymentChannelAdapter = {
  verify(channel, req) {
    const config = channel.config as { appId: string; sellerId: string; alipayPublicKeyPem: string };
    const verdict = verifyAlipayNotification({ rawBody: req.rawBody, alipayPublicKeyPem: config.alipayPublicKeyPem, expected: { appId: config.appId, sellerId: config.sellerId } });
    if (!verdict.ok) return verdict;
    // Only a closed trade is a failed payment; other unpaid states (WAIT_BUYER_PAY) are news, not outcomes.
    if (!verdict.paid && verdict.tradeStatus !== 'TRADE_CLOSED') return { ok: true, confirmation: null };
    return {
      ok: true,
      confirmation: {
        dedupeKey: verdict.notifyId,
        orderNo: verdict.outTradeNo,
        channelTradeNo: verdict.channelTradeNo,
        amount: verdict.amountFen,
        paid: verdict.paid,
        paidAt: verdict.paidAt ?? null,
        detail: { trade_status: verdict.tradeStatus, notify_id: verdict.notifyId },
      },
    };
  },
  reply(ok) {
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: alipayReply(ok) };
  },
  async checkout(channel, order, context) {
    // alipay.trade.wap.pay needs no server call: the signed request itself is the URL the browser opens.
    const config = channel.config as { appId: string; gateway?: string };
    const key = channel.secrets.appPrivateKeyPem;
    if (!key) throw new AppError('BAD_REQUEST', 'This Alipay channel has no application private key configured');
    const beijing = new Date(Date.now() + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
    const params: Record<string, string> = {
      app_id: config.appId,
      method: 'alipay.trade.wap.pay',
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: beijing,
      version: '1.0',
      notify_url: context.notifyUrl,
      biz_content: JSON.stringify({
        out_trade_no: order.orderNo,
        total_amount: formatYuan(order.amount),
        subject: order.purpose === 'entry_fee' ? '商联入驻费' : '商联等级升级',
        product_code: 'QUICK_WAP_WAY',
        time_expire: new Date(order.expiresAt.getTime() + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19),
      }),
    };
    // Requests are signed over every parameter but `sign` (sign_type included, unlike notifications).
    const content = Object.entries(params)
      .filter(([, v]) => v !== '')
      .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    params.sign = crypto.sign('sha256', Buffer.from(content), key).toString('base64');
    return { payUrl: `${config.gateway ?? 'https://openapi.alipay.com/gateway.do'}?${new URLSearchParams(params).toString()}` };
  },
};

export const paymentAdapters: Partial<Record<Channel['kind'], PaymentChannelAdapter>> = { wechatpay, alipay };
