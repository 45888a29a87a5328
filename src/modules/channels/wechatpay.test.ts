import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRfc3339, verifyWechatpayNotification, wechatpayReply, type VerifyWechatpayInput, type WechatpayPlatformKey } from './wechatpay.js';
import {
  buildWechatpayNotification,
  encryptWechatpayResource,
  signWechatpayHeaders,
  type WechatpayNotificationOptions,
} from './wechatpay.testing.js';

const platform = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUB_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000000001';
const API_V3_KEY = 'a7cde1ZJB1kG2e7VfTs3jQzaUizur8Gb';
const MCHID = '1230000109';
const APPID = 'wxd678efh567hg6787';
const NOW = new Date('2024-05-20T04:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const PAID_AT = new Date('2024-05-20T03:59:30Z');

const publicKeyPem = platform.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const platformKeys: WechatpayPlatformKey[] = [{ serial: PUB_KEY_ID, publicKeyPem }];

function notify(overrides: Partial<WechatpayNotificationOptions> = {}) {
  return buildWechatpayNotification({
    privateKey: platform.privateKey,
    serial: PUB_KEY_ID,
    apiV3Key: API_V3_KEY,
    timestamp: NOW_S,
    transaction: { mchid: MCHID, appid: APPID, outTradeNo: 'SL20240520000001', transactionId: '4200002215202405201234567890', amountFen: 100n, successTime: PAID_AT },
    ...overrides,
  });
}

function verify(n: { headers: Record<string, string>; rawBody: Buffer | string }, extra: Partial<VerifyWechatpayInput> = {}) {
  return verifyWechatpayNotification({
    headers: n.headers,
    rawBody: n.rawBody,
    platformKeys,
    apiV3Key: API_V3_KEY,
    expected: { mchid: MCHID, appid: APPID },
    now: NOW,
    ...extra,
  });
}

/** Re-sign a modified body correctly, so the refusal must come from what follows the signature. */
function resigned(body: Record<string, unknown>) {
  const rawBody = Buffer.from(JSON.stringify(body), 'utf8');
  return { rawBody, headers: signWechatpayHeaders({ privateKey: platform.privateKey, serial: PUB_KEY_ID, rawBody, timestamp: NOW_S }) };
}

function expectRefused(verdict: ReturnType<typeof verify>, status: 400 | 401, reason: RegExp) {
  expect(verdict).toMatchObject({ ok: false, status });
  if (!verdict.ok) expect(verdict.reason).toMatch(reason);
}

describe('WeChat Pay v3 notification: accepted', () => {
  it('verifies and decrypts a payment notification in public-key mode', () => {
    const n = notify();
    expect(n.headers['wechatpay-serial']).toBe(PUB_KEY_ID);
    expect(n.notification).toMatchObject({ resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功' });
    expect(n.notification.resource).toMatchObject({ original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', associated_data: 'transaction' });
    const verdict = verify(n);
    expect(verdict).toEqual({
      ok: true,
      outTradeNo: 'SL20240520000001',
      channelTradeNo: '4200002215202405201234567890',
      amountFen: 100n,
      paidAt: PAID_AT,
      raw: n.transaction,
    });
    if (verdict.ok) {
      expect(typeof verdict.amountFen).toBe('bigint');
      expect(verdict.raw).toMatchObject({ trade_type: 'JSAPI', trade_state_desc: '支付成功', success_time: '2024-05-20T11:59:30+08:00', payer: { openid: expect.any(String) } });
      expect(verdict.raw.amount).toEqual({ total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' });
    }
  });

  it('accepts a notification built by hand from the documented formula, not the helper', () => {
    const nonce = 'fdasfjihihihlkja484w';
    const resourceNonce = 'fdasflkja484';
    const tx = { mchid: MCHID, appid: APPID, out_trade_no: 'HAND-1', transaction_id: '4200000001', trade_state: 'SUCCESS', success_time: '2018-06-08T10:34:56+08:00', amount: { total: 2500 } };
    const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(API_V3_KEY), Buffer.from(resourceNonce));
    cipher.setAAD(Buffer.from('transaction'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(tx)), cipher.final(), cipher.getAuthTag()]).toString('base64');
    const body = `{"id":"EV-2018022511223320873","create_time":"2018-06-08T10:34:56+08:00","resource_type":"encrypt-resource","event_type":"TRANSACTION.SUCCESS","summary":"支付成功","resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM","ciphertext":"${ciphertext}","associated_data":"transaction","nonce":"${resourceNonce}"}}`;
    const signature = crypto.createSign('RSA-SHA256').update(`${NOW_S}\n${nonce}\n${body}\n`).sign(platform.privateKey, 'base64');
    const headers = { 'wechatpay-timestamp': String(NOW_S), 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': PUB_KEY_ID };
    expect(verify({ headers, rawBody: body })).toMatchObject({ ok: true, outTradeNo: 'HAND-1', amountFen: 2500n, paidAt: new Date('2018-06-08T02:34:56Z') });
  });

  const cert = makeCertificate();
  it.skipIf(!cert)('verifies in certificate mode with an X.509 platform certificate', () => {
    const { certificatePem, privateKeyPem } = cert!;
    const serial = new crypto.X509Certificate(certificatePem).serialNumber;
    const n = notify({ privateKey: privateKeyPem, serial });
    const keys = [{ serial: PUB_KEY_ID, publicKeyPem }, { serial, certificatePem }];
    expect(verify(n, { platformKeys: keys })).toMatchObject({ ok: true, amountFen: 100n });
    // Serial numbers are hex; the header may use the other case.
    expect(verify({ ...n, headers: { ...n.headers, 'wechatpay-serial': serial.toLowerCase() } }, { platformKeys: keys })).toMatchObject({ ok: true });
    // The same signature under the public-key id is checked against the other key, and fails.
    expectRefused(verify({ ...n, headers: { ...n.headers, 'wechatpay-serial': PUB_KEY_ID } }, { platformKeys: keys }), 401, /does not match/);
  });

  it('picks the key named by Wechatpay-Serial among several', () => {
    const n = notify({ privateKey: stranger.privateKey, serial: 'PUB_KEY_ID_0114232134912410000000000000000002' });
    const keys = [...platformKeys, { serial: 'PUB_KEY_ID_0114232134912410000000000000000002', publicKeyPem: stranger.publicKey.export({ type: 'spki', format: 'pem' }).toString() }];
    expect(verify(n, { platformKeys: keys })).toMatchObject({ ok: true });
  });

  it('accepts an empty or missing associated_data', () => {
    expect(verify(notify({ associatedData: '' }))).toMatchObject({ ok: true });
    const missing = notify({ associatedData: null });
    expect(missing.notification.resource).not.toHaveProperty('associated_data');
    expect(verify(missing)).toMatchObject({ ok: true });
  });

  it('accepts timestamps exactly 5 minutes away and a string body', () => {
    expect(verify(notify({ timestamp: NOW_S - 300 }))).toMatchObject({ ok: true });
    expect(verify(notify({ timestamp: NOW_S + 300 }))).toMatchObject({ ok: true });
    const n = notify();
    expect(verify({ headers: n.headers, rawBody: n.rawBody.toString('utf8') })).toMatchObject({ ok: true });
  });

  it('accepts a zero amount as a safe non-negative integer', () => {
    expect(verify(notify({ transactionOverrides: { amount: { total: 0, currency: 'CNY' } } }))).toMatchObject({ ok: true, amountFen: 0n });
  });
});

describe('WeChat Pay v3 notification: refused before the signature', () => {
  it.each(['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial'])('missing %s', (name) => {
    const n = notify();
    const headers = { ...n.headers };
    delete headers[name];
    expectRefused(verify({ ...n, headers }), 401, /missing/);
    expectRefused(verify({ ...n, headers: { ...n.headers, [name]: '' } }), 401, /missing/);
  });

  it('a repeated header (array) counts as missing', () => {
    const n = notify();
    const headers: Record<string, string | string[]> = { ...n.headers, 'wechatpay-nonce': [n.headers['wechatpay-nonce']!, 'x'] };
    expectRefused(verifyWechatpayNotification({ headers, rawBody: n.rawBody, platformKeys, apiV3Key: API_V3_KEY, expected: { mchid: MCHID, appid: APPID }, now: NOW }), 401, /missing/);
  });

  it('refuses the WECHATPAY/SIGNTEST/ probe', () => {
    const n = notify();
    const probe = `WECHATPAY/SIGNTEST/${n.headers['wechatpay-signature']!}`;
    expectRefused(verify({ ...n, headers: { ...n.headers, 'wechatpay-signature': probe } }), 401, /SIGNTEST/);
  });

  it('refuses a stale, a future and a malformed timestamp', () => {
    expectRefused(verify(notify({ timestamp: NOW_S - 301 })), 401, /5 minutes/);
    expectRefused(verify(notify({ timestamp: NOW_S + 301 })), 401, /5 minutes/);
    expectRefused(verify(notify({ timestamp: `${NOW_S}.5` })), 401, /malformed/);
  });

  it('refuses an unknown serial', () => {
    const n = notify({ serial: 'PUB_KEY_ID_0114232134912410000000000000000099' });
    expectRefused(verify(n), 401, /unknown Wechatpay-Serial/);
  });

  it('refuses when the configured key is unusable', () => {
    expectRefused(verify(notify(), { platformKeys: [{ serial: PUB_KEY_ID, publicKeyPem: 'not a key' }] }), 401, /usable/);
    expectRefused(verify(notify(), { platformKeys: [{ serial: PUB_KEY_ID }] }), 401, /usable/);
  });
});

describe('WeChat Pay v3 notification: refused at the signature', () => {
  it('refuses a signature made with another key', () => {
    expectRefused(verify(notify({ privateKey: stranger.privateKey })), 401, /does not match/);
  });

  it('refuses a body altered by one byte', () => {
    const n = notify();
    const rawBody = Buffer.from(n.rawBody);
    flipLastBit(rawBody, rawBody.indexOf('"id"') + 1);
    expectRefused(verify({ ...n, rawBody }), 401, /does not match/);
    // Trailing whitespace is also a different body: the signature covers raw bytes.
    expectRefused(verify({ ...n, rawBody: Buffer.concat([n.rawBody, Buffer.from(' ')]) }), 401, /does not match/);
  });

  it('refuses a signature bound to another timestamp or nonce', () => {
    const n = notify();
    expectRefused(verify({ ...n, headers: { ...n.headers, 'wechatpay-timestamp': String(NOW_S - 1) } }), 401, /does not match/);
    expectRefused(verify({ ...n, headers: { ...n.headers, 'wechatpay-nonce': 'OTHER' } }), 401, /does not match/);
  });

  it('refuses a signature that is not base64', () => {
    const n = notify();
    const sig = n.headers['wechatpay-signature']!;
    for (const bad of [`${sig.slice(0, -4)}!!!!`, `${sig} `, sig.slice(1), '@@@@']) {
      expectRefused(verify({ ...n, headers: { ...n.headers, 'wechatpay-signature': bad } }), 401, /not base64/);
    }
    // Valid base64 of the wrong length is simply a signature that does not match.
    expectRefused(verify({ ...n, headers: { ...n.headers, 'wechatpay-signature': 'AAAA' } }), 401, /does not match/);
  });
});

describe('WeChat Pay v3 notification: refused after the signature', () => {
  it('refuses a wrong GCM tag', () => {
    const n = notify();
    const resource = n.notification.resource as Record<string, string>;
    const data = Buffer.from(resource.ciphertext!, 'base64');
    flipLastBit(data, data.length - 1);
    expectRefused(verify(resigned({ ...n.notification, resource: { ...resource, ciphertext: data.toString('base64') } })), 401, /decrypted/);
  });

  it('refuses tampered associated_data and a wrong APIv3 key', () => {
    const n = notify();
    const resource = n.notification.resource as Record<string, string>;
    expectRefused(verify(resigned({ ...n.notification, resource: { ...resource, associated_data: 'other' } })), 401, /decrypted/);
    expectRefused(verify(n, { apiV3Key: 'b7cde1ZJB1kG2e7VfTs3jQzaUizur8Gb' }), 401, /decrypted/);
    expectRefused(verify(n, { apiV3Key: 'short' }), 401, /32 bytes/);
  });

  it('refuses malformed ciphertext', () => {
    const n = notify();
    const resource = n.notification.resource as Record<string, string>;
    expectRefused(verify(resigned({ ...n.notification, resource: { ...resource, ciphertext: 'not*base64' } })), 401, /base64/);
    expectRefused(verify(resigned({ ...n.notification, resource: { ...resource, ciphertext: 'AAAA' } })), 401, /base64/);
  });

  it('refuses a non-JSON body, another event type and another algorithm', () => {
    expectRefused(verify({ rawBody: 'hello', headers: signWechatpayHeaders({ privateKey: platform.privateKey, serial: PUB_KEY_ID, rawBody: 'hello', timestamp: NOW_S }) }), 400, /JSON/);
    expectRefused(verify(notify({ eventType: 'REFUND.SUCCESS' })), 400, /event_type/);
    expectRefused(verify(notify({ algorithm: 'AEAD_AES_128_GCM' })), 400, /algorithm/);
    const n = notify();
    expectRefused(verify(resigned({ ...n.notification, resource: undefined })), 400, /resource/);
  });

  it('refuses another mchid or appid', () => {
    expectRefused(verify(notify({ transactionOverrides: { mchid: '1900000109' } })), 400, /mchid/);
    expectRefused(verify(notify({ transactionOverrides: { appid: 'wx0000000000000000' } })), 400, /appid/);
  });

  it('refuses a trade_state other than SUCCESS and missing identifiers', () => {
    expectRefused(verify(notify({ transactionOverrides: { trade_state: 'NOTPAY' } })), 400, /trade_state/);
    expectRefused(verify(notify({ transactionOverrides: { out_trade_no: '' } })), 400, /out_trade_no/);
    expectRefused(verify(notify({ transactionOverrides: { transaction_id: undefined } })), 400, /transaction_id/);
  });

  it.each([
    ['a fraction', { total: 1.5, currency: 'CNY' }],
    ['a negative', { total: -1, currency: 'CNY' }],
    ['a string', { total: '100', currency: 'CNY' }],
    ['beyond 2^53', { total: 2 ** 53, currency: 'CNY' }],
    ['missing', { currency: 'CNY' }],
    ['another currency', { total: 100, currency: 'USD' }],
  ])('refuses an amount that is %s', (_label, amount) => {
    expectRefused(verify(notify({ transactionOverrides: { amount } })), 400, /amount/);
  });

  it('refuses a missing or impossible success_time', () => {
    expectRefused(verify(notify({ transactionOverrides: { success_time: undefined } })), 400, /success_time/);
    expectRefused(verify(notify({ transactionOverrides: { success_time: '2024-02-30T10:00:00+08:00' } })), 400, /success_time/);
    expectRefused(verify(notify({ transactionOverrides: { success_time: '2024-05-20 10:00:00' } })), 400, /success_time/);
  });
});

describe('WeChat Pay helpers', () => {
  it('wechatpayReply answers 204 without body, or FAIL with the chosen status', () => {
    expect(wechatpayReply(true)).toEqual({ status: 204, body: undefined });
    expect(wechatpayReply(false, '验签失败', 400)).toEqual({ status: 400, body: { code: 'FAIL', message: '验签失败' } });
    expect(wechatpayReply(false)).toEqual({ status: 500, body: { code: 'FAIL', message: '失败' } });
  });

  it('parseRfc3339 handles offsets, Z and fractions, and refuses rollovers', () => {
    expect(parseRfc3339('2018-06-08T10:34:56+08:00')).toEqual(new Date('2018-06-08T02:34:56Z'));
    expect(parseRfc3339('2018-06-08T02:34:56.250Z')).toEqual(new Date('2018-06-08T02:34:56.250Z'));
    expect(parseRfc3339('2018-06-07T21:04:56-05:30')).toEqual(new Date('2018-06-08T02:34:56Z'));
    expect(parseRfc3339('2019-02-29T00:00:00+08:00')).toBeUndefined();
    expect(parseRfc3339('2018-06-08T24:00:00+08:00')).toBeUndefined();
  });

  it('encryptWechatpayResource appends the 16-byte tag to the ciphertext', () => {
    const out = Buffer.from(encryptWechatpayResource(API_V3_KEY, 'abc', '123456789012', ''), 'base64');
    expect(out.length).toBe(3 + 16);
  });
});

function flipLastBit(buf: Buffer, index: number) {
  buf[index] = buf[index]! ^ 0x01;
}

/** A self-signed platform certificate from openssl, or undefined when openssl is not installed. */
function makeCertificate(): { certificatePem: string; privateKeyPem: string } | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechatpay-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=test', '-days', '1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    return { certificatePem: fs.readFileSync(certFile, 'utf8'), privateKeyPem: fs.readFileSync(keyFile, 'utf8') };
  } catch {
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
