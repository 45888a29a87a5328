import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Access, callerAllowed, undeclaredRoutes } from '../src/modules/auth/access.js';
import { type StaffRole, staffRoles } from '../src/modules/staff/staff.schema.js';
import { bearer, createTestContext, type TestContext } from './helpers/app.js';

/**
 * Every route declares who may call it; this file proves that each one
 * refuses every caller outside its declaration, for all routes that exist
 * now and all that later issues add.
 */
type Caller = { name: string; kind: 'anonymous' } | { name: string; kind: 'member'; token: string } | { name: string; kind: 'staff'; roles: StaffRole[]; token: string };

let ctx: TestContext;
const callers: Caller[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  callers.push({ name: 'anonymous', kind: 'anonymous' });
  callers.push({ name: 'member', kind: 'member', token: (await ctx.registerMember('13900000001')).token });
  for (const role of staffRoles) {
    callers.push({ name: `staff:${role}`, kind: 'staff', roles: [role], token: (await ctx.staffToken([role])).token });
  }
});
afterAll(() => ctx.close());

/** The concrete routes to probe: one per method, HEAD (mirrors GET) and docs assets left out. */
function probes() {
  return ctx.app.routeRegistry.flatMap((route) =>
    [route.method]
      .flat()
      .filter((m) => m !== 'HEAD' && m !== 'OPTIONS')
      .map((method) => ({ method, url: route.url.replace(/:\w+/g, '1').replace(/\*/g, 'x'), access: route.config?.access as Access })),
  );
}

describe('route permissions', () => {
  it('every registered route declares who may call it', () => {
    expect(ctx.app.routeRegistry.length).toBeGreaterThan(20);
    expect(undeclaredRoutes(ctx.app.routeRegistry)).toEqual([]);
  });

  it('every route refuses every caller outside its declaration, before doing anything', async () => {
    const auditBefore = await ctx.app.inject({ method: 'GET', url: '/api/admin/audit-log?limit=200', headers: bearer((callers[2] as { token: string }).token) });
    const checked: string[] = [];
    for (const probe of probes()) {
      for (const caller of callers) {
        if (callerAllowed(probe.access, caller)) continue;
        const headers: Record<string, string> = caller.kind === 'anonymous' ? {} : bearer(caller.token);
        const res = await ctx.app.inject({
          method: probe.method as 'GET',
          url: probe.url,
          headers,
          ...(['POST', 'PUT', 'PATCH'].includes(probe.method) ? { payload: {} } : {}),
        });
        const expected = caller.kind === 'anonymous' ? 401 : 403;
        expect(res.statusCode, `${probe.method} ${probe.url} as ${caller.name}: ${res.body}`).toBe(expected);
        expect(res.json().error.code).toBe(caller.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        checked.push(`${probe.method} ${probe.url} ${caller.name}`);
      }
    }
    expect(checked.length).toBeGreaterThan(50);
    // Nothing was written by any refused call.
    const auditAfter = await ctx.app.inject({ method: 'GET', url: '/api/admin/audit-log?limit=200', headers: bearer((callers[2] as { token: string }).token) });
    expect(auditAfter.json().items.length).toBe(auditBefore.json().items.length);
  });

  it('allowed callers get past access control on every read route', async () => {
    for (const probe of probes().filter((p) => p.method === 'GET' && p.access.kind !== 'public')) {
      for (const caller of callers) {
        if (caller.kind === 'anonymous' || !callerAllowed(probe.access, caller)) continue;
        const res = await ctx.app.inject({ method: 'GET', url: probe.url, headers: bearer(caller.token) });
        expect([401, 403], `${probe.url} as ${caller.name}: ${res.body}`).not.toContain(res.statusCode);
      }
    }
  });
});

describe('a route without a declaration', () => {
  it('is reported by the check and refuses every caller', async () => {
    const other = await createTestContext({}, (app) => {
      app.get('/api/forgotten', async () => ({ secret: 'should never be served' }));
    });
    try {
      expect(undeclaredRoutes(other.app.routeRegistry)).toEqual(['GET /api/forgotten', 'HEAD /api/forgotten']);
      const res = await other.app.inject({ method: 'GET', url: '/api/forgotten' });
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toContain('should never be served');
    } finally {
      await other.close();
    }
  });
});
