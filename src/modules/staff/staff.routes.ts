import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { clientKind, idParam, passwordInput, sessionOut } from '../../lib/http/schemas.js';
import { auditContextOf } from '../audit/audit.service.js';
import { access, requireStaff } from '../auth/access.js';
import { deliverSession, sessionRoutes } from '../auth/auth.routes.js';
import { login } from '../auth/login.service.js';
import { staffRoles } from './staff.schema.js';
import { createStaff, getStaff, listStaff, publicStaff, resetStaffPassword, staffStore, temporaryPassword, updateStaff } from './staff.service.js';

const staffOut = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.enum(staffRoles)),
  status: z.enum(['active', 'disabled']),
  mustChangePassword: z.boolean(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
const usernameSchema = z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9_.-]{2,31}$/, { message: 'expected 3-32 letters, digits, . _ - starting with a letter' });
const rolesSchema = z.array(z.enum(staffRoles)).min(1).max(staffRoles.length);

export function staffRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tags = ['staff: account'];

  app.post('/api/staff/login', {
    config: { access: access.public },
    schema: {
      tags,
      summary: 'Staff login',
      description: 'Throttled per IP and per username; repeated failures lock the account for a while (423).',
      body: z.object({ username: z.string().trim().min(1).max(64), password: passwordInput, client: clientKind }),
      response: { 200: z.object({ staff: staffOut, session: sessionOut }) },
    },
  }, async (req, reply) => {
    const session = await login(ctx.db, ctx.hasher, staffStore, {
      maxFailures: ctx.config.LOGIN_MAX_FAILURES,
      lockMinutes: ctx.config.LOGIN_LOCK_MINUTES,
      ipPerMinute: ctx.config.LOGIN_IP_PER_MINUTE,
      accountPerMinute: ctx.config.LOGIN_ACCOUNT_PER_MINUTE,
      sessionTtlHours: ctx.config.STAFF_SESSION_TTL_HOURS,
    }, { login: req.body.username.toLowerCase(), password: req.body.password, ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
    const person = await getStaff(ctx.db, session.accountId);
    return { staff: publicStaff(person), session: deliverSession(reply, ctx, 'staff', session, req.body.client) };
  });

  app.get('/api/staff/me', {
    config: { access: access.anyStaff, allowPendingPasswordChange: true },
    schema: { tags, summary: 'My staff account', response: { 200: staffOut } },
  }, async (req) => publicStaff(await getStaff(ctx.db, requireStaff(req).staffId)));

  app.register(async (scoped) => sessionRoutes(scoped, ctx, staffStore), { prefix: '/api/staff' });

  const adminTags = ['admin: staff'];
  const owner = access.staff('owner');

  app.get('/api/admin/staff', {
    config: { access: owner },
    schema: { tags: adminTags, summary: 'List staff accounts', response: { 200: z.object({ items: z.array(staffOut) }) } },
  }, async () => ({ items: (await listStaff(ctx.db)).map(publicStaff) }));

  app.post('/api/admin/staff', {
    config: { access: owner },
    schema: {
      tags: adminTags,
      summary: 'Create a staff account',
      description: 'Answers with a temporary password, shown this once; the person must replace it at first login.',
      body: z.object({ username: usernameSchema, displayName: z.string().trim().min(1).max(40), roles: rolesSchema }),
      response: { 201: z.object({ staff: staffOut, temporaryPassword: z.string() }) },
    },
  }, async (req, reply) => {
    const password = temporaryPassword();
    const created = await createStaff(ctx.db, ctx.hasher, auditContextOf(req), { ...req.body, password, mustChangePassword: true });
    return reply.code(201).send({ staff: publicStaff(created), temporaryPassword: password });
  });

  app.patch('/api/admin/staff/:id', {
    config: { access: owner },
    schema: {
      tags: adminTags,
      summary: 'Change roles, name or status (disabling ends the sessions)',
      params: idParam,
      body: z
        .object({ displayName: z.string().trim().min(1).max(40).optional(), roles: rolesSchema.optional(), status: z.enum(['active', 'disabled']).optional() })
        .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' }),
      response: { 200: staffOut },
    },
  }, async (req) => publicStaff(await updateStaff(ctx.db, auditContextOf(req), req.params.id, req.body)));

  app.post('/api/admin/staff/:id/reset-password', {
    config: { access: owner },
    schema: {
      tags: adminTags,
      summary: 'Issue a temporary password (shown once); ends the sessions',
      params: idParam,
      response: { 200: z.object({ temporaryPassword: z.string() }) },
    },
  }, async (req) => ({ temporaryPassword: await resetStaffPassword(ctx.db, ctx.hasher, auditContextOf(req), req.params.id) }));
}
