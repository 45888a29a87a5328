import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { maskTail } from '../../lib/crypto.js';
import { AppError } from '../../lib/errors.js';
import { cursorParam, idParam, pageLimit } from '../../lib/http/schemas.js';
import { fenOut, formatYuan, positiveFen } from '../../lib/money.js';
import { auditContextOf } from '../audit/audit.service.js';
import { access, requireMember } from '../auth/access.js';
import { maskPhone } from '../auth/sms.js';
import { readSettings, writeSettings } from '../settings/settings.service.js';
import { sendCsvDownload, toCsv } from '../../lib/http/csv.js';
import { createPayoutBatch, exportPayoutBatch, importPayoutResults, listPayoutBatches } from './withdrawal-batches.service.js';
import { encodeWithdrawalSettings, quoteFee, withdrawalSettingsDef, withdrawalSettingsSchema } from './withdrawal-settings.js';
import { createSandboxPayoutChannel } from './payout-channels.js';
import { type Withdrawal, withdrawalStatuses } from './withdrawals.schema.js';
import { approveWithdrawal, exportWithdrawals, getWithdrawal, listWithdrawals, processApiPayouts, rejectWithdrawal, requestWithdrawal } from './withdrawals.service.js';

const withdrawalOut = z.object({
  id: z.number(),
  memberId: z.number(),
  amountFen: fenOut,
  feeFen: fenOut,
  netFen: fenOut,
  status: z.enum(withdrawalStatuses),
  reviewRequired: z.boolean(),
  channel: z.string(),
  simulated: z.boolean().describe('true when paid through the sandbox (模拟) channel: no real money moves'),
  payee: z.object({ name: z.string(), bank: z.string(), account: z.string().describe('masked') }),
  batchId: z.number().nullable(),
  channelRef: z.string().nullable(),
  reason: z.string().nullable(),
  requestedAt: z.string(),
  updatedAt: z.string(),
});
const eventOut = z.object({ fromStatus: z.string().nullable(), toStatus: z.string(), actorKind: z.string(), reason: z.string().nullable(), at: z.string() });
const settingsOut = z.object({
  version: z.number(),
  minAmountFen: fenOut,
  feeFixedFen: fenOut,
  feePpm: z.number(),
  dailyCount: z.number(),
  dailyAmountFen: fenOut,
  reviewThresholdFen: fenOut,
  payoutChannel: z.string(),
  sandboxOutcome: z.string(),
});

/** Only the last four digits are stored in clear; the rest shows as stars. */
const maskedAccount = (w: Withdrawal) => maskTail(`0000${w.payeeAccountLast4}`);

const toOut = (w: Withdrawal) => ({
  id: w.id,
  memberId: w.memberId,
  amountFen: w.amount.toString(),
  feeFen: w.fee.toString(),
  netFen: w.net.toString(),
  status: w.status,
  reviewRequired: w.reviewRequired,
  channel: w.channel,
  simulated: w.channel === 'sandbox',
  payee: { name: w.payeeName, bank: w.payeeBank, account: maskedAccount(w) },
  batchId: w.batchId,
  channelRef: w.channelRef,
  reason: w.reason,
  requestedAt: w.requestedAt.toISOString(),
  updatedAt: w.updatedAt.toISOString(),
});

const listQuery = z.object({
  status: z.string().max(100).optional().describe('comma-separated statuses'),
  cursor: cursorParam,
  limit: pageLimit,
});
const statusesOf = (s: string | undefined) => {
  const list = s ? s.split(',').map((x) => x.trim()) : undefined;
  const bad = list?.filter((x) => !(withdrawalStatuses as readonly string[]).includes(x));
  if (bad?.length) throw new AppError('VALIDATION_FAILED', `Unknown status ${bad.join(', ')}`, [{ field: 'querystring.status', message: `expected some of ${withdrawalStatuses.join(', ')}` }]);
  return list as Withdrawal['status'][] | undefined;
};

/** The most rows one CSV export holds; more matches answer 400 (narrow the filters). */
export const WITHDRAWALS_CSV_MAX_ROWS = 50_000;
const statusLabels: Record<Withdrawal['status'], string> = { requested: '待审核', approved: '已批准', paying: '打款中', paid: '已到账', rejected: '已驳回', failed: '打款失败' };
const channelLabels: Record<string, string> = { sandbox: '模拟通道', bank_batch: '银行批量代付' };
const csvHeader = ['编号', '申请时间', '会员ID', '会员', '手机号', '提现金额(元)', '手续费(元)', '实际到账(元)', '状态', '大额审核', '打款通道', '收款人', '收款银行', '收款账号', '打款批次', '通道流水号', '原因', '更新时间'];


export function withdrawalRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const sandbox = createSandboxPayoutChannel(async () => (await readSettings(ctx.db, withdrawalSettingsDef)).value.sandboxOutcome);
  // Sandbox payouts finish right after the approval commits, outside its transaction.
  const payIfReady = async (w: Withdrawal) => {
    if (w.status === 'approved' && w.channel === 'sandbox') {
      await processApiPayouts(ctx.db, sandbox, { ids: [w.id] });
      return (await getWithdrawal(ctx.db, w.id)).withdrawal;
    }
    return w;
  };
  const tags = ['member: wallet'];

  app.get('/api/member/withdrawals/quote', {
    config: { access: access.member },
    schema: {
      tags,
      summary: 'Fee and net amount for a withdrawal, and the current rules',
      querystring: z.object({ amountFen: positiveFen }),
      response: { 200: z.object({ amountFen: fenOut, feeFen: fenOut, netFen: fenOut, minAmountFen: fenOut, reviewRequired: z.boolean() }) },
    },
  }, async (req) => {
    const { value: s } = await readSettings(ctx.db, withdrawalSettingsDef);
    const { fee, net } = quoteFee(s, req.query.amountFen);
    return {
      amountFen: req.query.amountFen.toString(),
      feeFen: fee.toString(),
      netFen: net.toString(),
      minAmountFen: s.minAmountFen.toString(),
      reviewRequired: req.query.amountFen >= s.reviewThresholdFen,
    };
  });

  app.post('/api/member/withdrawals', {
    config: { access: access.member },
    schema: {
      tags,
      summary: 'Request a withdrawal from the available balance',
      description: 'Send an Idempotency-Key header: the same key again returns the same withdrawal (200) instead of a second one.',
      headers: z.object({ 'idempotency-key': z.string().regex(/^[A-Za-z0-9_.:-]{8,100}$/, { message: 'expected 8-100 letters, digits, _ . : -' }) }),
      body: z.object({
        amountFen: positiveFen,
        payee: z.object({
          name: z.string().trim().min(1).max(50),
          bank: z.string().trim().min(2).max(60),
          account: z.string().regex(/^\d{8,30}$/, { message: 'expected 8-30 digits' }),
        }),
      }),
      response: { 200: withdrawalOut, 201: withdrawalOut },
    },
  }, async (req, reply) => {
    const { withdrawal, replayed } = await requestWithdrawal(ctx.db, ctx.cipher, ctx.config.PLATFORM_TIMEZONE, {
      memberId: requireMember(req).memberId,
      idempotencyKey: req.headers['idempotency-key'],
      amount: req.body.amountFen,
      payee: req.body.payee,
      ip: req.ip,
      requestId: req.id,
    });
    if (replayed) return reply.code(200).header('idempotent-replayed', 'true').send(toOut(withdrawal));
    return reply.code(201).send(toOut(await payIfReady(withdrawal)));
  });

  app.get('/api/member/withdrawals', {
    config: { access: access.member },
    schema: { tags, summary: 'My withdrawals', querystring: listQuery, response: { 200: z.object({ items: z.array(withdrawalOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    const page = await listWithdrawals(ctx.db, { memberId: requireMember(req).memberId, statuses: statusesOf(req.query.status), before: req.query.cursor, limit: req.query.limit });
    return { items: page.items.map(toOut), nextCursor: page.nextCursor };
  });

  app.get('/api/member/withdrawals/:id', {
    config: { access: access.member },
    schema: { tags, summary: 'One of my withdrawals with its history', params: idParam, response: { 200: withdrawalOut.extend({ events: z.array(eventOut) }) } },
  }, async (req) => {
    const { withdrawal, events } = await getWithdrawal(ctx.db, req.params.id, requireMember(req).memberId);
    return { ...toOut(withdrawal), events: events.map((e) => ({ ...e, at: e.at.toISOString() })) };
  });

  // Finance.
  const adminTags = ['admin: withdrawals'];
  const finance = access.staff('owner', 'finance');
  app.get('/api/admin/withdrawals', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: { tags: adminTags, summary: 'Withdrawals; status=requested is the review queue', querystring: listQuery, response: { 200: z.object({ items: z.array(withdrawalOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    const page = await listWithdrawals(ctx.db, { statuses: statusesOf(req.query.status), before: req.query.cursor, limit: req.query.limit });
    return { items: page.items.map(toOut), nextCursor: page.nextCursor };
  });

  app.get('/api/admin/withdrawals.csv', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: {
      tags: adminTags,
      summary: 'Withdrawals as CSV (the list\'s status filter)',
      description: `Every withdrawal the filter selects, newest first, in one file of at most ${WITHDRAWALS_CSV_MAX_ROWS.toLocaleString('en')} rows; when more match the answer is 400 and the filter must be narrowed. zh-CN headers, UTF-8 with a BOM, amounts in yuan, times in the platform time zone, payee accounts and phones masked as in the list.`,
      querystring: listQuery.omit({ cursor: true, limit: true }),
    },
  }, async (req, reply) => {
    const tz = ctx.config.PLATFORM_TIMEZONE;
    // One formatter for the whole file: building one per cell costs tens of microseconds, seconds for a large export.
    const time = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, dateStyle: 'short', timeStyle: 'medium' });
    const at = (d: Date) => time.format(d);
    const rows = await exportWithdrawals(ctx.db, { statuses: statusesOf(req.query.status) }, WITHDRAWALS_CSV_MAX_ROWS);
    const csv = toCsv(csvHeader, rows.map((w) => [
      w.id,
      at(w.requestedAt),
      w.memberId,
      w.memberName,
      w.memberPhone === null ? null : maskPhone(w.memberPhone),
      formatYuan(w.amount),
      formatYuan(w.fee),
      formatYuan(w.net),
      statusLabels[w.status],
      w.reviewRequired ? '是' : '否',
      channelLabels[w.channel] ?? w.channel,
      w.payeeName,
      w.payeeBank,
      maskedAccount(w),
      w.batchId,
      w.channelRef,
      w.reason,
      at(w.updatedAt),
    ]));
    return sendCsvDownload(reply, 'withdrawals', tz, csv);
  });

  app.get('/api/admin/withdrawals/:id', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: { tags: adminTags, summary: 'One withdrawal with its history', params: idParam, response: { 200: withdrawalOut.extend({ events: z.array(eventOut) }) } },
  }, async (req) => {
    const { withdrawal, events } = await getWithdrawal(ctx.db, req.params.id);
    return { ...toOut(withdrawal), events: events.map((e) => ({ ...e, at: e.at.toISOString() })) };
  });

  app.post('/api/admin/withdrawals/:id/approve', {
    config: { access: finance },
    schema: { tags: adminTags, summary: 'Approve a withdrawal under review (sandbox payouts then run at once)', params: idParam, response: { 200: withdrawalOut } },
  }, async (req) => toOut(await payIfReady(await approveWithdrawal(ctx.db, auditContextOf(req), req.params.id))));

  app.post('/api/admin/withdrawals/:id/reject', {
    config: { access: finance },
    schema: { tags: adminTags, summary: 'Reject a withdrawal; the funds return to available', params: idParam, body: z.object({ reason: z.string().trim().min(2).max(500) }), response: { 200: withdrawalOut } },
  }, async (req) => toOut(await rejectWithdrawal(ctx.db, auditContextOf(req), req.params.id, req.body.reason)));

  app.get('/api/admin/payout-batches', {
    config: { access: finance },
    schema: { tags: adminTags, summary: 'Bank transfer batches', response: { 200: z.object({ items: z.array(z.object({ id: z.number(), createdAt: z.string(), count: z.number(), totalFen: fenOut, resultsImportedAt: z.string().nullable() })) }) } },
  }, async () => ({
    items: (await listPayoutBatches(ctx.db)).map((b) => ({ id: b.id, createdAt: b.createdAt.toISOString(), count: b.count, totalFen: b.total.toString(), resultsImportedAt: b.resultsImportedAt?.toISOString() ?? null })),
  }));

  app.post('/api/admin/payout-batches', {
    config: { access: finance },
    schema: { tags: adminTags, summary: 'Put approved bank withdrawals into a new transfer batch (they become paying)', response: { 201: z.object({ id: z.number(), count: z.number(), totalFen: fenOut }) } },
  }, async (req, reply) => {
    const batch = await createPayoutBatch(ctx.db, auditContextOf(req));
    return reply.code(201).send({ id: batch.id, count: batch.count, totalFen: batch.total.toString() });
  });

  app.get('/api/admin/payout-batches/:id/file.csv', {
    config: { access: finance },
    schema: { tags: adminTags, summary: 'The transfer file for the bank (full account numbers; every download is audited)', params: idParam },
  }, async (req, reply) => {
    const csv = await exportPayoutBatch(ctx.db, ctx.cipher, auditContextOf(req), req.params.id);
    return reply.type('text/csv; charset=utf-8').header('cache-control', 'private, no-store').header('content-disposition', `attachment; filename="payout-batch-${req.params.id}.csv"`).send(csv);
  });

  app.post('/api/admin/payout-batches/:id/results', {
    config: { access: finance },
    schema: {
      tags: adminTags,
      summary: "Import the bank's results file (text/csv: withdrawal_id,result,bank_reference,message)",
      params: idParam,
      body: z.string().min(1).max(5_000_000),
      response: { 200: z.object({ lines: z.array(z.object({ line: z.number(), withdrawalId: z.number().nullable(), outcome: z.string(), message: z.string() })) }) },
    },
  }, async (req) => ({ lines: await importPayoutResults(ctx.db, auditContextOf(req), req.params.id, req.body) }));

  app.get('/api/admin/settings/withdrawals', {
    config: { access: access.anyStaff },
    schema: { tags: ['admin: settings'], summary: 'Withdrawal rules', response: { 200: settingsOut } },
  }, async () => {
    const s = await readSettings(ctx.db, withdrawalSettingsDef);
    return { version: s.version, ...encodeWithdrawalSettings(s.value) };
  });

  app.put('/api/admin/settings/withdrawals', {
    config: { access: finance },
    schema: {
      tags: ['admin: settings'],
      summary: 'Change the withdrawal rules (send the version you read; a stale one gets 409)',
      body: withdrawalSettingsSchema.extend({ version: z.number().int().min(0) }),
      response: { 200: settingsOut },
    },
  }, async (req) => {
    const { version, ...value } = req.body;
    const saved = await writeSettings(ctx.db, auditContextOf(req), withdrawalSettingsDef, value, version, encodeWithdrawalSettings);
    return { version: saved.version, ...encodeWithdrawalSettings(saved.value) };
  });
}
