import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { cursorParam, isoDate, pageLimit } from '../../lib/http/schemas.js';
import { access } from '../auth/access.js';
import { listStaff } from '../staff/staff.service.js';
import type { AuditEntry } from './audit.schema.js';
import { type AuditFilter, listAudit } from './audit.service.js';
import { collectForExport, csvTime, exportCapNote, sendCsvDownload, toCsv } from '../../lib/http/csv.js';

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

/** The log's filters; the CSV export takes the same ones. */
const auditFilters = z.object({
  actorKind: z.enum(['staff', 'member', 'system']).optional(),
  actorId: z.coerce.number().int().positive().optional(),
  action: z.string().max(100).optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(100).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});
type AuditFilters = z.output<typeof auditFilters>;

const filterOf = (q: AuditFilters, before: number | undefined, limit: number): AuditFilter => ({
  ...q,
  from: q.from ? new Date(q.from) : undefined,
  to: q.to ? new Date(q.to) : undefined,
  before,
  limit,
});

const actorKindLabels: Record<AuditEntry['actorKind'], string> = { staff: '员工', member: '会员', system: '系统' };
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

export function auditRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin: audit'];
  app.get('/api/admin/audit-log', {
    config: { access: access.staff('owner') },
    schema: {
      tags,
      summary: 'Audit log, newest first',
      querystring: auditFilters.extend({ cursor: cursorParam, limit: pageLimit }),
      response: { 200: z.object({ items: z.array(entryOut), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    const page = await listAudit(ctx.db, filterOf(req.query, req.query.cursor, req.query.limit));
    return { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor };
  });

  app.get('/api/admin/audit-log.csv', {
    config: { access: access.staff('owner') },
    schema: {
      tags,
      summary: 'Audit log as CSV, newest first (same filters as the log)',
      description: `Before and after as JSON text; staff actors named; times in the platform time zone. ${exportCapNote}`,
      querystring: auditFilters,
    },
  }, async (req, reply) => {
    const rows = await collectForExport((cursor, limit) => listAudit(ctx.db, filterOf(req.query, cursor === undefined ? undefined : Number(cursor), limit)));
    const staffNames = new Map((await listStaff(ctx.db)).map((s) => [s.id, `${s.displayName}（${s.username}）`]));
    const tz = ctx.config.PLATFORM_TIMEZONE;
    // Reasons and before/after values can hold text members typed: the export defuses formula-like cells.
    const csv = toCsv(
      ['记录编号', '时间', '操作者类型', '操作者ID', '操作者', '操作', '对象类型', '对象ID', '原因', '变更前', '变更后', 'IP', '请求编号'],
      rows.map((e) => [
        e.id,
        csvTime(e.at, tz),
        actorKindLabels[e.actorKind],
        e.actorId,
        e.actorKind === 'staff' && e.actorId !== null ? (staffNames.get(e.actorId) ?? null) : null,
        e.action,
        e.targetType,
        e.targetId,
        e.reason,
        json(e.before),
        json(e.after),
        e.ip,
        e.requestId,
      ]),
    );
    return sendCsvDownload(reply, 'audit-log', tz, csv);
  });
}
