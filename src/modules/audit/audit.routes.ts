import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { cursorParam, isoDate, pageLimit } from '../../lib/http/schemas.js';
import { access } from '../auth/access.js';
import { listAudit } from './audit.service.js';

const entryOut = z.object({
  id: z.number(),
  at: z.string(),
  actorKind: z.enum(['staff', 'member', 'system']),
  actorId: z.number().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
});

export function auditRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  app.get('/api/admin/audit-log', {
    config: { access: access.staff('owner') },
    schema: {
      tags: ['admin: audit'],
      summary: 'Audit log, newest first',
      querystring: z.object({
        actorKind: z.enum(['staff', 'member', 'system']).optional(),
        actorId: z.coerce.number().int().positive().optional(),
        action: z.string().max(100).optional(),
        targetType: z.string().max(50).optional(),
        targetId: z.string().max(100).optional(),
        from: isoDate.optional(),
        to: isoDate.optional(),
        cursor: cursorParam,
        limit: pageLimit,
      }),
      response: { 200: z.object({ items: z.array(entryOut), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    const q = req.query;
    const page = await listAudit(ctx.db, {
      ...q,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      before: q.cursor,
    });
    return { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor };
  });
}
