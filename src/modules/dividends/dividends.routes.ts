import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { idParam, pageLimit } from '../../lib/http/schemas.js';
import { auditContextOf } from '../audit/audit.service.js';
import { access, requireMember } from '../auth/access.js';
import { parseMonth } from '../performance/performance.service.js';
import { readSettings, writeSettings } from '../settings/settings.service.js';
import { approveRun, cancelRun, collectStatistics, openRun, payRun } from './settlement.service.js';
import { qualifierLines, qualifiersCsv, runSummaries, runSummary } from './settlement-views.service.js';
import { settlementSettingsDef, settlementSettingsSchema } from './settlement-settings.js';
import { describeTier, encodeTier, tierSetInput } from './tiers.js';
import { currentTiers, saveTiers, tierVersion, tierVersions } from './tiers.service.js';
import { memberDividends, monthlyReport, monthlyReportCsv } from './settlement-reports.service.js';

const anyJson = z.record(z.string(), z.unknown());
const runOut = anyJson.describe('a run: month, state, tiers version, volume, progress {stage, done, total}, and per tier the pool, qualifiers, share and remainder (fen strings)');
const monthInput = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'YYYY-MM' });

export function dividendRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tz = ctx.config.PLATFORM_TIMEZONE;
  const tags = ['admin: dividends and settlement'];
  const finance = access.staff('owner', 'finance');

  // Statistics and payment of a big month take minutes: they run after the answer (202), and the run's progress
  // is read with GET. The app waits for them when it closes; a crash leaves the run resumable (the scheduler does).
  const running = new Set<Promise<unknown>>();
  const inBackground = (label: string, work: () => Promise<unknown>) => {
    const p = work()
      .catch((err: unknown) => app.log.error({ err, job: label }, 'settlement work failed'))
      .finally(() => running.delete(p));
    running.add(p);
  };
  app.addHook('onClose', async () => {
    await Promise.all([...running]);
  });

  const tiersOut = z.object({ version: z.number(), note: z.string().nullable(), savedAt: z.string(), tiers: z.array(anyJson), descriptions: z.array(z.string()) });
  const tiersView = async () => {
    const t = await currentTiers(ctx.db);
    return { version: t.version, note: t.note, savedAt: t.savedAt.toISOString(), tiers: t.tiers.map(encodeTier), descriptions: t.tiers.filter((x) => x.enabled).map(describeTier) };
  };

  app.get('/api/admin/dividends/tiers', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'The current dividend tiers (分红档位)', response: { 200: tiersOut } },
  }, tiersView);

  app.put('/api/admin/dividends/tiers', {
    config: { access: access.staff('owner') },
    schema: {
      tags,
      summary: 'Save the tiers as a new version (send the version you read as basedOn; a stale one gets 409)',
      body: tierSetInput.safeExtend({ basedOn: z.number().int().min(0), note: z.string().max(200).nullish() }),
      response: { 200: tiersOut },
    },
  }, async (req) => {
    await saveTiers(ctx.db, auditContextOf(req), { tiers: req.body.tiers, basedOn: req.body.basedOn, note: req.body.note });
    return tiersView();
  });

  app.get('/api/admin/dividends/tiers/versions', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'Earlier versions of the tiers', response: { 200: z.object({ items: z.array(z.object({ version: z.number(), note: z.string().nullable(), savedAt: z.string(), tiers: z.number() })) }) } },
  }, async () => ({ items: (await tierVersions(ctx.db)).map((v) => ({ ...v, savedAt: v.savedAt.toISOString() })) }));

  app.get('/api/admin/dividends/tiers/versions/:version', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'One saved version of the tiers, whole (the one a run names)', params: z.object({ version: z.coerce.number().int().positive().max(2_147_483_647) }), response: { 200: tiersOut } },
  }, async (req) => {
    const t = await tierVersion(ctx.db, req.params.version);
    return { version: t.version, note: t.note, savedAt: t.savedAt.toISOString(), tiers: t.tiers.map(encodeTier), descriptions: t.tiers.filter((x) => x.enabled).map(describeTier) };
  });

  app.get('/api/admin/settlement/runs', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'Settlement runs, newest first', querystring: z.object({ month: monthInput.optional() }), response: { 200: z.object({ items: z.array(runOut) }) } },
  }, async (req) => ({ items: (await runSummaries(ctx.db, { month: req.query.month ? parseMonth(req.query.month) : undefined })) as unknown as Record<string, unknown>[] }));

  app.post('/api/admin/settlement/runs', {
    config: { access: finance },
    schema: {
      tags,
      summary: 'Open the run of an ended month and compute its statistics (202: follow the progress with GET; the run then waits in preview)',
      body: z.object({ month: monthInput }).strict(),
      response: { 202: runOut },
    },
  }, async (req, reply) => {
    const runId = await openRun(ctx.db, auditContextOf(req), parseMonth(req.body.month), tz);
    inBackground(`statistics of run ${runId}`, () => collectStatistics(ctx.db, ctx.dbKind, runId, tz));
    return reply.code(202).send((await runSummary(ctx.db, runId)) as unknown as Record<string, unknown>);
  });

  app.get('/api/admin/settlement/runs/:id', {
    config: { access: access.anyStaff },
    schema: { tags, summary: "A run: its stage, progress and tiers", params: idParam, response: { 200: runOut } },
  }, async (req) => (await runSummary(ctx.db, req.params.id)) as unknown as Record<string, unknown>);

  app.get('/api/admin/settlement/runs/:id/qualifiers', {
    config: { access: access.anyStaff },
    schema: {
      tags,
      summary: "The run's qualifiers with the evidence of every condition (the preview)",
      params: idParam,
      querystring: z.object({ tierId: z.string().max(32).optional(), cursor: z.string().regex(/^[a-z][a-z0-9_-]{0,31}:\d{1,15}$/).optional(), limit: pageLimit }),
      response: { 200: z.object({ items: z.array(anyJson), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    await runSummary(ctx.db, req.params.id);
    const after = req.query.cursor ? { tierId: req.query.cursor.split(':')[0]!, memberId: Number(req.query.cursor.split(':')[1]) } : undefined;
    const page = await qualifierLines(ctx.db, req.params.id, { tierId: req.query.tierId, after, limit: req.query.limit });
    // Staff lists mask phone numbers.
    return { items: page.items.map((q) => ({ ...q, phone: `${q.phone.slice(0, 3)}****${q.phone.slice(-4)}` })) as unknown as Record<string, unknown>[], nextCursor: page.nextCursor };
  });

  app.get('/api/admin/settlement/runs/:id/qualifiers.csv', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'The preview as CSV', params: idParam },
  }, async (req, reply) => {
    const run = await runSummary(ctx.db, req.params.id);
    const csv = await qualifiersCsv(ctx.db, req.params.id);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="settlement-${run.month}-run-${run.id}.csv"`).send(csv);
  });

  app.post('/api/admin/settlement/runs/:id/approve', {
    config: { access: access.staff('finance') },
    schema: { tags, summary: 'Approve the preview for payment (finance)', params: idParam, response: { 200: runOut } },
  }, async (req) => {
    await approveRun(ctx.db, auditContextOf(req), req.params.id);
    return (await runSummary(ctx.db, req.params.id)) as unknown as Record<string, unknown>;
  });

  app.post('/api/admin/settlement/runs/:id/pay', {
    config: { access: finance },
    schema: { tags, summary: 'Pay an approved run, or resume a payment (202: follow the progress with GET)', params: idParam, response: { 202: runOut } },
  }, async (req, reply) => {
    const run = await runSummary(ctx.db, req.params.id);
    // Refusals (not approved, already paid…) answer now; the payment itself runs after the answer.
    if (!(run.state === 'approved' || run.state === 'paying' || (run.state === 'preview' && !run.approvalRequired))) {
      await payRun(ctx.db, auditContextOf(req), req.params.id);
    } else {
      const actor = auditContextOf(req);
      inBackground(`payment of run ${run.id}`, () => payRun(ctx.db, actor, run.id));
    }
    return reply.code(202).send((await runSummary(ctx.db, req.params.id)) as unknown as Record<string, unknown>);
  });

  app.post('/api/admin/settlement/runs/:id/cancel', {
    config: { access: finance },
    schema: { tags, summary: 'Cancel a run before payment (a new run of the month may then be opened)', params: idParam, body: z.object({ reason: z.string().trim().min(1).max(200) }).strict(), response: { 200: runOut } },
  }, async (req) => {
    await cancelRun(ctx.db, auditContextOf(req), req.params.id, req.body.reason);
    return (await runSummary(ctx.db, req.params.id)) as unknown as Record<string, unknown>;
  });

  const settingsOut = settlementSettingsSchema.extend({ version: z.number() });
  app.get('/api/admin/settings/settlement', {
    config: { access: access.anyStaff },
    schema: { tags: ['admin: settings'], summary: 'Settlement schedule and payout options', response: { 200: settingsOut } },
  }, async () => {
    const s = await readSettings(ctx.db, settlementSettingsDef);
    return { version: s.version, ...s.value };
  });

  app.put('/api/admin/settings/settlement', {
    config: { access: finance },
    schema: { tags: ['admin: settings'], summary: 'Change the settlement schedule and payout options (send the version you read)', body: settlementSettingsSchema.extend({ version: z.number().int().min(0) }), response: { 200: settingsOut } },
  }, async (req) => {
    const { version, ...value } = req.body;
    const saved = await writeSettings(ctx.db, auditContextOf(req), settlementSettingsDef, value, version, (v) => v);
    return { version: saved.version, ...saved.value };
  });

  app.get('/api/member/dividends', {
    config: { access: access.member },
    schema: {
      tags: ['member: earnings'],
      summary: 'My dividends by month and tier, with the conditions I met, and the tiers in words',
      response: { 200: z.object({ items: z.array(anyJson), tiers: z.array(z.string()) }) },
    },
  }, async (req) => {
    const items = await memberDividends(ctx.db, requireMember(req).memberId);
    const t = await currentTiers(ctx.db);
    return { items: items as unknown as Record<string, unknown>[], tiers: t.tiers.filter((x) => x.enabled).map(describeTier) };
  });

  app.get('/api/admin/reports/monthly', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'A month in figures: volume, payouts by type and by level, payout share of volume', querystring: z.object({ month: monthInput }), response: { 200: anyJson } },
  }, async (req) => (await monthlyReport(ctx.db, parseMonth(req.query.month))) as unknown as Record<string, unknown>);

  app.get('/api/admin/reports/monthly.csv', {
    config: { access: access.anyStaff },
    schema: { tags, summary: 'The monthly report as CSV', querystring: z.object({ month: monthInput }) },
  }, async (req, reply) => {
    const csv = monthlyReportCsv(await monthlyReport(ctx.db, parseMonth(req.query.month)));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="report-${req.query.month}.csv"`).send(csv);
  });
}
