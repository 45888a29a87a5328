import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alipayReply, alipaySignContent, parseAlipayForm, parseAlipayTime, verifyAlipayNotification } from './alipay.js';
import {
  alipayNotificationParams,
  buildAlipayNotification,
  encodeAlipayForm,
  signAlipayParams,
  type AlipayNotificationOptions,
} from './alipay.testing.js';

const alipay = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const alipayPublicKeyPem = alipay.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const APP_ID = '2015102700040153';
const SELLER_ID = '2088102119685838';
const expected = { appId: APP_ID, sellerId: SELLER_ID };

const fields = {
  appId: APP_ID,
  sellerId: SELLER_ID,
  outTradeNo: '6823789339978248',
  tradeNo: '2015042721001004330000121536',
  totalAmount: '20.00',
  gmtPayment: '2015-04-27 15:45:57',
  notifyId: '4a91b7a78a503640467525113fb7d8bg8e',
};

function notify(o: Partial<AlipayNotificationOptions> = {}) {
  return buildAlipayNotification({ privateKey: alipay.privateKey, fields, ...o });
}

function verify(rawBody: Buffer | string, key = alipayPublicKeyPem) {
  return verifyAlipayNotification({ rawBody, alipayPublicKeyPem: key, expected });
}

function expectRefused(verdict: ReturnType<typeof verify>, status: 400 | 401, reason: RegExp) {
  expect(verdict).toMatchObject({ ok: false, status });
  if (!verdict.ok) expect(verdict.reason).toMatch(reason);
}

describe('Alipay notification: accepted', () => {
  it('verifies a TRADE_SUCCESS notification with the documented fields', () => {
    const { rawBody, params } = notify();
    expect(Object.keys(params)).toEqual(expect.arrayContaining([
      'gmt_create', 'charset', 'seller_email', 'subject', 'sign', 'buyer_id', 'invoice_amount', 'notify_id', 'fund_bill_list',
      'notify_type', 'trade_status', 'receipt_amount', 'app_id', 'buyer_pay_amount', 'sign_type', 'seller_id', 'gmt_payment',
      'notify_time', 'version', 'out_trade_no', 'total_amount', 'trade_no', 'auth_app_id', 'buyer_logon_id', 'point_amount',
    ]));
    expect(rawBody).toContain('fund_bill_list=%5B%7B%22amount%22');
    const verdict = verify(rawBody);
    expect(verdict).toEqual({
      ok: true,
      paid: true,
      tradeStatus: 'TRADE_SUCCESS',
      outTradeNo: '6823789339978248',
      channelTradeNo: '2015042721001004330000121536',
      amountFen: 2000n,
      notifyId: '4a91b7a78a503640467525113fb7d8bg8e',
      paidAt: new Date('2015-04-27T07:45:57Z'),
      raw: params,
    });
  });

  it('verifies a body signed by hand from the documented rule, not the helper', () => {
    const params: Record<string, string> = {
      trade_status: 'TRADE_SUCCESS', app_id: APP_ID, seller_id: SELLER_ID, out_trade_no: 'X1', trade_no: 'T1',
      notify_id: 'N1', total_amount: '0.01', body: '', charset: 'utf-8',
    };
    // Sorted keys, empty `body` left out, sign and sign_type not included.
    const content = 'app_id=2015102700040153&charset=utf-8&notify_id=N1&out_trade_no=X1&seller_id=2088102119685838&total_amount=0.01&trade_no=T1&trade_status=TRADE_SUCCESS';
    expect(alipaySignContent({ ...params, sign: 'x', sign_type: 'RSA2' })).toBe(content);
    const sign = crypto.createSign('RSA-SHA256').update(content, 'utf8').sign(alipay.privateKey, 'base64');
    const rawBody = Object.entries({ ...params, sign, sign_type: 'RSA2' }).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    expect(verify(rawBody)).toMatchObject({ ok: true, paid: true, amountFen: 1n });
  });

  it('treats TRADE_FINISHED as paid, and WAIT_BUYER_PAY and TRADE_CLOSED as not paid', () => {
    expect(verify(notify({ overrides: { trade_status: 'TRADE_FINISHED' } }).rawBody)).toMatchObject({ ok: true, paid: true, tradeStatus: 'TRADE_FINISHED' });
    const waiting = verify(notify({ fields: { ...fields, tradeStatus: 'WAIT_BUYER_PAY', gmtPayment: undefined } }).rawBody);
    expect(waiting).toMatchObject({ ok: true, paid: false, tradeStatus: 'WAIT_BUYER_PAY', amountFen: 2000n });
    expect(waiting).not.toHaveProperty('paidAt');
    expect(verify(notify({ overrides: { trade_status: 'TRADE_CLOSED' } }).rawBody)).toMatchObject({ ok: true, paid: false, tradeStatus: 'TRADE_CLOSED' });
  });

  it('round-trips "+", spaces, Chinese, "=", "&" and "%" through form encoding', () => {
    const subject = '商联 A+B=C&D 100% 测试';
    const { rawBody } = notify({ overrides: { subject, body: ' lead & trail ' } });
    expect(rawBody).toContain('subject=%E5%95%86%E8%81%94+A%2BB%3DC%26D+100%25');
    const verdict = verify(rawBody);
    expect(verdict).toMatchObject({ ok: true, raw: { subject, body: ' lead & trail ' } });
    // Spaces as %20 instead of "+" decode to the same values.
    expect(verify(rawBody.replaceAll('+', '%20'))).toMatchObject({ ok: true, raw: { subject } });
    // An unescaped "+" would be read as a space, and so no longer match.
    expectRefused(verify(rawBody.replace('A%2BB', 'A+B')), 401, /does not match/);
  });

  it('accepts a Buffer body, the key as bare base64 and as PEM with surrounding whitespace', () => {
    const { rawBody } = notify();
    expect(verify(Buffer.from(rawBody, 'utf8'))).toMatchObject({ ok: true });
    const bare = alipay.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(verify(rawBody, bare)).toMatchObject({ ok: true });
    expect(verify(rawBody, `\n${alipayPublicKeyPem}\n`)).toMatchObject({ ok: true });
  });

  it('ignores empty parameters when signing, as Alipay does', () => {
    const { rawBody } = notify({ overrides: { passback_params: '' } });
    expect(rawBody).toContain('passback_params=&');
    expect(verify(rawBody)).toMatchObject({ ok: true });
  });
});

describe('Alipay notification: refused at the signature', () => {
  it('refuses a notification signed with another key, or checked with an unusable key', () => {
    expectRefused(verify(notify({ privateKey: stranger.privateKey }).rawBody), 401, /does not match/);
    expectRefused(verify(notify().rawBody, 'not a key'), 401, /usable/);
  });

  it('refuses an altered value, an added parameter and a removed one', () => {
    const { params } = notify();
    expectRefused(verify(encodeAlipayForm({ ...params, total_amount: '2000.00' })), 401, /does not match/);
    expectRefused(verify(encodeAlipayForm({ ...params, extra: 'x' })), 401, /does not match/);
    const removed = { ...params };
    delete removed.buyer_id;
    expectRefused(verify(encodeAlipayForm(removed)), 401, /does not match/);
  });

  it('refuses a missing sign, a bad base64 sign and a sign_type other than RSA2', () => {
    const { params } = notify();
    const unsigned = { ...params };
    delete unsigned.sign;
    expectRefused(verify(encodeAlipayForm(unsigned)), 401, /sign is missing/);
    expectRefused(verify(encodeAlipayForm({ ...params, sign: '' })), 401, /sign is missing/);
    expectRefused(verify(encodeAlipayForm({ ...params, sign: `${params.sign!}!` })), 401, /not base64/);
    expectRefused(verify(notify({ signType: 'RSA' }).rawBody), 401, /not RSA2/);
    const noType = { ...params };
    delete noType.sign_type;
    expectRefused(verify(encodeAlipayForm(noType)), 401, /not RSA2/);
  });

  it('refuses a repeated parameter and a non-UTF-8 charset', () => {
    const { rawBody } = notify();
    expectRefused(verify(`${rawBody}&out_trade_no=other`), 400, /more than once/);
    expectRefused(verify(notify({ overrides: { charset: 'GBK' } }).rawBody), 400, /charset/);
    expectRefused(verify(Buffer.from([0x61, 0x3d, 0xff])), 400, /UTF-8/);
  });
});

describe('Alipay notification: refused after the signature', () => {
  it('refuses another app_id or seller_id', () => {
    expectRefused(verify(notify({ overrides: { app_id: '2015102700000000' } }).rawBody), 400, /app_id/);
    expectRefused(verify(notify({ overrides: { seller_id: '2088000000000000' } }).rawBody), 400, /seller_id/);
  });

  it.each(['20.001', '2e3', '2E1', '-20.00', '+20.00', '1,000.00', ' 20.00', '020.00', '20.', '.5', 'NaN', ''])(
    'refuses total_amount %j',
    (total) => {
      expectRefused(verify(notify({ overrides: { total_amount: total } }).rawBody), 400, /total_amount/);
    },
  );

  it('accepts total_amount with 0, 1 or 2 decimals', () => {
    expect(verify(notify({ overrides: { total_amount: '20' } }).rawBody)).toMatchObject({ ok: true, amountFen: 2000n });
    expect(verify(notify({ overrides: { total_amount: '0.5' } }).rawBody)).toMatchObject({ ok: true, amountFen: 50n });
    expect(verify(notify({ overrides: { total_amount: '99999999.99' } }).rawBody)).toMatchObject({ ok: true, amountFen: 9999999999n });
  });

  it('refuses missing identifiers and an impossible gmt_payment', () => {
    for (const name of ['trade_status', 'out_trade_no', 'trade_no', 'notify_id']) {
      expectRefused(verify(notify({ overrides: { [name]: undefined } }).rawBody), 400, new RegExp(name));
    }
    expectRefused(verify(notify({ overrides: { gmt_payment: '2015-02-29 10:00:00' } }).rawBody), 400, /gmt_payment/);
    expectRefused(verify(notify({ overrides: { gmt_payment: '2015-04-27T15:45:57' } }).rawBody), 400, /gmt_payment/);
  });
});

describe('Alipay helpers', () => {
  it('alipayReply is the plain text Alipay expects', () => {
    expect(alipayReply(true)).toBe('success');
    expect(alipayReply(false)).toBe('fail');
  });

  it('parseAlipayTime reads Beijing wall-clock time', () => {
    expect(parseAlipayTime('2015-04-27 15:45:57')).toEqual(new Date('2015-04-27T07:45:57Z'));
    expect(parseAlipayTime('2024-01-01 00:00:00')).toEqual(new Date('2023-12-31T16:00:00Z'));
    expect(parseAlipayTime('2015-04-27 24:00:00')).toBeUndefined();
  });

  it('parseAlipayForm keeps decoded values and treats __proto__ as a plain key', () => {
    const parsed = parseAlipayForm('a=1+2&b=%2B&__proto__=x&c=');
    expect(parsed).toEqual({ a: '1 2', b: '+', ['__proto__']: 'x', c: '' });
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('signAlipayParams replaces an existing sign rather than signing it', () => {
    const params = alipayNotificationParams(fields);
    const once = signAlipayParams(alipay.privateKey, params);
    expect(signAlipayParams(alipay.privateKey, once)).toEqual(once);
  });
});
