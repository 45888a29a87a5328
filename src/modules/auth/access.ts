import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { members } from '../members/members.schema.js';
import { staff, type StaffRole, staffRoles } from '../staff/staff.schema.js';
import { findActiveSession, touchSession, type SubjectKind } from './sessions.service.js';

/**
 * Who may call a route. Every route declares one in `config.access`; the hook
 * below refuses everybody else before the body is even parsed, and a route
 * without a declaration refuses everybody (and fails the route-permission test).
 */
export type Access = { kind: 'public' } | { kind: 'member' } | { kind: 'staff'; roles: readonly StaffRole[] };

export const access = {
  public: { kind: 'public' } as Access,
  member: { kind: 'member' } as Access,
  staff: (...roles: StaffRole[]): Access => ({ kind: 'staff', roles }),
  anyStaff: { kind: 'staff', roles: staffRoles } as Access,
};

export type Principal =
  | { kind: 'member'; memberId: number; sessionId: number }
  | { kind: 'staff'; staffId: number; roles: StaffRole[]; sessionId: number; mustChangePassword: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Staff who must replace a password someone else chose may still call this route. */
    allowPendingPasswordChange?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const cookieNames: Record<SubjectKind, string> = { member: 'sl_member', staff: 'sl_staff' };

/** Routes added by plugins we do not own (API docs, the web apps' static assets): public by nature. */
const pluginRoutePrefixes = ['/docs', '/assets/'];

export function readToken(request: FastifyRequest, kind: SubjectKind): string | null {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? match[1]! : null;
  }
  return request.cookies[cookieNames[kind]] ?? null;
}

export interface AccessHookDeps {
  db: Db;
  /** Filled with every registered route, for the route-permission test. */
  registry: RouteOptions[];
}

export function installAccessControl(app: FastifyInstance, deps: AccessHookDeps) {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    route.config ??= {};
    if (!route.config.access && pluginRoutePrefixes.some((p) => route.url.startsWith(p))) {
      route.config.access = access.public;
    }
    deps.registry.push(route);
  });
  app.addHook('onRequest', async (request) => {
    // Unmatched URLs reach the not-found handler, which needs no principal.
    if (request.routeOptions.url === undefined) return;
    const declared = request.routeOptions.config.access;
    if (!declared) {
      request.log.error({ route: request.routeOptions.url }, 'route has no access declaration; refusing');
      throw new AppError('FORBIDDEN', 'This route is not available');
    }
    if (declared.kind === 'public') return;
    await authenticate(deps.db, request, declared);
  });
}

async function authenticate(db: Db, request: FastifyRequest, declared: Exclude<Access, { kind: 'public' }>) {
  const token = readToken(request, declared.kind);
  if (!token) throw new AppError('UNAUTHENTICATED', 'Please log in');
  const session = await findActiveSession(db, token);
  if (!session) throw new AppError('UNAUTHENTICATED', 'Your session has ended; please log in again');
  if (session.kind !== declared.kind) throw new AppError('FORBIDDEN', `Only ${declared.kind} accounts may do this`);

  if (session.kind === 'member') {
    const [member] = await db.select({ status: members.status }).from(members).where(eq(members.id, session.subjectId));
    if (!member || member.status === 'closed') throw new AppError('UNAUTHENTICATED', 'Your session has ended; please log in again');
    request.principal = { kind: 'member', memberId: session.subjectId, sessionId: session.id };
  } else {
    const [person] = await db
      .select({ roles: staff.roles, status: staff.status, mustChangePassword: staff.mustChangePassword })
      .from(staff)
      .where(eq(staff.id, session.subjectId));
    if (!person || person.status !== 'active') throw new AppError('UNAUTHENTICATED', 'Your session has ended; please log in again');
    request.principal = {
      kind: 'staff',
      staffId: session.subjectId,
      roles: person.roles,
      sessionId: session.id,
      mustChangePassword: person.mustChangePassword,
    };
    if (declared.kind === 'staff' && !person.roles.some((r) => declared.roles.includes(r))) {
      throw new AppError('FORBIDDEN', 'Your role does not allow this', { required: declared.roles });
    }
    if (person.mustChangePassword && !request.routeOptions.config.allowPendingPasswordChange) {
      throw new AppError('PASSWORD_CHANGE_REQUIRED', 'Please choose a new password first');
    }
  }
  await touchSession(db, session);
}

export function requireMember(request: FastifyRequest): Extract<Principal, { kind: 'member' }> {
  const p = request.principal;
  if (p?.kind !== 'member') throw new AppError('UNAUTHENTICATED', 'Please log in');
  return p;
}

export function requireStaff(request: FastifyRequest): Extract<Principal, { kind: 'staff' }> {
  const p = request.principal;
  if (p?.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Please log in');
  return p;
}

/** Routes registered without an access declaration; the route-permission test requires none. */
export function undeclaredRoutes(registry: readonly RouteOptions[]): string[] {
  return registry.filter((r) => !r.config?.access).map((r) => `${[r.method].flat().join(',')} ${r.url}`);
}

/** Whether a caller passes a route's declaration (the same rule the hook applies). */
export function callerAllowed(declared: Access, caller: { kind: 'anonymous' | 'member' } | { kind: 'staff'; roles: readonly StaffRole[] }): boolean {
  if (declared.kind === 'public') return true;
  if (declared.kind === 'member') return caller.kind === 'member';
  return caller.kind === 'staff' && caller.roles.some((r) => declared.roles.includes(r));
}
