import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestContext, MEMBER_PASSWORD, type TestContext } from './helpers/app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_MINUTES: '15' });
});
afterAll(() => ctx.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'POST', url, payload: payload as object, headers });

async function smsCode(phone: string, purpose: 'register' | 'reset_password' = 'register') {
  const res = await post('/api/auth/sms-codes', { phone, purpose });
  expect(res.statusCode).toBe(202);
  return ctx.sms.lastCode(phone)!;
}

describe('SMS codes', () => {
  it('sends a 6-digit code through the configured sender', async () => {
    const code = await smsCode('13700000001');
    expect(code).toMatch(/^\d{6}$/);
    expect(ctx.sms.outbox.at(-1)!.text).toContain(code);
  });

  it('refuses a malformed phone with field details', async () => {
    const res = await post('/api/auth/sms-codes', { phone: '12345', purpose: 'register' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'body.phone' }] });
  });

  it('says when a phone is already registered', async () => {
    await ctx.registerMember('13700000002');
    const res = await post('/api/auth/sms-codes', { phone: '13700000002', purpose: 'register' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('PHONE_TAKEN');
  });
});

describe('registration', () => {
  it('creates the member and logs it in with a cookie by default', async () => {
    const code = await smsCode('13700000010');
    const res = await post('/api/member/register', { phone: '13700000010', password: MEMBER_PASSWORD, smsCode: code, displayName: '小王超市' });
    expect(res.statusCode).toBe(201);
    expect(res.json().member).toMatchObject({ phone: '13700000010', displayName: '小王超市', status: 'active' });
    expect(res.json().session.token).toBeUndefined();
    const cookie = res.cookies.find((c) => c.name === 'sl_member')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const me = await ctx.app.inject({ method: 'GET', url: '/api/member/me', cookies: { sl_member: cookie.value } });
    expect(me.statusCode).toBe(200);
    expect(me.json().phone).toBe('13700000010');
  });

  it('refuses a wrong SMS code and writes nothing', async () => {
    const code = await smsCode('13700000011');
    const wrong = code === '000000' ? '111111' : '000000';
    const res = await post('/api/member/register', { phone: '13700000011', password: MEMBER_PASSWORD, smsCode: wrong });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('SMS_CODE_INVALID');
    const login = await post('/api/member/login', { phone: '13700000011', password: MEMBER_PASSWORD });
    expect(login.statusCode).toBe(401);
    // The right code still works afterwards: a failed attempt did not spend it.
    const ok = await post('/api/member/register', { phone: '13700000011', password: MEMBER_PASSWORD, smsCode: code });
    expect(ok.statusCode).toBe(201);
  });

  it('a code works once', async () => {
    const code = await smsCode('13700000012');
    expect((await post('/api/member/register', { phone: '13700000012', password: MEMBER_PASSWORD, smsCode: code })).statusCode).toBe(201);
    const again = await post('/api/member/register', { phone: '13700000012', password: MEMBER_PASSWORD, smsCode: code });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('SMS_CODE_INVALID');
  });

  it('refuses weak passwords with a reason', async () => {
    const code = await smsCode('13700000013');
    const res = await post('/api/member/register', { phone: '13700000013', password: 'abcdefgh', smsCode: code });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'WEAK_PASSWORD' });
    expect(res.json().error.message).toContain('digit');
  });

  it('stops guessing after five wrong codes', async () => {
    const code = await smsCode('13700000014');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await post('/api/member/register', { phone: '13700000014', password: MEMBER_PASSWORD, smsCode: wrong });
    const res = await post('/api/member/register', { phone: '13700000014', password: MEMBER_PASSWORD, smsCode: code });
    expect(res.json().error.code).toBe('SMS_CODE_INVALID');
  });

  it('records the anti-abuse signals', async () => {
    const code = await smsCode('13700000015');
    await post('/api/member/register', { phone: '13700000015', password: MEMBER_PASSWORD, smsCode: code, deviceId: 'dev-abc' }, { 'user-agent': 'TestPhone/1.0' });
    const owner = await ctx.staffToken(['owner']);
    const list = await ctx.app.inject({ method: 'GET', url: '/api/admin/members?q=13700000015', headers: bearer(owner.token) });
    expect(list.json().items[0]).toMatchObject({ registrationDeviceId: 'dev-abc', registrationIp: '127.0.0.1' });
  });
});

describe('sessions', () => {
  it('logout ends only this session; logout-everywhere ends all', async () => {
    const { token: first } = await ctx.registerMember('13700000020');
    const login = async () => (await post('/api/member/login', { phone: '13700000020', password: MEMBER_PASSWORD, client: 'api' })).json().session.token as string;
    const second = await login();
    const third = await login();

    const list = await ctx.app.inject({ method: 'GET', url: '/api/member/sessions', headers: bearer(second) });
    expect(list.json().items).toHaveLength(3);
    expect(list.json().items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);

    expect((await ctx.app.inject({ method: 'DELETE', url: '/api/member/session', headers: bearer(first) })).statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/member/me', headers: bearer(first) })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/member/me', headers: bearer(second) })).statusCode).toBe(200);

    const all = await ctx.app.inject({ method: 'DELETE', url: '/api/member/sessions', headers: bearer(second) });
    expect(all.json()).toEqual({ ended: 2 });
    for (const t of [second, third]) {
      const res = await ctx.app.inject({ method: 'GET', url: '/api/member/me', headers: bearer(t) });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('a password change keeps this session and ends the others', async () => {
    const { token: mine } = await ctx.registerMember('13700000021');
    const other = (await post('/api/member/login', { phone: '13700000021', password: MEMBER_PASSWORD, client: 'api' })).json().session.token;
    const wrong = await ctx.app.inject({ method: 'PUT', url: '/api/member/password', headers: bearer(mine), payload: { currentPassword: 'nope12345', newPassword: 'newpass123' } });
    expect(wrong.statusCode).toBe(401);
    const res = await ctx.app.inject({ method: 'PUT', url: '/api/member/password', headers: bearer(mine), payload: { currentPassword: MEMBER_PASSWORD, newPassword: 'newpass123' } });
    expect(res.json()).toEqual({ otherSessionsEnded: 1 });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/member/me', headers: bearer(mine) })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/member/me', headers: bearer(other) })).statusCode).toBe(401);
    expect((await post('/api/member/login', { phone: '13700000021', password: MEMBER_PASSWORD })).statusCode).toBe(401);
    expect((await post('/api/member/login', { phone: '13700000021', password: 'newpass123' })).statusCode).toBe(200);
  });

  it('a forgotten password is reset with an SMS code and every session ends', async () => {
    const { token } = await ctx.registerMember('13700000022');
    const code = await smsCode('13700000022', 'reset_password');
    const res = await post('/api/member/password-reset', { phone: '13700000022', smsCode: code, newPassword: 'reset1234' });
    expect(res.statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/member/me', headers: bearer(token) })).statusCode).toBe(401);
    expect((await post('/api/member/login', { phone: '13700000022', password: 'reset1234' })).statusCode).toBe(200);
  });

  it('a reset for an unknown phone answers the same and sends nothing', async () => {
    const before = ctx.sms.outbox.length;
    const res = await post('/api/auth/sms-codes', { phone: '13700000099', purpose: 'reset_password' });
    expect(res.statusCode).toBe(202);
    expect(ctx.sms.outbox.length).toBe(before);
  });

  it('a garbage or forged token is refused', async () => {
    for (const token of ['nope', 'slm_' + 'A'.repeat(43), 'sls_' + 'B'.repeat(43)]) {
      const res = await ctx.app.inject({ method: 'GET', url: '/api/member/me', headers: bearer(token) });
      expect(res.statusCode).toBe(401);
    }
  });

  it('a suspended member is logged out and cannot log in', async () => {
    const { token, memberId } = await ctx.registerMember('13700000023');
    const risk = await ctx.staffToken(['risk']);
    const res = await ctx.app.inject({ method: 'PUT', url: `/api/admin/members/${memberId}/status`, headers: bearer(risk.token), payload: { status: 'suspended', reason: '涉嫌套现' } });
    expect(res.statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/member/me', headers: bearer(token) })).statusCode).toBe(401);
    const login = await post('/api/member/login', { phone: '13700000023', password: MEMBER_PASSWORD });
    expect(login.statusCode).toBe(403);
    expect(login.json().error.code).toBe('ACCOUNT_DISABLED');
  });
});

describe('login lock-out', () => {
  it('locks the account after repeated failures, even for the right password, and says until when', async () => {
    await ctx.registerMember('13700000030');
    for (let i = 0; i < 2; i++) {
      const res = await post('/api/member/login', { phone: '13700000030', password: 'wrong1234' });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('INVALID_CREDENTIALS');
    }
    const third = await post('/api/member/login', { phone: '13700000030', password: 'wrong1234' });
    expect(third.statusCode).toBe(423);
    expect(third.json().error.code).toBe('ACCOUNT_LOCKED');
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(800);
    const right = await post('/api/member/login', { phone: '13700000030', password: MEMBER_PASSWORD });
    expect(right.statusCode).toBe(423);
  });

  it('staff can lift the lock early, and that is audited', async () => {
    const { memberId } = await ctx.registerMember('13700000031');
    for (let i = 0; i < 3; i++) await post('/api/member/login', { phone: '13700000031', password: 'wrong1234' });
    const owner = await ctx.staffToken(['owner']);
    const detail = await ctx.app.inject({ method: 'GET', url: `/api/admin/members/${memberId}`, headers: bearer(owner.token) });
    expect(detail.json().lockedUntil).not.toBeNull();
    const unlock = await ctx.app.inject({ method: 'POST', url: `/api/admin/members/${memberId}/unlock`, headers: bearer(owner.token) });
    expect(unlock.statusCode).toBe(200);
    expect((await post('/api/member/login', { phone: '13700000031', password: MEMBER_PASSWORD })).statusCode).toBe(200);
    const audit = await ctx.app.inject({ method: 'GET', url: `/api/admin/audit-log?action=member.unlocked&targetId=${memberId}`, headers: bearer(owner.token) });
    expect(audit.json().items[0]).toMatchObject({ actorKind: 'staff', actorId: owner.staffId, targetType: 'member', targetId: String(memberId) });
  });

  it('unknown phones get the same answer as wrong passwords', async () => {
    const res = await post('/api/member/login', { phone: '13799999999', password: 'whatever1' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('rate limiting', () => {
  it('limits login attempts per IP with 429 and Retry-After', async () => {
    const strict = await createTestContext({ LOGIN_IP_PER_MINUTE: '3' });
    try {
      const attempt = (ip: string) => strict.app.inject({ method: 'POST', url: '/api/member/login', payload: { phone: '13700000040', password: 'x1234567' }, remoteAddress: ip });
      for (let i = 0; i < 3; i++) expect((await attempt('10.0.0.1')).statusCode).toBe(401);
      const limited = await attempt('10.0.0.1');
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Another address is not affected.
      expect((await attempt('10.0.0.2')).statusCode).toBe(401);
    } finally {
      await strict.close();
    }
  });

  it('limits login attempts per account across addresses', async () => {
    const strict = await createTestContext({ LOGIN_ACCOUNT_PER_MINUTE: '2' });
    try {
      const attempt = (ip: string) => strict.app.inject({ method: 'POST', url: '/api/member/login', payload: { phone: '13700000041', password: 'x1234567' }, remoteAddress: ip });
      await attempt('10.0.0.1');
      await attempt('10.0.0.2');
      expect((await attempt('10.0.0.3')).statusCode).toBe(429);
    } finally {
      await strict.close();
    }
  });

  it('limits SMS codes per phone', async () => {
    const strict = await createTestContext({ SMS_PHONE_INTERVAL_SECONDS: '60' });
    try {
      const send = () => strict.app.inject({ method: 'POST', url: '/api/auth/sms-codes', payload: { phone: '13700000042', purpose: 'register' } });
      expect((await send()).statusCode).toBe(202);
      const second = await send();
      expect(second.statusCode).toBe(429);
      expect(strict.sms.outbox).toHaveLength(1);
    } finally {
      await strict.close();
    }
  });
});
