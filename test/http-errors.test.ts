import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access } from '../src/modules/auth/access.js';
import { bearer, createTestContext, type TestContext } from './helpers/app.js';

/** Every error, from our routes and from Fastify itself, has one shape. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ BODY_LIMIT_BYTES: '2048' }, (app) => {
    app.get('/api/test/explode', { config: { access: access.public } }, async () => {
      throw new Error('secret internals: password=hunter2 at db.example:5432');
    });
    app.get('/api/test/deadlock', { config: { access: access.public } }, async () => {
      // What node-postgres throws when PostgreSQL breaks a deadlock.
      throw Object.assign(new Error('deadlock detected'), { code: '40P01', severity: 'ERROR' });
    });
  });
});
afterAll(() => ctx.close());

function expectErrorShape(body: string, code: string) {
  const parsed = JSON.parse(body);
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(parsed.error.code).toBe(code);
  expect(typeof parsed.error.message).toBe('string');
  expect(parsed.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  return parsed.error;
}

describe('error responses', () => {
  it('a deadlock broken by the database is a 503 with Retry-After, not a 500', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/test/deadlock' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(expectErrorShape(res.body, 'UNAVAILABLE').message).toContain('retry');
  });

  it('404 for an unknown route', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/does-not-exist' });
    expect(res.statusCode).toBe(404);
    const err = expectErrorShape(res.body, 'NOT_FOUND');
    expect(res.headers['x-request-id']).toBe(err.requestId);
  });

  it('404 for a missing record', async () => {
    const owner = await ctx.staffToken(['owner']);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/admin/members/999999', headers: bearer(owner.token) });
    expect(res.statusCode).toBe(404);
    expectErrorShape(res.body, 'NOT_FOUND');
  });

  it('400 with field-level details for invalid input', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/member/register', payload: { phone: 'x', password: 3 } });
    expect(res.statusCode).toBe(400);
    const err = expectErrorShape(res.body, 'VALIDATION_FAILED');
    const fields = err.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['body.phone', 'body.password', 'body.smsCode']));
  });

  it('400 for invalid query parameters', async () => {
    const owner = await ctx.staffToken(['owner']);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/admin/members?limit=100000', headers: bearer(owner.token) });
    expect(res.statusCode).toBe(400);
    expect(expectErrorShape(res.body, 'VALIDATION_FAILED').details[0].field).toBe('querystring.limit');
  });

  it('400 for malformed JSON', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/member/login', payload: '{"phone": ', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expectErrorShape(res.body, 'INVALID_JSON');
  });

  it('401 without a session', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/member/me' });
    expect(res.statusCode).toBe(401);
    expectErrorShape(res.body, 'UNAUTHENTICATED');
  });

  it('403 for the wrong role', async () => {
    const viewer = await ctx.staffToken(['viewer']);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/admin/audit-log', headers: bearer(viewer.token) });
    expect(res.statusCode).toBe(403);
    expectErrorShape(res.body, 'FORBIDDEN');
  });

  it('409 for a conflict', async () => {
    const owner = await ctx.staffToken(['owner']);
    const create = () => ctx.app.inject({ method: 'POST', url: '/api/admin/staff', headers: bearer(owner.token), payload: { username: 'twice', displayName: 'Twice', roles: ['ops'] } });
    expect((await create()).statusCode).toBe(201);
    const res = await create();
    expect(res.statusCode).toBe(409);
    expectErrorShape(res.body, 'USERNAME_TAKEN');
  });

  it('413 for a body over the limit', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/member/login', payload: { phone: '13800000000', password: 'x'.repeat(5000) } });
    expect(res.statusCode).toBe(413);
    expectErrorShape(res.body, 'PAYLOAD_TOO_LARGE');
  });

  it('415 for an unsupported content type', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/member/login', payload: 'phone=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(415);
    expectErrorShape(res.body, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('429 when rate-limited', async () => {
    const strict = await createTestContext({ LOGIN_IP_PER_MINUTE: '1' });
    try {
      await strict.app.inject({ method: 'POST', url: '/api/staff/login', payload: { username: 'a', password: 'b' } });
      const res = await strict.app.inject({ method: 'POST', url: '/api/staff/login', payload: { username: 'a', password: 'b' } });
      expect(res.statusCode).toBe(429);
      expectErrorShape(res.body, 'RATE_LIMITED');
    } finally {
      await strict.close();
    }
  });

  it('500 without internals; the stack goes to the log with the request id', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/test/explode' });
    expect(res.statusCode).toBe(500);
    const err = expectErrorShape(res.body, 'INTERNAL');
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('secret internals');
    const logged = ctx.logs.find((l) => l.reqId === err.requestId && l.level === 50);
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).toContain('secret internals');
    expect((logged!.err as { stack: string }).stack).toContain('http-errors.test.ts');
  });
});

describe('logs', () => {
  it('never contain passwords, tokens or cookies', async () => {
    const { token } = await ctx.registerMember('13600000001');
    await ctx.app.inject({ method: 'GET', url: '/api/member/me', headers: { ...bearer(token), cookie: 'sl_member=cookie-secret-value' } });
    await ctx.app.inject({ method: 'POST', url: '/api/member/login', payload: { phone: '13600000001', password: 'wrongpass-xyz1' } });
    const all = JSON.stringify(ctx.logs);
    expect(all).not.toContain(token);
    expect(all).not.toContain('cookie-secret-value');
    expect(all).not.toContain('wrongpass-xyz1');
    expect(all).not.toContain('abc12345');
    expect(ctx.logs.some((l) => typeof l.reqId === 'string')).toBe(true);
  });
});

describe('health', () => {
  it('/health answers while the process lives, /ready while the database does', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await ctx.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.json()).toMatchObject({ status: 'ready' });
  });

  it('/ready answers 503 when the database is gone', async () => {
    const other = await createTestContext();
    await other.database.close();
    const res = await other.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expectErrorShape(res.body, 'UNAVAILABLE');
    await other.app.close();
    await other.database.dispose().catch(() => {});
  });

  it('serves the OpenAPI document and its UI', async () => {
    const doc = await ctx.app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toEqual(expect.arrayContaining(['/api/member/register', '/api/admin/audit-log']));
    const ui = await ctx.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });
});
