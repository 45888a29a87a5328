import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { idParam } from '../../lib/http/schemas.js';
import { auditContextOf } from '../audit/audit.service.js';
import { access } from '../auth/access.js';
import { getReport, listReports, reconcile, statementColumns } from './reconciliation.service.js';

const reportSummary = z.object({ id: z.number(), channelId: z.string(), day: z.string(), fileName: z.string().nullable(), counts: z.record(z.string(), z.number()), createdAt: z.string() });

export function reconciliationRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin: reconciliation'];
  const finance = access.staff('owner', 'finance');

  app.post('/api/admin/channels/:channelId/reconciliations', {
    config: { access: finance },
    schema: {
      tags,
      summary: "Import a channel's daily statement (text/csv) and report the differences",
      description: `CSV header: ${statementColumns.join(',')}. amount_fen in fen; status settled|refunded; occurred_at ISO 8601. Nothing is changed by the import.`,
      params: z.object({ channelId: z.string().max(32) }),
      querystring: z.object({ day: z.iso.date().describe('business day of the statement, platform time zone'), fileName: z.string().max(200).optional() }),
      body: z.string().min(1).max(20_000_000),
      response: { 201: reportSummary.extend({ lines: z.array(z.unknown()) }) },
    },
  }, async (req, reply) => {
    const report = await reconcile(ctx.db, auditContextOf(req), {
      channelId: req.params.channelId,
      day: req.query.day,
      csv: req.body,
      fileName: req.query.fileName ?? null,
      timezone: ctx.config.PLATFORM_TIMEZONE,
    });
    return reply.code(201).send({ ...report, counts: report.counts as Record<string, number>, lines: report.lines as unknown[], createdAt: report.createdAt.toISOString() });
  });

  app.get('/api/admin/reconciliations', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: { tags, summary: 'Reconciliation reports, newest first', querystring: z.object({ channelId: z.string().max(32).optional() }), response: { 200: z.object({ items: z.array(reportSummary) }) } },
  }, async (req) => ({
    items: (await listReports(ctx.db, req.query.channelId)).map((r) => ({ ...r, counts: r.counts as Record<string, number>, createdAt: r.createdAt.toISOString() })),
  }));

  app.get('/api/admin/reconciliations/:id', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: { tags, summary: 'One report with every difference', params: idParam, response: { 200: reportSummary.extend({ lines: z.array(z.unknown()) }) } },
  }, async (req) => {
    const r = await getReport(ctx.db, req.params.id);
    return { ...r, counts: r.counts as Record<string, number>, lines: r.lines as unknown[], createdAt: r.createdAt.toISOString() };
  });
}
