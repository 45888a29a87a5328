import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { cursorParam, idParam, pageLimit } from '../../lib/http/schemas.js';
import { auditContextOf } from '../audit/audit.service.js';
import { access, requireMember } from '../auth/access.js';
import { getMember } from '../members/members.service.js';
import { renderInvitePoster } from './poster.js';
import { type TeamMember, teamMembers, teamSummary, uplineOf } from './team.service.js';
import { bindingHistoryOf, getNode, inviteCodeOf, moveMember } from './tree.service.js';

/** Shown on posters and pages; one place to rename the platform. */
const PLATFORM_NAME = '商联';

const teamMemberOut = z.object({
  memberId: z.number(),
  displayName: z.string(),
  phone: z.string().describe('masked for members'),
  status: z.string(),
  generation: z.number().describe('1 = 直推, 2 = 间推, …'),
  directCount: z.number(),
  boundAt: z.string(),
  level: z.object({ rank: z.number(), name: z.string() }).nullable().describe('the level held now; null before the first'),
});
const toOut = (m: TeamMember) => ({ ...m, boundAt: m.boundAt.toISOString() });
const summaryOut = z.object({
  direct: z.number(),
  indirect: z.number(),
  total: z.number(),
  perGeneration: z.array(z.object({ generation: z.number(), count: z.number() })),
});
const teamQuery = z.object({
  generation: z.coerce.number().int().min(1).max(10_000).optional().describe('1 direct, 2 indirect, …; omit for the whole downline'),
  q: z.string().trim().min(1).max(40).optional().describe('search by name or phone'),
  cursor: cursorParam,
  limit: pageLimit,
});

export function referralRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tags = ['member: team'];

  /**
   * The link must be absolute: it travels in chats and QR codes. Without
   * PUBLIC_BASE_URL it is built from the address the member used to reach us.
   */
  const inviteLinkOf = (req: FastifyRequest, code: string) =>
    new URL(`/m/register?invite=${encodeURIComponent(code)}`, ctx.config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.host}`).toString();

  app.get('/api/member/invite', {
    config: { access: access.member },
    schema: {
      tags,
      summary: 'My invite code, link and poster',
      response: { 200: z.object({ code: z.string(), link: z.string(), posterUrl: z.string().describe('PNG with a QR code of the link') }) },
    },
  }, async (req) => {
    const code = await inviteCodeOf(ctx.db, requireMember(req).memberId);
    return { code, link: inviteLinkOf(req, code), posterUrl: '/api/member/invite/poster.png' };
  });

  app.get('/api/member/invite/poster.png', {
    config: { access: access.member },
    schema: { tags, summary: 'My share poster (PNG, 750×1334): my name, the platform name and a QR code of my invite link' },
  }, async (req, reply) => {
    const memberId = requireMember(req).memberId;
    const [member, code] = await Promise.all([getMember(ctx.db, memberId), inviteCodeOf(ctx.db, memberId)]);
    const png = await renderInvitePoster({ memberName: member.displayName, platformName: PLATFORM_NAME, inviteCode: code, link: inviteLinkOf(req, code) });
    return reply
      .header('content-type', 'image/png')
      .header('cache-control', 'private, max-age=300')
      .header('content-disposition', `inline; filename="invite-${code}.png"`)
      .send(png);
  });

  app.get('/api/member/team/summary', {
    config: { access: access.member },
    schema: { tags, summary: 'My team: direct, indirect, per generation and in all', response: { 200: summaryOut } },
  }, async (req) => teamSummary(ctx.db, requireMember(req).memberId));

  app.get('/api/member/team/members', {
    config: { access: access.member },
    schema: { tags, summary: 'Members of my downline (only mine), newest first', querystring: teamQuery, response: { 200: z.object({ items: z.array(teamMemberOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    const page = await teamMembers(ctx.db, requireMember(req).memberId, { generation: req.query.generation, q: req.query.q, before: req.query.cursor, limit: req.query.limit }, { maskPhones: true });
    return { items: page.items.map(toOut), nextCursor: page.nextCursor };
  });

  const adminTags = ['admin: members'];
  app.get('/api/admin/members/:id/tree', {
    config: { access: access.anyStaff },
    schema: {
      tags: adminTags,
      summary: "A member's upline chain and team counts (children load with /children)",
      params: idParam,
      response: {
        200: z.object({
          memberId: z.number(),
          depth: z.number(),
          upline: z.array(z.object({ memberId: z.number(), displayName: z.string(), generationsUp: z.number() })),
          team: summaryOut,
        }),
      },
    },
  }, async (req) => {
    const node = await getNode(ctx.db, req.params.id);
    return { memberId: node.memberId, depth: node.depth, upline: await uplineOf(ctx.db, node.memberId), team: await teamSummary(ctx.db, node.memberId) };
  });

  app.get('/api/admin/members/:id/team', {
    config: { access: access.anyStaff },
    schema: { tags: adminTags, summary: "A member's downline (generation=1 for the children of a tree node)", params: idParam, querystring: teamQuery, response: { 200: z.object({ items: z.array(teamMemberOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    await getMember(ctx.db, req.params.id);
    const page = await teamMembers(ctx.db, req.params.id, { generation: req.query.generation, q: req.query.q, before: req.query.cursor, limit: req.query.limit }, { maskPhones: false });
    return { items: page.items.map(toOut), nextCursor: page.nextCursor };
  });

  app.get('/api/admin/members/:id/bindings', {
    config: { access: access.anyStaff },
    schema: {
      tags: adminTags,
      summary: 'Binding history: every binding and move, from, to, by whom, why, when',
      params: idParam,
      response: { 200: z.object({ items: z.array(z.object({ fromParentId: z.number().nullable(), toParentId: z.number().nullable(), via: z.string(), actorKind: z.string(), actorId: z.number().nullable(), reason: z.string().nullable(), at: z.string() })) }) },
    },
  }, async (req) => {
    await getMember(ctx.db, req.params.id);
    return { items: (await bindingHistoryOf(ctx.db, req.params.id)).map((h) => ({ fromParentId: h.fromParentId, toParentId: h.toParentId, via: h.via, actorKind: h.actorKind, actorId: h.actorId, reason: h.reason, at: h.at.toISOString() })) };
  });

  app.put('/api/admin/members/:id/parent', {
    config: { access: access.staff('owner', 'risk') },
    schema: {
      tags: adminTags,
      summary: 'Assign or change the inviter (moves the whole downline; refuses cycles; audited)',
      params: idParam,
      body: z.object({ parentId: z.number().int().positive().nullable(), reason: z.string().trim().min(2).max(500) }),
      response: { 200: z.object({ memberId: z.number(), parentId: z.number().nullable(), depth: z.number() }) },
    },
  }, async (req) => {
    const node = await moveMember(ctx.db, auditContextOf(req), { memberId: req.params.id, newParentId: req.body.parentId, reason: req.body.reason });
    return { memberId: node.memberId, parentId: node.parentId, depth: node.depth };
  });
}
