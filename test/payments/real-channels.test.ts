import crypto from 'node:crypto';
import http from 'node:http';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMembers } from '../helpers/members.js';
import { markApproved } from '../helpers/onboarding.js';
import { queryRows } from '../../src/db/client.js';
import { buildAlipayNotification, formatAlipayTime } from '../../src/modules/channels/alipay.testing.js';
import { buildWechatpayNotification } from '../../src/modules/channels/wechatpay.testing.js';
import { platformBalance } from '../../src/modules/ledger/ledger.service.js';
import { createOrder } from '../../src/modules/payments/payments.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';

const wxPlatform = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const wxMerchant = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const aliPlatform = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const aliApp = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (k: crypto.KeyObject) => k.export({ type: k.type === 'public' ? 'spki' : 'pkcs8', format: 'pem' }).toString();
const PUB_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000000001';
const API_V3_KEY = 'a7cde1ZJB1kG2e7VfTs3jQzaUizur8Gb';

let ctx: TestContext;
let member: { token: string; memberId: number };
let fakeWechat: http.Server;
let fakeWechatUrl = '';
const fakeWechatCalls: { authorization: string; body: string }[] = [];
/** What the fake channels report as paid, by order number (fen). */
const paidAtChannel = new Map<string, bigint>();
let fakeAlipay: http.Server;
let fakeAlipayUrl = '';

/** WeChat signs its answers like its notifications. */
function wechatSignedHeaders(body: string) {
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = crypto.randomBytes(8).toString('hex');
  const signature = crypto.sign('sha256', Buffer.from(`${ts}\n${nonce}\n${body}\n`), wxPlatform.privateKey).toString('base64');
  return { 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': PUB_KEY_ID };
}

beforeAll(async () => {
  // WeChat Pay's order API, as far as this test needs it: checks our request signature, answers an h5_url.
  fakeWechat = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const auth = String(req.headers.authorization ?? '');
      const field = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(auth)?.[1] ?? '';
      const message = `${req.method}\n${req.url}\n${field('timestamp')}\n${field('nonce_str')}\n${body}\n`;
      const ok = crypto.verify('sha256', Buffer.from(message), wxMerchant.publicKey, Buffer.from(field('signature'), 'base64'));
      fakeWechatCalls.push({ authorization: auth, body });
      if (req.method === 'GET' && ok) {
        const orderNo = decodeURIComponent(/out-trade-no\/([^?]+)/.exec(req.url ?? '')?.[1] ?? '');
        const amount = paidAtChannel.get(orderNo);
        const answer = JSON.stringify(amount === undefined ? { code: 'ORDER_NOT_EXIST', message: '订单不存在' } : { trade_state: 'SUCCESS', transaction_id: `4200Q${orderNo.slice(-6)}`, amount: { total: Number(amount), currency: 'CNY' }, success_time: new Date().toISOString() });
        res.writeHead(amount === undefined ? 404 : 200, { 'content-type': 'application/json', ...wechatSignedHeaders(answer) });
        res.end(answer);
        return;
      }
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { h5_url: 'https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&package=1' } : { code: 'SIGN_ERROR', message: 'bad signature' }));
    });
  });
  await new Promise<void>((r) => fakeWechat.listen(0, '127.0.0.1', r));
  fakeWechatUrl = `http://127.0.0.1:${(fakeWechat.address() as { port: number }).port}`;

  // Alipay's gateway for alipay.trade.query: checks our signature, answers signed.
  fakeAlipay = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      const { sign, ...rest } = params;
      const content = Object.keys(rest).sort().map((k) => `${k}=${rest[k]}`).join('&');
      const ok = crypto.verify('sha256', Buffer.from(content), aliApp.publicKey, Buffer.from(sign ?? '', 'base64'));
      const orderNo = ok ? (JSON.parse(params.biz_content ?? '{}') as { out_trade_no?: string }).out_trade_no ?? '' : '';
      const amount = paidAtChannel.get(orderNo);
      const inner = JSON.stringify(
        !ok ? { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature' }
          : amount === undefined ? { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST' }
          : { code: '10000', msg: 'Success', trade_no: `2024Q${orderNo.slice(-6)}`, out_trade_no: orderNo, trade_status: 'TRADE_SUCCESS', total_amount: `${amount / 100n}.${String(amount % 100n).padStart(2, '0')}`, send_pay_date: '2026-11-22 10:00:00' },
      );
      const signature = crypto.sign('sha256', Buffer.from(inner), aliPlatform.privateKey).toString('base64');
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      res.end(`{"alipay_trade_query_response":${inner},"sign":"${signature}"}`);
    });
  });
  await new Promise<void>((r) => fakeAlipay.listen(0, '127.0.0.1', r));
  fakeAlipayUrl = `http://127.0.0.1:${(fakeAlipay.address() as { port: number }).port}/gateway.do`;

  ctx = await createTestContext({ PUBLIC_BASE_URL: 'https://pay.example.com' });
  const owner = await ctx.staffToken(['owner']);
  const wx = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/channels',
    headers: bearer(owner.token),
    payload: {
      id: 'wx',
      kind: 'wechatpay',
      name: '微信支付',
      config: { mchid: '1230000109', appid: 'wxd678efh567hg6787', merchantSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', platformKeys: [{ serial: PUB_KEY_ID, publicKeyPem: pem(wxPlatform.publicKey) }], apiBase: fakeWechatUrl },
      secrets: { apiV3Key: API_V3_KEY, merchantPrivateKeyPem: pem(wxMerchant.privateKey) },
    },
  });
  expect(wx.statusCode, wx.body).toBe(201);
  expect(wx.body).not.toContain(API_V3_KEY);
  const ali = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/channels',
    headers: bearer(owner.token),
    payload: {
      id: 'ali',
      kind: 'alipay',
      name: '支付宝',
      config: { appId: '2014072300007148', sellerId: '2088101106499364', alipayPublicKeyPem: pem(aliPlatform.publicKey), gateway: fakeAlipayUrl },
      secrets: { appPrivateKeyPem: pem(aliApp.privateKey) },
    },
  });
  expect(ali.statusCode, ali.body).toBe(201);
  member = await ctx.registerMember('13500000777');
  await markApproved(ctx.database.db, member.memberId);
});
/** A fresh member whose application is approved: one entry fee each. */
async function approvedMember() {
  const [id] = await insertMembers(ctx.database.db, 1);
  await markApproved(ctx.database.db, id!);
  return id!;
}

afterAll(async () => {
  await ctx.close();
  await new Promise((r) => fakeWechat.close(r));
  await new Promise((r) => fakeAlipay.close(r));
});

const wechatNotice = (orderNo: string, amountFen: bigint, transactionId = `42000${crypto.randomInt(1e9)}`) =>
  buildWechatpayNotification({
    privateKey: wxPlatform.privateKey,
    serial: PUB_KEY_ID,
    apiV3Key: API_V3_KEY,
    transaction: { mchid: '1230000109', appid: 'wxd678efh567hg6787', outTradeNo: orderNo, transactionId, amountFen, successTime: new Date() },
  });
const postWechat = (n: { headers: Record<string, string>; rawBody: Buffer }) =>
  ctx.app.inject({ method: 'POST', url: '/api/payments/notify/wx', headers: { ...n.headers, 'content-type': 'application/json' }, payload: n.rawBody });
const orderStatus = async (orderNo: string) => (await queryRows<{ status: string }>(ctx.database.db, sql`select status from payment_orders where order_no = ${orderNo}`))[0]?.status;

describe('WeChat Pay', () => {
  it('checkout asks WeChat for an H5 payment, with a correctly signed request', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/member/payments', headers: bearer(member.token), payload: { purpose: 'entry_fee', channel: 'wx' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().pay.h5Url).toContain('prepay_id');
    const call = JSON.parse(fakeWechatCalls.at(-1)!.body);
    expect(call).toMatchObject({ mchid: '1230000109', out_trade_no: res.json().orderNo, notify_url: 'https://pay.example.com/api/payments/notify/wx', amount: { total: 99900, currency: 'CNY' } });
  });

  it('a verified notification pays the order once (204 with no body); replays change nothing', async () => {
    const order = await createOrder(ctx.database.db, { memberId: await approvedMember(), purpose: 'entry_fee', channelId: 'wx' });
    const before = await platformBalance(ctx.database.db, 'channel:clearing');
    const n = wechatNotice(order.orderNo, order.amount);
    const res = await postWechat(n);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await orderStatus(order.orderNo)).toBe('paid');
    expect((await postWechat(n)).statusCode).toBe(204);
    expect(await platformBalance(ctx.database.db, 'channel:clearing')).toBe(before + order.amount);
  });

  it('a forged or altered notification gets {"code":"FAIL"} and writes nothing', async () => {
    const order = await createOrder(ctx.database.db, { memberId: await approvedMember(), purpose: 'entry_fee', channelId: 'wx' });
    const n = wechatNotice(order.orderNo, order.amount);
    const altered = Buffer.from(n.rawBody);
    altered[altered.length - 3] = altered[altered.length - 3]! ^ 1;
    const res = await postWechat({ headers: n.headers, rawBody: altered });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'FAIL' });
    const probe = await postWechat({ headers: { ...n.headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/abc' }, rawBody: n.rawBody });
    expect(probe.statusCode).toBe(401);
    expect(await orderStatus(order.orderNo)).toBe('pending');
    const rows = await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from payment_notifications where order_no = ${order.orderNo}`);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it.skipIf(!onPostgres)('the same notification 100 times in parallel has one effect', async () => {
    const order = await createOrder(ctx.database.db, { memberId: await approvedMember(), purpose: 'entry_fee', channelId: 'wx' });
    const n = wechatNotice(order.orderNo, order.amount);
    const responses = await Promise.all(Array.from({ length: 100 }, () => postWechat(n)));
    expect(responses.every((r) => r.statusCode === 204)).toBe(true);
    const entries = await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from ledger_entries where idempotency_key = ${`payment:${order.orderNo}`}`);
    expect(Number(entries[0]!.n)).toBe(1);
    const events = await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from outbox_events where type = 'payment_confirmed' and payload->>'orderNo' = ${order.orderNo}`);
    expect(Number(events[0]!.n)).toBe(1);
  });
});

describe('Alipay', () => {
  const aliNotice = (orderNo: string, totalAmount: string, tradeStatus = 'TRADE_SUCCESS') =>
    buildAlipayNotification({
      privateKey: aliPlatform.privateKey,
      fields: { appId: '2014072300007148', sellerId: '2088101106499364', outTradeNo: orderNo, tradeNo: `2024${crypto.randomInt(1e9)}`, totalAmount, tradeStatus, notifyId: crypto.randomUUID(), gmtPayment: formatAlipayTime(new Date()) },
    });
  const postAli = (rawBody: string) => ctx.app.inject({ method: 'POST', url: '/api/payments/notify/ali', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: rawBody });

  it('checkout gives a wap pay URL signed with the application key', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/member/payments', headers: bearer(member.token), payload: { purpose: 'entry_fee', channel: 'ali' } });
    expect(res.statusCode, res.body).toBe(201);
    const url = new URL(res.json().pay.payUrl);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({ method: 'alipay.trade.wap.pay', app_id: '2014072300007148', sign_type: 'RSA2', notify_url: 'https://pay.example.com/api/payments/notify/ali' });
    expect(JSON.parse(params.biz_content!)).toMatchObject({ out_trade_no: res.json().orderNo, total_amount: '999.00' });
    const { sign, ...rest } = params;
    const content = Object.keys(rest).sort().map((k) => `${k}=${rest[k]}`).join('&');
    expect(crypto.verify('sha256', Buffer.from(content), aliApp.publicKey, Buffer.from(sign!, 'base64'))).toBe(true);
  });

  it('TRADE_SUCCESS pays the order (plain "success"); WAIT_BUYER_PAY changes nothing; a forged one gets "fail"', async () => {
    const order = await createOrder(ctx.database.db, { memberId: await approvedMember(), purpose: 'entry_fee', channelId: 'ali' });
    const waiting = await postAli(aliNotice(order.orderNo, '999.00', 'WAIT_BUYER_PAY').rawBody);
    expect(waiting.body).toBe('success');
    expect(await orderStatus(order.orderNo)).toBe('pending');
    const forged = buildAlipayNotification({
      privateKey: aliApp.privateKey,
      fields: { appId: '2014072300007148', sellerId: '2088101106499364', outTradeNo: order.orderNo, tradeNo: '1', totalAmount: '999.00', tradeStatus: 'TRADE_SUCCESS' },
    });
    const refused = await postAli(forged.rawBody);
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toBe('fail');
    expect(await orderStatus(order.orderNo)).toBe('pending');
    const paid = await postAli(aliNotice(order.orderNo, '999.00').rawBody);
    expect(paid.headers['content-type']).toContain('text/plain');
    expect(paid.body).toBe('success');
    expect(await orderStatus(order.orderNo)).toBe('paid');
  });

  it('a wrong total_amount is recorded as an anomaly and pays nothing', async () => {
    const order = await createOrder(ctx.database.db, { memberId: await approvedMember(), purpose: 'entry_fee', channelId: 'ali' });
    expect((await postAli(aliNotice(order.orderNo, '0.01').rawBody)).body).toBe('success');
    expect(await orderStatus(order.orderNo)).toBe('pending');
    const rows = await queryRows<{ outcome: string }>(ctx.database.db, sql`select outcome from payment_notifications where order_no = ${order.orderNo}`);
    expect(rows).toEqual([{ outcome: 'amount_mismatch' }]);
  });
});

describe('asking the channel about an order', () => {
  it.each(['wx', 'ali'])('%s: finance queries a pending order the channel reports paid, and it is applied once', async (channelId) => {
    const finance = await ctx.staffToken(['finance']);
    const order = await createOrder(ctx.database.db, { memberId: await approvedMember(), purpose: 'entry_fee', channelId });
    const query = () => ctx.app.inject({ method: 'POST', url: `/api/admin/payments/${order.orderNo}/query`, headers: bearer(finance.token) });
    const notYet = await query();
    expect(notYet.statusCode, notYet.body).toBe(200);
    expect(notYet.json()).toMatchObject({ paid: false, outcome: null, order: { status: 'pending' } });
    paidAtChannel.set(order.orderNo, order.amount);
    const paid = await query();
    expect(paid.json()).toMatchObject({ paid: true, outcome: 'applied', order: { status: 'paid' } });
    expect((await query()).json().outcome).toBe('duplicate');
    const entries = await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from ledger_entries where idempotency_key = ${`payment:${order.orderNo}`}`);
    expect(Number(entries[0]!.n)).toBe(1);
  });
});

describe('hostile input at every notification endpoint', () => {
  it('random bytes never cause a 5xx or a write', async () => {
    const count = async () => Number((await queryRows<{ n: unknown }>(ctx.database.db, sql`select (select count(*) from payment_notifications) + (select count(*) from channel_transactions) as n`))[0]!.n);
    const before = await count();
    const targets = [
      { url: '/api/payments/notify/wx', type: 'application/json' },
      { url: '/api/payments/notify/ali', type: 'application/x-www-form-urlencoded' },
      { url: '/api/payments/notify/sandbox', type: 'application/json' },
      { url: '/api/payments/notify/nope', type: 'application/json' },
    ];
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.constantFrom(...targets), fc.dictionary(fc.constantFrom('wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial', 'x-shanglian-timestamp', 'x-shanglian-signature'), fc.string({ maxLength: 40 })), async (bytes, target, headers) => {
        const res = await ctx.app.inject({ method: 'POST', url: target.url, headers: { ...headers, 'content-type': target.type }, payload: Buffer.from(bytes) });
        expect(res.statusCode).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
    expect(await count()).toBe(before);
  });
});
