import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { notFound } from '../../lib/errors.js';
import { cursorParam, idParam, pageLimit } from '../../lib/http/schemas.js';
import { fenOut } from '../../lib/money.js';
import { access, requireMember, requireStaff } from '../auth/access.js';
import { auditContextOf } from '../audit/audit.service.js';
import { collectForExport, csvTime, exportCapNote, sendCsvDownload, toCsv } from '../../lib/http/csv.js';
import { readSettings, writeSettings } from '../settings/settings.service.js';
import { createFileStore, type FileStore } from './files.js';
import { type ApplicationState, applicationStates, blacklistKinds, fileKinds, type onboardingFiles } from './onboarding.schema.js';
import {
  applicationFields,
  applicationHistory,
  attachFile,
  entryFeeSettingsDef,
  findFile,
  getApplication,
  listApplications,
  reviewApplication,
  saveDraft,
  submitApplication,
  viewApplication,
} from './onboarding.service.js';
import { addToBlacklist, listBlacklist, removeFromBlacklist, riskSettingsDef } from './risk.service.js';

const applicationOut = z.object({
  memberId: z.number(),
  state: z.enum([...applicationStates, 'none']).describe('none: nothing saved yet'),
  fields: z.record(z.string(), z.string().nullable()).describe('idNumber and bankAccountNo are masked unless revealed'),
  revealed: z.boolean(),
  files: z.array(z.object({ kind: z.enum(fileKinds), fileId: z.number() })),
  missing: z.array(z.string()).describe('what submit still needs'),
  revision: z.number(),
  submittedAt: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  reviewReason: z.string().nullable(),
  activatedAt: z.string().nullable(),
});
const eventOut = z.object({ fromState: z.string().nullable(), toState: z.string(), actorKind: z.string(), reason: z.string().nullable(), at: z.string() });
const riskFlagOut = z.object({ code: z.string(), message: z.string(), evidence: z.record(z.string(), z.unknown()) });
const fileOut = z.object({ fileId: z.number(), kind: z.enum(fileKinds), mime: z.string(), size: z.number(), createdAt: z.string() });
const toFileOut = (f: typeof onboardingFiles.$inferSelect) => ({ fileId: f.id, kind: f.kind, mime: f.mime, size: f.size, createdAt: f.createdAt.toISOString() });
const toEventOut = (e: { fromState: string | null; toState: string; actorKind: string; reason: string | null; at: Date }) => ({ fromState: e.fromState, toState: e.toState, actorKind: e.actorKind, reason: e.reason, at: e.at.toISOString() });

/** The review queue's filters; the CSV export takes the same ones. */
const queueFilters = z.object({
  state: z.enum(applicationStates).optional(),
  flagged: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('only applications with risk flags'),
});
const stateLabels: Record<ApplicationState, string> = {
  draft: '草稿',
  submitted: '待审核',
  approved: '已通过 · 待缴费',
  rejected: '已驳回',
  fee_pending: '缴费中',
  active: '已入驻',
};
const riskCodeLabels: Record<string, string> = {
  duplicate_licence: '执照号重复',
  duplicate_id_number: '身份证号重复',
  blacklist: '命中黑名单',
  registration_burst_ip: '同 IP 批量注册',
  registration_burst_device: '同设备批量注册',
};

const onboardingSettingsBody = z.object({
  entryFeeFen: z.string().regex(/^[1-9]\d{0,11}$/).describe('entry fee in fen'),
  orderTtlMinutes: z.number().int().min(5).max(24 * 60),
  burstWindowMinutes: z.number().int().min(1).max(7 * 24 * 60),
  burstMaxPerIp: z.number().int().min(1).max(10_000),
  burstMaxPerDevice: z.number().int().min(1).max(10_000),
});
const onboardingSettingsOut = onboardingSettingsBody.extend({ entryFeeVersion: z.number(), riskVersion: z.number() });

/** Images are sent as the raw request body (Content-Type image/*), one per request. */
const imageTypes = ['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'];

async function sendFile(reply: FastifyReply, store: FileStore, file: typeof onboardingFiles.$inferSelect) {
  const bytes = await store.read(file.storageKey);
  // Private, never cached by shared caches, never sniffed into something executable.
  return reply
    .header('content-type', file.mime)
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .header('content-disposition', `inline; filename="${file.kind}-${file.id}"`)
    .send(bytes);
}

export function onboardingRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const store = createFileStore(ctx.config.uploadDir, ctx.config.UPLOAD_MAX_BYTES, ctx.cipher);
  app.addContentTypeParser(imageTypes.filter((t) => t.startsWith('image/')), { parseAs: 'buffer', bodyLimit: ctx.config.UPLOAD_MAX_BYTES }, (_req, body, done) => done(null, body));
  if (!app.hasContentTypeParser('application/octet-stream')) {
    app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: ctx.config.UPLOAD_MAX_BYTES }, (_req, body, done) => done(null, body));
  }
  const tags = ['member: onboarding'];

  app.get('/api/member/onboarding', {
    config: { access: access.member },
    schema: {
      tags,
      summary: 'My onboarding application, its history and the entry fee',
      response: { 200: z.object({ application: applicationOut, history: z.array(eventOut), entryFeeFen: fenOut }) },
    },
  }, async (req) => {
    const memberId = requireMember(req).memberId;
    const [row, history, fee] = await Promise.all([getApplication(ctx.db, memberId), applicationHistory(ctx.db, memberId), readSettings(ctx.db, entryFeeSettingsDef)]);
    return { application: viewApplication(row, memberId, ctx.cipher, false), history: history.events.map(toEventOut), entryFeeFen: fee.value.amountFen.toString() };
  });

  app.put('/api/member/onboarding', {
    config: { access: access.member },
    schema: {
      tags,
      summary: 'Save the form (any subset of fields) while it is a draft or was rejected',
      body: applicationFields.partial().strict(),
      response: { 200: applicationOut },
    },
  }, async (req) => {
    const memberId = requireMember(req).memberId;
    return viewApplication(await saveDraft(ctx.db, ctx.cipher, memberId, req.body), memberId, ctx.cipher, false);
  });

  app.post('/api/member/onboarding/submit', {
    config: { access: access.member },
    schema: { tags, summary: 'Submit for review (runs the risk checks; a rejected application can be resubmitted)', response: { 200: applicationOut } },
  }, async (req) => {
    const memberId = requireMember(req).memberId;
    return viewApplication(await submitApplication(ctx.db, ctx.cipher, memberId, auditContextOf(req)), memberId, ctx.cipher, false);
  });

  app.put('/api/member/onboarding/files/:kind', {
    config: { access: access.member },
    bodyLimit: ctx.config.UPLOAD_MAX_BYTES,
    schema: {
      tags,
      summary: 'Upload one image (raw body, JPEG/PNG/WebP; the type is read from the bytes)',
      params: z.object({ kind: z.enum(fileKinds) }),
      response: { 201: fileOut },
    },
  }, async (req, reply) => {
    const memberId = requireMember(req).memberId;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const file = await attachFile(ctx.db, store, memberId, req.params.kind, body);
    return reply.code(201).send(toFileOut(file));
  });

  app.get('/api/member/onboarding/files/:id', {
    config: { access: access.member },
    schema: { tags, summary: 'One of my uploaded images', params: idParam },
  }, async (req, reply) => {
    const file = await findFile(ctx.db, req.params.id, requireMember(req).memberId);
    if (!file) throw notFound('File');
    return sendFile(reply, store, file);
  });

  const adminTags = ['admin: onboarding'];
  const reviewers = access.staff('owner', 'risk');
  const canReveal = (req: Parameters<typeof requireStaff>[0]) => requireStaff(req).roles.some((r) => r === 'owner' || r === 'risk');

  app.get('/api/admin/onboarding', {
    config: { access: access.anyStaff },
    schema: {
      tags: adminTags,
      summary: 'Applications, oldest submission first (the review queue is state=submitted)',
      querystring: queueFilters.extend({
        cursor: z
          .string()
          .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z_\d{1,15}$/, { message: 'expected the nextCursor of the previous page' })
          .refine((v) => !Number.isNaN(Date.parse(v.split('_')[0]!)) && new Date(v.split('_')[0]!).toISOString() === v.split('_')[0], { message: 'expected the nextCursor of the previous page' })
          .optional(),
        limit: pageLimit,
      }),
      response: {
        200: z.object({
          items: z.array(z.object({ memberId: z.number(), displayName: z.string(), phone: z.string(), businessName: z.string().nullable(), state: z.string(), revision: z.number(), riskFlagCount: z.number(), riskCodes: z.array(z.string()), submittedAt: z.string().nullable() })),
          nextCursor: z.string().nullable(),
        }),
      },
    },
  }, async (req) => {
    const page = await listApplications(ctx.db, { state: req.query.state, flagged: req.query.flagged, after: req.query.cursor, limit: req.query.limit });
    return {
      items: page.items.map(({ app: a, displayName, phone }) => ({
        memberId: a.memberId,
        displayName,
        phone,
        businessName: a.businessName,
        state: a.state,
        revision: a.revision,
        riskFlagCount: a.riskFlags.length,
        riskCodes: [...new Set(a.riskFlags.map((f) => f.code))],
        submittedAt: a.submittedAt?.toISOString() ?? null,
      })),
      nextCursor: page.nextCursor,
    };
  });

  app.get('/api/admin/onboarding.csv', {
    config: { access: access.anyStaff },
    schema: {
      tags: adminTags,
      summary: 'Applications as CSV, oldest submission first (same filters as the list)',
      description: `Phones in full, as the list shows them to staff; times in the platform time zone. ${exportCapNote}`,
      querystring: queueFilters,
    },
  }, async (req, reply) => {
    const { state, flagged } = req.query;
    const rows = await collectForExport((after, limit) => listApplications(ctx.db, { state, flagged, after, limit }));
    const tz = ctx.config.PLATFORM_TIMEZONE;
    // Names are typed by members: the export defuses formula-like cells.
    const csv = toCsv(
      ['会员ID', '昵称', '手机号', '商户名称', '状态', '提交次数', '风控标记数', '风控标记', '提交时间'],
      rows.map(({ app: a, displayName, phone }) => [
        a.memberId,
        displayName,
        phone,
        a.businessName,
        stateLabels[a.state],
        a.revision,
        a.riskFlags.length,
        [...new Set(a.riskFlags.map((f) => riskCodeLabels[f.code] ?? f.code))].join('；'),
        csvTime(a.submittedAt, tz),
      ]),
    );
    return sendCsvDownload(reply, 'onboarding', tz, csv);
  });

  app.get('/api/admin/onboarding/:id', {
    config: { access: access.anyStaff },
    schema: {
      tags: adminTags,
      summary: "A member's application with risk flags and evidence, files and history (sensitive fields in full for risk/owner only)",
      params: idParam,
      response: {
        200: z.object({
          application: applicationOut,
          riskFlags: z.array(riskFlagOut),
          files: z.array(fileOut),
          history: z.array(eventOut.extend({ actorId: z.number().nullable() })),
          revisions: z.array(z.object({ revision: z.number(), submittedAt: z.string(), riskFlags: z.array(riskFlagOut), decision: z.string().nullable(), decidedBy: z.number().nullable(), decisionReason: z.string().nullable(), decidedAt: z.string().nullable() })),
        }),
      },
    },
  }, async (req) => {
    const row = await getApplication(ctx.db, req.params.id);
    if (!row) throw notFound('Application');
    const history = await applicationHistory(ctx.db, row.memberId);
    const fileIds = new Set(Object.values(row.files));
    const files = (await Promise.all([...fileIds].map((id) => findFile(ctx.db, id, row.memberId)))).filter((f) => f !== null);
    return {
      application: viewApplication(row, row.memberId, ctx.cipher, canReveal(req)),
      riskFlags: row.riskFlags,
      files: files.map(toFileOut),
      history: history.events.map((e) => ({ ...toEventOut(e), actorId: e.actorId })),
      revisions: history.revisions.map((r) => ({
        revision: r.revision,
        submittedAt: r.submittedAt.toISOString(),
        riskFlags: r.riskFlags,
        decision: r.decision,
        decidedBy: r.decidedBy,
        decisionReason: r.decisionReason,
        decidedAt: r.decidedAt?.toISOString() ?? null,
      })),
    };
  });

  app.get('/api/admin/onboarding/:id/files/:fileId', {
    config: { access: reviewers },
    schema: { tags: adminTags, summary: 'An uploaded image (reviewers only)', params: idParam.extend({ fileId: z.coerce.number().int().positive() }) },
  }, async (req, reply) => {
    const file = await findFile(ctx.db, req.params.fileId, req.params.id);
    if (!file) throw notFound('File');
    return sendFile(reply, store, file);
  });

  const decisionBody = z.object({ reason: z.string().trim().min(2).max(500).optional() });
  app.post('/api/admin/onboarding/:id/approve', {
    config: { access: reviewers },
    schema: { tags: adminTags, summary: 'Approve the submitted application (opens the entry fee)', params: idParam, body: decisionBody, response: { 200: applicationOut } },
  }, async (req) => viewApplication(await reviewApplication(ctx.db, auditContextOf(req), req.params.id, 'approved', req.body.reason ?? null), req.params.id, ctx.cipher, true));

  app.post('/api/admin/onboarding/:id/reject', {
    config: { access: reviewers },
    schema: { tags: adminTags, summary: 'Reject the submitted application with a reason the member reads', params: idParam, body: decisionBody.required(), response: { 200: applicationOut } },
  }, async (req) => viewApplication(await reviewApplication(ctx.db, auditContextOf(req), req.params.id, 'rejected', req.body.reason), req.params.id, ctx.cipher, true));

  const blacklistOut = z.object({ id: z.number(), kind: z.enum(blacklistKinds), value: z.string().describe('ID numbers masked'), reason: z.string(), createdBy: z.number().nullable(), createdAt: z.string() });
  const toBlacklistOut = (r: { id: number; kind: (typeof blacklistKinds)[number]; display: string; reason: string; createdBy: number | null; createdAt: Date }) => ({ id: r.id, kind: r.kind, value: r.display, reason: r.reason, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() });

  app.get('/api/admin/risk/blacklist', {
    config: { access: reviewers },
    schema: { tags: ['admin: risk'], summary: 'The blacklist', querystring: z.object({ kind: z.enum(blacklistKinds).optional(), cursor: cursorParam, limit: pageLimit }), response: { 200: z.object({ items: z.array(blacklistOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    const page = await listBlacklist(ctx.db, { kind: req.query.kind, before: req.query.cursor, limit: req.query.limit });
    return { items: page.items.map(toBlacklistOut), nextCursor: page.nextCursor };
  });

  app.post('/api/admin/risk/blacklist', {
    config: { access: reviewers },
    schema: {
      tags: ['admin: risk'],
      summary: 'Add a phone, ID number, licence number or IP to the blacklist',
      body: z.object({ kind: z.enum(blacklistKinds), value: z.string().trim().min(3).max(64), reason: z.string().trim().min(2).max(500) }),
      response: { 201: blacklistOut },
    },
  }, async (req, reply) => reply.code(201).send(toBlacklistOut(await addToBlacklist(ctx.db, ctx.cipher, auditContextOf(req), req.body))));

  app.delete('/api/admin/risk/blacklist/:id', {
    config: { access: reviewers },
    schema: { tags: ['admin: risk'], summary: 'Remove an entry (audited with the reason)', params: idParam, body: z.object({ reason: z.string().trim().min(2).max(500) }), response: { 204: z.null() } },
  }, async (req, reply) => {
    await removeFromBlacklist(ctx.db, auditContextOf(req), req.params.id, req.body.reason);
    return reply.code(204).send(null);
  });

  const readOnboardingSettings = async () => {
    const [fee, risk] = await Promise.all([readSettings(ctx.db, entryFeeSettingsDef), readSettings(ctx.db, riskSettingsDef)]);
    return { entryFeeFen: fee.value.amountFen.toString(), orderTtlMinutes: fee.value.orderTtlMinutes, ...risk.value, entryFeeVersion: fee.version, riskVersion: risk.version };
  };
  app.get('/api/admin/settings/onboarding', {
    config: { access: access.anyStaff },
    schema: { tags: ['admin: settings'], summary: 'Entry fee and risk thresholds', response: { 200: onboardingSettingsOut } },
  }, readOnboardingSettings);

  app.put('/api/admin/settings/onboarding', {
    config: { access: access.staff('owner') },
    schema: {
      tags: ['admin: settings'],
      summary: 'Change the entry fee and risk thresholds (send the versions you read; stale ones get 409)',
      body: onboardingSettingsBody.extend({ entryFeeVersion: z.number().int().min(0), riskVersion: z.number().int().min(0) }),
      response: { 200: onboardingSettingsOut },
    },
  }, async (req) => {
    const b = req.body;
    const audit = auditContextOf(req);
    await ctx.db.transaction(async (tx) => {
      await writeSettings(tx, audit, entryFeeSettingsDef, { amountFen: BigInt(b.entryFeeFen), orderTtlMinutes: b.orderTtlMinutes }, b.entryFeeVersion, (v) => ({ amountFen: v.amountFen.toString(), orderTtlMinutes: v.orderTtlMinutes }));
      await writeSettings(tx, audit, riskSettingsDef, { burstWindowMinutes: b.burstWindowMinutes, burstMaxPerIp: b.burstMaxPerIp, burstMaxPerDevice: b.burstMaxPerDevice }, b.riskVersion, (v) => v);
    });
    return readOnboardingSettings();
  });
}
