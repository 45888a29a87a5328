import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../lib/errors.js';
import { passwordInput, phoneSchema } from '../../lib/http/schemas.js';
import { auditContextOf, recordAudit } from '../audit/audit.service.js';
import { access, cookieNames, requireMember, requireStaff } from './access.js';
import type { AccountStore } from './login.service.js';
import { assertStrongPassword, MEMBER_PASSWORD_MIN, STAFF_PASSWORD_MIN } from './passwords.js';
import { listActiveSessions, type NewSession, revokeAllSessions, revokeSession, type SubjectKind } from './sessions.service.js';
import { issueSmsCode } from './sms.service.js';

/** Hands a new session to the client: a cookie for browsers, the token itself for API clients. */
export function deliverSession(
  reply: FastifyReply,
  ctx: AppContext,
  kind: SubjectKind,
  session: NewSession,
  client: 'web' | 'api',
) {
  if (client === 'api') return { expiresAt: session.expiresAt.toISOString(), token: session.token };
  reply.setCookie(cookieNames[kind], session.token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.COOKIE_SECURE,
    path: '/',
    expires: session.expiresAt,
  });
  return { expiresAt: session.expiresAt.toISOString() };
}

export interface PasswordStore extends AccountStore {
  getPasswordHash(db: AppContext['db'], id: number): Promise<string | null>;
  setPassword(db: AppContext['db'], id: number, hash: string): Promise<void>;
}

const sessionItem = z.object({
  id: z.number(),
  current: z.boolean(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});

/** Logout, logout-everywhere, session list and password change: the same for members and staff. */
export function sessionRoutes(appBase: FastifyInstance, ctx: AppContext, store: PasswordStore) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const kind = store.kind;
  const who = kind === 'member' ? access.member : access.anyStaff;
  const principalOf = (req: Parameters<typeof requireMember>[0]) =>
    kind === 'member' ? { id: requireMember(req).memberId, sessionId: requireMember(req).sessionId } : { id: requireStaff(req).staffId, sessionId: requireStaff(req).sessionId };
  const tags = [kind === 'member' ? 'member: account' : 'staff: account'];
  const config = { access: who, allowPendingPasswordChange: true };

  app.get('/sessions', {
    config,
    schema: { tags, summary: 'List my signed-in sessions', response: { 200: z.object({ items: z.array(sessionItem) }) } },
  }, async (req) => {
    const me = principalOf(req);
    const rows = await listActiveSessions(ctx.db, kind, me.id);
    return {
      items: rows.map((r) => ({
        id: r.id,
        current: r.id === me.sessionId,
        createdAt: r.createdAt.toISOString(),
        lastSeenAt: r.lastSeenAt.toISOString(),
        expiresAt: r.expiresAt.toISOString(),
        ip: r.ip,
        userAgent: r.userAgent,
      })),
    };
  });

  app.delete('/session', { config, schema: { tags, summary: 'Log out (this session)' } }, async (req, reply) => {
    await revokeSession(ctx.db, principalOf(req).sessionId, 'logout');
    reply.clearCookie(cookieNames[kind], { path: '/' });
    return reply.code(204).send();
  });

  app.delete('/sessions', {
    config,
    schema: { tags, summary: 'Log out everywhere (every session, this one included)', response: { 200: z.object({ ended: z.number() }) } },
  }, async (req, reply) => {
    const ended = await revokeAllSessions(ctx.db, kind, principalOf(req).id, 'logout_everywhere');
    reply.clearCookie(cookieNames[kind], { path: '/' });
    return { ended };
  });

  app.put('/password', {
    config,
    schema: {
      tags,
      summary: 'Change my password; every other session ends',
      body: z.object({ currentPassword: passwordInput, newPassword: passwordInput }),
      response: { 200: z.object({ otherSessionsEnded: z.number() }) },
    },
  }, async (req) => {
    const me = principalOf(req);
    const { currentPassword, newPassword } = req.body;
    assertStrongPassword(newPassword, kind === 'member' ? MEMBER_PASSWORD_MIN : STAFF_PASSWORD_MIN);
    if (newPassword === currentPassword) throw new AppError('WEAK_PASSWORD', 'The new password must differ from the current one');
    const hash = await store.getPasswordHash(ctx.db, me.id);
    if (!hash || !(await ctx.hasher.verify(hash, currentPassword))) {
      throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong');
    }
    const newHash = await ctx.hasher.hash(newPassword);
    return ctx.db.transaction(async (tx) => {
      await store.setPassword(tx, me.id, newHash);
      const ended = await revokeAllSessions(tx, kind, me.id, 'password_changed', me.sessionId);
      if (kind === 'staff') {
        await recordAudit(tx, auditContextOf(req), { action: 'staff.password_changed', targetType: 'staff', targetId: me.id });
      }
      return { otherSessionsEnded: ended };
    });
  });
}

export function smsRoutes(appBase: FastifyInstance, ctx: AppContext, isPhoneRegistered: (phone: string) => Promise<boolean>) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  app.post('/api/auth/sms-codes', {
    config: { access: access.public },
    schema: {
      tags: ['member: account'],
      summary: 'Send an SMS verification code',
      description: 'Limited per phone (one per interval) and per IP (per hour).',
      body: z.object({ phone: phoneSchema, purpose: z.enum(['register', 'reset_password']) }),
      response: { 202: z.object({ expiresInSeconds: z.number() }) },
    },
  }, async (req, reply) => {
    const { phone, purpose } = req.body;
    const registered = await isPhoneRegistered(phone);
    if (purpose === 'register' && registered) throw new AppError('PHONE_TAKEN', 'This phone number is already registered');
    const settings = {
      ttlSeconds: ctx.config.SMS_CODE_TTL_SECONDS,
      phoneIntervalSeconds: ctx.config.SMS_PHONE_INTERVAL_SECONDS,
      ipPerHour: ctx.config.SMS_IP_PER_HOUR,
    };
    // A reset for an unknown phone answers like a real one and sends nothing.
    if (purpose === 'reset_password' && !registered) return reply.code(202).send({ expiresInSeconds: settings.ttlSeconds });
    const result = await issueSmsCode(ctx.db, ctx.sms, settings, { phone, purpose, ip: req.ip });
    return reply.code(202).send(result);
  });
}
