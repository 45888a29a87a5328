import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { clientKind, cursorParam, idParam, pageLimit, passwordInput, phoneSchema, sessionOut } from '../../lib/http/schemas.js';
import { auditContextOf } from '../audit/audit.service.js';
import { collectForExport, csvTime, exportCapNote, sendCsvDownload, toCsv } from '../../lib/http/csv.js';
import { access, requireMember } from '../auth/access.js';
import { deliverSession, sessionRoutes, smsRoutes } from '../auth/auth.routes.js';
import { login } from '../auth/login.service.js';
import { assertStrongPassword, MEMBER_PASSWORD_MIN } from '../auth/passwords.js';
import type { Member } from './members.schema.js';
import { readSettings, writeSettings } from '../settings/settings.service.js';
import { getMember, isPhoneRegistered, listMembers, memberStore, registerMember, registrationSettingsDef, resetMemberPassword, setMemberStatus, unlockMember } from './members.service.js';

const memberOut = z.object({
  id: z.number(),
  phone: z.string(),
  displayName: z.string(),
  status: z.enum(['active', 'suspended', 'closed']),
  createdAt: z.string(),
});
const memberAdminOut = memberOut.extend({
  lockedUntil: z.string().nullable(),
  registrationIp: z.string().nullable(),
  registrationDeviceId: z.string().nullable(),
});

/** The staff list's filters; the CSV export takes the same ones. */
const memberListFilters = z.object({
  q: z.string().trim().max(40).optional().describe('part of a phone or name, or a whole invite code'),
  status: z.enum(['active', 'suspended', 'closed']).optional(),
});
const memberStatusLabels: Record<Member['status'], string> = { active: '正常', suspended: '已暂停', closed: '已注销' };

const toOut = (m: Member) => ({ id: m.id, phone: m.phone, displayName: m.displayName, status: m.status, createdAt: m.createdAt.toISOString() });
const toAdminOut = (m: Member) => ({
  ...toOut(m),
  lockedUntil: m.lockedUntil && m.lockedUntil.getTime() > Date.now() ? m.lockedUntil.toISOString() : null,
  registrationIp: m.registrationIp,
  registrationDeviceId: m.registrationDeviceId,
});

export function memberRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tags = ['member: account'];
  const loginPolicy = {
    maxFailures: ctx.config.LOGIN_MAX_FAILURES,
    lockMinutes: ctx.config.LOGIN_LOCK_MINUTES,
    ipPerMinute: ctx.config.LOGIN_IP_PER_MINUTE,
    accountPerMinute: ctx.config.LOGIN_ACCOUNT_PER_MINUTE,
    sessionTtlHours: ctx.config.MEMBER_SESSION_TTL_HOURS,
  };

  smsRoutes(app, ctx, (phone) => isPhoneRegistered(ctx.db, phone));

  app.post('/api/member/register', {
    config: { access: access.public },
    schema: {
      tags,
      summary: 'Register a member with phone, password and SMS code',
      body: z.object({
        phone: phoneSchema,
        password: passwordInput,
        smsCode: z.string().regex(/^\d{6}$/, { message: 'expected the 6-digit code' }),
        displayName: z.string().trim().min(1).max(40).optional(),
        deviceId: z.string().max(128).optional().describe('client-supplied device fingerprint (anti-abuse)'),
        inviteCode: z.string().trim().regex(/^[A-Za-z0-9]{4,16}$/, { message: 'expected the inviter\'s code' }).optional(),
        inviteVia: z.enum(['code', 'link']).optional().describe('how the invite arrived: typed code, or the invite link / poster QR code'),
        client: clientKind,
      }),
      response: { 201: z.object({ member: memberOut, session: sessionOut }) },
    },
  }, async (req, reply) => {
    const body = req.body;
    assertStrongPassword(body.password, MEMBER_PASSWORD_MIN);
    const { member, session } = await registerMember(ctx.db, {
      phone: body.phone,
      passwordHash: await ctx.hasher.hash(body.password),
      smsCode: body.smsCode,
      displayName: body.displayName,
      deviceId: body.deviceId,
      inviteCode: body.inviteCode,
      inviteVia: body.inviteVia,
      ip: req.ip,
      userAgent: req.headers['user-agent'] ?? null,
      sessionTtlHours: ctx.config.MEMBER_SESSION_TTL_HOURS,
    });
    return reply.code(201).send({ member: toOut(member), session: deliverSession(reply, ctx, 'member', session, body.client) });
  });

  app.get('/api/member/registration-options', {
    config: { access: access.public },
    schema: { tags, summary: 'What the registration page must ask for', response: { 200: z.object({ requireInviter: z.boolean() }) } },
  }, async () => (await readSettings(ctx.db, registrationSettingsDef)).value);

  app.get('/api/admin/settings/registration', {
    config: { access: access.anyStaff },
    schema: { tags: ['admin: settings'], summary: 'Registration rules', response: { 200: z.object({ requireInviter: z.boolean(), version: z.number() }) } },
  }, async () => {
    const s = await readSettings(ctx.db, registrationSettingsDef);
    return { ...s.value, version: s.version };
  });

  app.put('/api/admin/settings/registration', {
    config: { access: access.staff('owner') },
    schema: {
      tags: ['admin: settings'],
      summary: 'Require an inviter for new registrations, or not (send the version you read)',
      body: z.object({ requireInviter: z.boolean(), version: z.number().int().min(0) }),
      response: { 200: z.object({ requireInviter: z.boolean(), version: z.number() }) },
    },
  }, async (req) => {
    const saved = await writeSettings(ctx.db, auditContextOf(req), registrationSettingsDef, { requireInviter: req.body.requireInviter }, req.body.version, (v) => v);
    return { ...saved.value, version: saved.version };
  });

  app.post('/api/member/login', {
    config: { access: access.public },
    schema: {
      tags,
      summary: 'Member login',
      description: 'Throttled per IP and per phone; repeated failures lock the account for a while (423).',
      body: z.object({ phone: phoneSchema, password: passwordInput, client: clientKind }),
      response: { 200: z.object({ member: memberOut, session: sessionOut }) },
    },
  }, async (req, reply) => {
    const { phone, password, client } = req.body;
    const session = await login(ctx.db, ctx.hasher, memberStore, loginPolicy, {
      login: phone,
      password,
      ip: req.ip,
      userAgent: req.headers['user-agent'] ?? null,
    });
    const member = await getMember(ctx.db, session.accountId);
    return { member: toOut(member), session: deliverSession(reply, ctx, 'member', session, client) };
  });

  app.post('/api/member/password-reset', {
    config: { access: access.public },
    schema: {
      tags,
      summary: 'Reset a forgotten password with an SMS code; every session ends',
      body: z.object({ phone: phoneSchema, smsCode: z.string().regex(/^\d{6}$/), newPassword: passwordInput }),
    },
  }, async (req, reply) => {
    assertStrongPassword(req.body.newPassword, MEMBER_PASSWORD_MIN);
    await resetMemberPassword(ctx.db, ctx.hasher, req.body);
    return reply.code(204).send();
  });

  app.get('/api/member/me', {
    config: { access: access.member },
    schema: { tags, summary: 'My account', response: { 200: memberOut } },
  }, async (req) => toOut(await getMember(ctx.db, requireMember(req).memberId)));

  app.register(async (scoped) => sessionRoutes(scoped, ctx, memberStore), { prefix: '/api/member' });

  // Staff views of members.
  const adminTags = ['admin: members'];
  app.get('/api/admin/members', {
    config: { access: access.anyStaff },
    schema: {
      tags: adminTags,
      summary: 'Search members by phone, name or invite code',
      querystring: memberListFilters.extend({ cursor: cursorParam, limit: pageLimit }),
      response: { 200: z.object({ items: z.array(memberAdminOut), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    const page = await listMembers(ctx.db, { q: req.query.q, status: req.query.status, before: req.query.cursor, limit: req.query.limit });
    return { items: page.items.map(toAdminOut), nextCursor: page.nextCursor };
  });

  app.get('/api/admin/members.csv', {
    config: { access: access.anyStaff },
    schema: {
      tags: adminTags,
      summary: 'The member list as CSV (same filters as the list)',
      description: `Newest first; phones in full, as the list shows them to staff; times in the platform time zone. ${exportCapNote}`,
      querystring: memberListFilters,
    },
  }, async (req, reply) => {
    const { q, status } = req.query;
    const rows = await collectForExport((cursor, limit) => listMembers(ctx.db, { q, status, before: cursor === undefined ? undefined : Number(cursor), limit }));
    const tz = ctx.config.PLATFORM_TIMEZONE;
    const now = Date.now();
    // Names and device ids are typed by members: the export defuses formula-like cells.
    const csv = toCsv(
      ['会员ID', '昵称', '手机号', '状态', '登录锁定至', '注册IP', '注册设备', '注册时间'],
      rows.map((m) => [
        m.id,
        m.displayName,
        m.phone,
        memberStatusLabels[m.status],
        m.lockedUntil && m.lockedUntil.getTime() > now ? csvTime(m.lockedUntil, tz) : null,
        m.registrationIp,
        m.registrationDeviceId,
        csvTime(m.createdAt, tz),
      ]),
    );
    return sendCsvDownload(reply, 'members', tz, csv);
  });

  app.get('/api/admin/members/:id', {
    config: { access: access.anyStaff },
    schema: { tags: adminTags, summary: 'One member', params: idParam, response: { 200: memberAdminOut } },
  }, async (req) => toAdminOut(await getMember(ctx.db, req.params.id)));

  app.post('/api/admin/members/:id/unlock', {
    config: { access: access.staff('owner', 'risk') },
    schema: { tags: adminTags, summary: 'Lift a login lock', params: idParam, response: { 200: memberAdminOut } },
  }, async (req) => toAdminOut(await unlockMember(ctx.db, auditContextOf(req), req.params.id)));

  app.put('/api/admin/members/:id/status', {
    config: { access: access.staff('owner', 'risk') },
    schema: {
      tags: adminTags,
      summary: 'Suspend or reactivate a member (suspension ends its sessions)',
      params: idParam,
      body: z.object({ status: z.enum(['active', 'suspended']), reason: z.string().trim().min(2).max(500) }),
      response: { 200: memberAdminOut },
    },
  }, async (req) => toAdminOut(await setMemberStatus(ctx.db, auditContextOf(req), req.params.id, req.body.status, req.body.reason)));
}
