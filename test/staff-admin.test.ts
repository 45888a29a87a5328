import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestContext, STAFF_PASSWORD, type TestContext } from './helpers/app.js';

let ctx: TestContext;
let owner: { token: string; staffId: number };
beforeAll(async () => {
  ctx = await createTestContext();
  owner = await ctx.staffToken(['owner'], 'chief');
});
afterAll(() => ctx.close());

const asOwner = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(owner.token), ...(payload ? { payload } : {}) });

describe('staff login', () => {
  it('logs in with a cookie for the console and reports roles', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/staff/login', payload: { username: 'CHIEF', password: STAFF_PASSWORD } });
    expect(res.statusCode).toBe(200);
    expect(res.json().staff).toMatchObject({ username: 'chief', roles: ['owner'] });
    const cookie = res.cookies.find((c) => c.name === 'sl_staff')!;
    expect(cookie.httpOnly).toBe(true);
    const me = await ctx.app.inject({ method: 'GET', url: '/api/staff/me', cookies: { sl_staff: cookie.value } });
    expect(me.json().username).toBe('chief');
  });

  it('a member cookie does not open staff routes', async () => {
    const member = await ctx.registerMember('13500000001');
    const staffRoute = await ctx.app.inject({ method: 'GET', url: '/api/staff/me', cookies: { sl_member: member.token } });
    expect(staffRoute.statusCode).toBe(401);
  });
});

describe('staff management (owner)', () => {
  it('creates staff with a one-time password that must be replaced at first login', async () => {
    const created = await asOwner('POST', '/api/admin/staff', { username: 'Li.Risk', displayName: '李风控', roles: ['risk'] });
    expect(created.statusCode).toBe(201);
    const { staff, temporaryPassword } = created.json();
    expect(staff).toMatchObject({ username: 'li.risk', roles: ['risk'], mustChangePassword: true });
    expect(temporaryPassword).toMatch(/^[A-Za-z0-9]{16}$/);

    const login = await ctx.app.inject({ method: 'POST', url: '/api/staff/login', payload: { username: 'li.risk', password: temporaryPassword, client: 'api' } });
    const token = login.json().session.token;
    const blocked = await ctx.app.inject({ method: 'GET', url: '/api/admin/members', headers: bearer(token) });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const changed = await ctx.app.inject({ method: 'PUT', url: '/api/staff/password', headers: bearer(token), payload: { currentPassword: temporaryPassword, newPassword: 'Mynewpass2026' } });
    expect(changed.statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/admin/members', headers: bearer(token) })).statusCode).toBe(200);
  });

  it('refuses a bad username or unknown role with field details', async () => {
    const res = await asOwner('POST', '/api/admin/staff', { username: '1x', displayName: '', roles: ['god'] });
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['body.username', 'body.displayName', 'body.roles.0']));
  });

  it('changes roles, and disabling ends the sessions', async () => {
    const ops = await ctx.staffToken(['ops'], 'wang.ops');
    const updated = await asOwner('PATCH', `/api/admin/staff/${ops.staffId}`, { roles: ['ops', 'finance'] });
    expect(updated.json().roles).toEqual(['ops', 'finance']);
    const disabled = await asOwner('PATCH', `/api/admin/staff/${ops.staffId}`, { status: 'disabled' });
    expect(disabled.json().status).toBe('disabled');
    expect((await ctx.app.inject({ method: 'GET', url: '/api/staff/me', headers: bearer(ops.token) })).statusCode).toBe(401);
    const login = await ctx.app.inject({ method: 'POST', url: '/api/staff/login', payload: { username: 'wang.ops', password: STAFF_PASSWORD } });
    expect(login.statusCode).toBe(403);
    expect(login.json().error.code).toBe('ACCOUNT_DISABLED');
  });

  it('never removes the last active owner', async () => {
    const res = await asOwner('PATCH', `/api/admin/staff/${owner.staffId}`, { roles: ['viewer'] });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('LAST_OWNER');
    const disable = await asOwner('PATCH', `/api/admin/staff/${owner.staffId}`, { status: 'disabled' });
    expect(disable.json().error.code).toBe('LAST_OWNER');
    const me = await asOwner('GET', '/api/staff/me');
    expect(me.json().roles).toEqual(['owner']);
  });

  it('an empty patch is refused', async () => {
    const res = await asOwner('PATCH', `/api/admin/staff/${owner.staffId}`, {});
    expect(res.statusCode).toBe(400);
  });

  it('resetting a password ends the sessions and issues a temporary one', async () => {
    const finance = await ctx.staffToken(['finance'], 'zhao.fin');
    const res = await asOwner('POST', `/api/admin/staff/${finance.staffId}/reset-password`);
    expect(res.statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/staff/me', headers: bearer(finance.token) })).statusCode).toBe(401);
    const login = await ctx.app.inject({ method: 'POST', url: '/api/staff/login', payload: { username: 'zhao.fin', password: res.json().temporaryPassword } });
    expect(login.json().staff.mustChangePassword).toBe(true);
    expect((await asOwner('POST', '/api/admin/staff/424242/reset-password')).statusCode).toBe(404);
  });

  it('lists staff without password hashes', async () => {
    const res = await asOwner('GET', '/api/admin/staff');
    expect(res.json().items.length).toBeGreaterThan(2);
    expect(res.body).not.toContain('argon2');
  });
});

describe('audit log', () => {
  it('records every staff mutation with actor, before/after, IP and request id', async () => {
    const ops = await ctx.staffToken(['ops'], 'sun.ops');
    const res = await asOwner('PATCH', `/api/admin/staff/${ops.staffId}`, { displayName: '孙运营' });
    const requestId = res.headers['x-request-id'];
    const log = await asOwner('GET', `/api/admin/audit-log?action=staff.updated&targetType=staff&targetId=${ops.staffId}`);
    expect(log.statusCode).toBe(200);
    const [entry] = log.json().items;
    expect(entry).toMatchObject({
      actorKind: 'staff',
      actorId: owner.staffId,
      action: 'staff.updated',
      targetId: String(ops.staffId),
      ip: '127.0.0.1',
      requestId,
    });
    expect(entry.before.displayName).toBe('sun.ops');
    expect(entry.after.displayName).toBe('孙运营');
    expect(JSON.stringify(entry)).not.toContain('argon2');
  });

  it('filters by actor and time, and pages with a cursor', async () => {
    for (let i = 0; i < 5; i++) await asOwner('POST', '/api/admin/staff', { username: `page${i}`, displayName: `P${i}`, roles: ['viewer'] });
    const first = await asOwner('GET', `/api/admin/audit-log?action=staff.created&actorId=${owner.staffId}&limit=2`);
    expect(first.json().items).toHaveLength(2);
    const cursor = first.json().nextCursor;
    expect(cursor).not.toBeNull();
    const second = await asOwner('GET', `/api/admin/audit-log?action=staff.created&actorId=${owner.staffId}&limit=2&cursor=${cursor}`);
    const ids = [...first.json().items, ...second.json().items].map((e: { id: number }) => e.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const future = await asOwner('GET', `/api/admin/audit-log?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    expect(future.json().items).toHaveLength(0);
    const bad = await asOwner('GET', '/api/admin/audit-log?from=yesterday');
    expect(bad.statusCode).toBe(400);
  });
});

describe('members (staff views)', () => {
  it('searches by phone and pages', async () => {
    for (let i = 0; i < 3; i++) await ctx.registerMember(`1350000010${i}`);
    const viewer = await ctx.staffToken(['viewer']);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/admin/members?q=135000001&limit=2', headers: bearer(viewer.token) });
    expect(res.json().items).toHaveLength(2);
    const next = await ctx.app.inject({ method: 'GET', url: `/api/admin/members?q=135000001&limit=2&cursor=${res.json().nextCursor}`, headers: bearer(viewer.token) });
    expect(next.json().items).toHaveLength(1);
    expect(next.json().nextCursor).toBeNull();
  });

  it('a viewer cannot suspend members', async () => {
    const viewer = await ctx.staffToken(['viewer']);
    const { memberId } = await ctx.registerMember('13500000200');
    const res = await ctx.app.inject({ method: 'PUT', url: `/api/admin/members/${memberId}/status`, headers: bearer(viewer.token), payload: { status: 'suspended', reason: 'test' } });
    expect(res.statusCode).toBe(403);
  });
});
