import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { idParam } from '../../lib/http/schemas.js';
import { fenOut } from '../../lib/money.js';
import { auditContextOf, recordAudit } from '../audit/audit.service.js';
import { access, requireMember } from '../auth/access.js';
import { getMember } from '../members/members.service.js';
import { type MonthFigures, memberHistory, teamRanking } from './figures.service.js';
import { monthOf, parseMonth, rebuildPerformance } from './performance.service.js';

const figuresOut = z.object({
  month: z.string().describe('YYYY-MM'),
  personalSettledFen: fenOut,
  personalRefundedFen: fenOut,
  personalNetFen: fenOut,
  personalSales: z.number(),
  teamNetFen: fenOut.describe('whole downline, excluding the member'),
  teamWithSelfFen: fenOut,
  teamActive: z.number().describe('downline members with a settled sale this month'),
});
const toOut = (f: MonthFigures) => ({
  month: f.month.slice(0, 7),
  personalSettledFen: f.personalSettled.toString(),
  personalRefundedFen: f.personalRefunded.toString(),
  personalNetFen: f.personalNet.toString(),
  personalSales: f.personalSales,
  teamNetFen: f.teamNet.toString(),
  teamWithSelfFen: (f.teamNet + f.personalNet).toString(),
  teamActive: f.teamActive,
});
const withIncrements = (months: MonthFigures[]) =>
  months.map((f, i) => {
    const prev = months[i + 1];
    return {
      ...toOut(f),
      personalIncrementFen: prev ? (f.personalNet - prev.personalNet).toString() : null,
      teamIncrementFen: prev ? (f.teamNet - prev.teamNet).toString() : null,
    };
  });
const historyOut = z.object({
  timezone: z.string(),
  months: z.array(figuresOut.extend({ personalIncrementFen: fenOut.nullable(), teamIncrementFen: fenOut.nullable().describe('this month − the month before') })),
});
const historyQuery = z.object({ months: z.coerce.number().int().min(1).max(36).default(12) });

export function performanceRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tz = ctx.config.PLATFORM_TIMEZONE;
  // One extra month so the oldest shown still has its increment.
  const history = async (memberId: number, count: number) => withIncrements(await memberHistory(ctx.db, memberId, monthOf(new Date(), tz), count + 1)).slice(0, count);

  app.get('/api/member/performance', {
    config: { access: access.member },
    schema: { tags: ['member: team'], summary: 'My personal and team performance by month, newest first', querystring: historyQuery, response: { 200: historyOut } },
  }, async (req) => ({ timezone: tz, months: await history(requireMember(req).memberId, req.query.months) }));

  app.get('/api/admin/members/:id/performance', {
    config: { access: access.anyStaff },
    schema: { tags: ['admin: members'], summary: "A member's personal and team performance by month", params: idParam, querystring: historyQuery, response: { 200: historyOut } },
  }, async (req) => {
    await getMember(ctx.db, req.params.id);
    return { timezone: tz, months: await history(req.params.id, req.query.months) };
  });

  app.get('/api/admin/performance/ranking', {
    config: { access: access.anyStaff },
    schema: {
      tags: ['admin: performance'],
      summary: 'Members ranked by team performance in a month',
      querystring: z.object({
        month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional().describe('YYYY-MM; default this month'),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        offset: z.coerce.number().int().min(0).max(100_000).default(0),
      }),
      response: { 200: z.object({ month: z.string(), items: z.array(figuresOut.extend({ rank: z.number(), memberId: z.number(), displayName: z.string() })) }) },
    },
  }, async (req) => {
    const month = req.query.month ? parseMonth(req.query.month) : monthOf(new Date(), tz);
    const rows = await teamRanking(ctx.db, month, req.query.limit, req.query.offset);
    return { month: month.slice(0, 7), items: rows.map((r, i) => ({ ...toOut(r), rank: req.query.offset + i + 1, memberId: r.memberId, displayName: r.displayName })) };
  });

  app.post('/api/admin/performance/rebuild', {
    config: { access: access.staff('owner') },
    schema: {
      tags: ['admin: performance'],
      summary: 'Recompute every open month from the stored transactions (closed months stay as they are)',
      response: { 200: z.object({ months: z.array(z.string()), rows: z.number() }) },
    },
  }, async (req) => {
    const result = await rebuildPerformance(ctx.db, tz);
    await recordAudit(ctx.db, auditContextOf(req), { action: 'performance.rebuilt', targetType: 'performance', after: result });
    return result;
  });
}
