import crypto from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import { formatYuan, parseYuan } from '../../lib/money.js';
import { alipayReply, parseAlipayTime, verifyAlipayNotification } from '../channels/alipay.js';
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

/** What the channel says about an order when asked (to catch a notification that never came). */
export interface OrderQueryResult {
  paid: boolean;
  state: string;
  channelTradeNo: string | null;
  amount: bigint | null;
  paidAt: Date | null;
}

export interface PaymentChannelAdapter {
  /** Asks the channel about an order; its answer is verified like a notification. */
  query(channel: Channel, order: PaymentOrder): Promise<OrderQueryResult>;
  verify(channel: Channel, req: NotifyRequest): AdapterVerdict;
  reply(ok: boolean, reason?: string): ChannelReply;
  /** What the member's client needs to pay: a URL to open, or parameters for the channel's SDK. */
  checkout(channel: Channel, order: PaymentOrder, context: { notifyUrl: string; clientIp: string }): Promise<Record<string, unknown>>;
}

/** Signs a request to the WeChat Pay API (Authorization: WECHATPAY2-SHA256-RSA2048 …). */
function wechatAuthorization(channel: Channel, method: string, pathWithQuery: string, body: string): string {
  const config = channel.config as { mchid: string; merchantSerial?: string };
  const key = channel.secrets.merchantPrivateKeyPem;
  if (!key || !config.merchantSerial) throw new AppError('BAD_REQUEST', 'This WeChat Pay channel has no merchant key or certificate serial configured');
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = crypto.randomBytes(16).toString('hex');
  const signature = crypto.sign('sha256', Buffer.from(`${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`), key).toString('base64');
  return `WECHATPAY2-SHA256-RSA2048 mchid="${config.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${config.merchantSerial}"`;
}

/** WeChat signs its API answers like its notifications; an unsigned answer is not believed. */
function verifyWechatResponse(channel: Channel, headers: Headers, body: string): boolean {
  const keys = (channel.config as { platformKeys: WechatpayPlatformKey[] }).platformKeys;
  const serial = headers.get('wechatpay-serial') ?? '';
  const entry = keys.find((k) => k.serial.toLowerCase() === serial.toLowerCase());
  const pemKey = entry?.publicKeyPem ?? (entry?.certificatePem ? new crypto.X509Certificate(entry.certificatePem).publicKey : undefined);
  const signature = headers.get('wechatpay-signature') ?? '';
  if (!pemKey || signature.startsWith('WECHATPAY/SIGNTEST/')) return false;
  const message = `${headers.get('wechatpay-timestamp')}\n${headers.get('wechatpay-nonce')}\n${body}\n`;
  try {
    return crypto.verify('sha256', Buffer.from(message), pemKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

async function callChannel(url: string, init: RequestInit, what: string): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(10_000) }).catch((err: Error) => {
    throw new AppError('UNAVAILABLE', `${what} cannot be reached: ${err.message}`);
  });
}

const wechatpay: PaymentChannelAdapter = {
  async query(channel, order) {
    const config = channel.config as { mchid: string; apiBase?: string };
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(order.orderNo)}?mchid=${config.mchid}`;
    const res = await callChannel(`${config.apiBase ?? 'https://api.mch.weixin.qq.com'}${path}`, {
      headers: { accept: 'application/json', authorization: wechatAuthorization(channel, 'GET', path, '') },
    }, 'WeChat Pay');
    const text = await res.text();
    if (!verifyWechatResponse(channel, res.headers, text)) throw new AppError('UNAVAILABLE', 'WeChat Pay answered without a valid signature');
    const answer = JSON.parse(text) as { trade_state?: string; transaction_id?: string; amount?: { total?: number }; success_time?: string; message?: string };
    if (!res.ok) {
      if (res.status === 404) return { paid: false, state: 'NOTPAY', channelTradeNo: null, amount: null, paidAt: null };
      throw new AppError('UNAVAILABLE', `WeChat Pay refused the query: ${answer.message ?? res.status}`);
    }
    const total = answer.amount?.total;
    return {
      paid: answer.trade_state === 'SUCCESS',
      state: answer.trade_state ?? 'UNKNOWN',
      channelTradeNo: answer.transaction_id ?? null,
      amount: Number.isSafeInteger(total) ? BigInt(total!) : null,
      paidAt: answer.success_time ? new Date(answer.success_time) : null,
    };
  },
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
    const config = channel.config as { mchid: string; appid: string; apiBase?: string };
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
    const res = await callChannel(`${config.apiBase ?? 'https://api.mch.weixin.qq.com'}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: wechatAuthorization(channel, 'POST', path, body) },
      body,
    }, 'WeChat Pay');
    const answer = (await res.json().catch(() => ({}))) as { h5_url?: string; message?: string };
    if (!res.ok || !answer.h5_url) throw new AppError('UNAVAILABLE', `WeChat Pay refused the order: ${answer.message ?? res.status}`);
    return { h5Url: answer.h5_url };
  },
};

const beijingTime = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);

/** Signs an Alipay request: every parameter but `sign` (sign_type included, unlike notifications), sorted. */
function signAlipayRequest(channel: Channel, method: string, bizContent: Record<string, unknown>, extra: Record<string, string> = {}): Record<string, string> {
  const config = channel.config as { appId: string };
  const key = channel.secrets.appPrivateKeyPem;
  if (!key) throw new AppError('BAD_REQUEST', 'This Alipay channel has no application private key configured');
  const params: Record<string, string> = {
    app_id: config.appId,
    method,
    format: 'JSON',
    charset: 'utf-8',
    sign_type: 'RSA2',
    timestamp: beijingTime(new Date()),
    version: '1.0',
    ...extra,
    biz_content: JSON.stringify(bizContent),
  };
  const content = Object.entries(params)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  params.sign = crypto.sign('sha256', Buffer.from(content), key).toString('base64');
  return params;
}

/** The exact text of `"<name>": {...}` in an Alipay answer: its signature covers those bytes. */
function jsonMemberText(text: string, name: string): string | null {
  const at = text.indexOf(`"${name}"`);
  if (at < 0) return null;
  const start = text.indexOf('{', at);
  let depth = 0;
  let inString = false;
  for (let i = start; i >= 0 && i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}

const alipay: PaymentChannelAdapter = {
  async query(channel, order) {
    const config = channel.config as { alipayPublicKeyPem: string; gateway?: string };
    const params = signAlipayRequest(channel, 'alipay.trade.query', { out_trade_no: order.orderNo });
    const res = await callChannel(config.gateway ?? 'https://openapi.alipay.com/gateway.do', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: new URLSearchParams(params).toString(),
    }, 'Alipay');
    const text = await res.text();
    const signed = jsonMemberText(text, 'alipay_trade_query_response');
    const sign = (JSON.parse(text) as { sign?: string }).sign ?? '';
    let authentic = false;
    try {
      authentic = signed !== null && crypto.verify('sha256', Buffer.from(signed), config.alipayPublicKeyPem, Buffer.from(sign, 'base64'));
    } catch {
      authentic = false;
    }
    if (!authentic) throw new AppError('UNAVAILABLE', 'Alipay answered without a valid signature');
    const answer = JSON.parse(signed!) as { code?: string; sub_code?: string; trade_status?: string; trade_no?: string; total_amount?: string; send_pay_date?: string };
    if (answer.code !== '10000') {
      if (answer.sub_code === 'ACQ.TRADE_NOT_EXIST') return { paid: false, state: 'TRADE_NOT_EXIST', channelTradeNo: null, amount: null, paidAt: null };
      throw new AppError('UNAVAILABLE', `Alipay refused the query: ${answer.sub_code ?? answer.code}`);
    }
    let amount: bigint | null = null;
    try {
      amount = answer.total_amount ? parseYuan(answer.total_amount) : null;
    } catch {
      amount = null;
    }
    const paid = answer.trade_status === 'TRADE_SUCCESS' || answer.trade_status === 'TRADE_FINISHED';
    return { paid, state: answer.trade_status ?? 'UNKNOWN', channelTradeNo: answer.trade_no ?? null, amount, paidAt: answer.send_pay_date ? (parseAlipayTime(answer.send_pay_date) ?? null) : null };
  },
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
    const config = channel.config as { gateway?: string };
    const params = signAlipayRequest(
      channel,
      'alipay.trade.wap.pay',
      {
        out_trade_no: order.orderNo,
        total_amount: formatYuan(order.amount),
        subject: order.purpose === 'entry_fee' ? '商联入驻费' : '商联等级升级',
        product_code: 'QUICK_WAP_WAY',
        time_expire: beijingTime(order.expiresAt),
      },
      { notify_url: context.notifyUrl },
    );
    return { payUrl: `${config.gateway ?? 'https://openapi.alipay.com/gateway.do'}?${new URLSearchParams(params).toString()}` };
  },
};

export const paymentAdapters: Partial<Record<Channel['kind'], PaymentChannelAdapter>> = { wechatpay, alipay };
