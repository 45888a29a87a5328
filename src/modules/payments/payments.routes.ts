import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../lib/errors.js';
import { cursorParam, isoDate, pageLimit } from '../../lib/http/schemas.js';
import { fenOut, formatYuan } from '../../lib/money.js';
import { access, requireMember, requireStaff } from '../auth/access.js';
import { maskPhone } from '../auth/sms.js';
import { auditContextOf, recordAudit } from '../audit/audit.service.js';
import { getChannelCached } from '../channels/channels.service.js';
import { sendCsvDownload, toCsv } from '../../lib/http/csv.js';
import { paymentAdapters } from './adapters.js';
import { orderStatuses, type PaymentOrder, paymentPurposes } from './payments.schema.js';
import { confirmPayment, createOrder, exportOrders, getOrder, listAnomalies, listOrders } from './payments.service.js';

const orderOut = z.object({
  orderNo: z.string(),
  memberId: z.number(),
  purpose: z.enum(paymentPurposes),
  purposeRef: z.string().nullable(),
  amountFen: fenOut,
  channel: z.string(),
  simulated: z.boolean().describe('true for the sandbox channel: no real money moves'),
  status: z.string(),
  expiresAt: z.string(),
  paidAt: z.string().nullable(),
  checkoutUrl: z.string().nullable().describe('where the member pays (sandbox); real channels answer with prepay parameters instead'),
  createdAt: z.string(),
});

const toOut = (o: PaymentOrder) => ({
  orderNo: o.orderNo,
  memberId: o.memberId,
  purpose: o.purpose,
  purposeRef: o.purposeRef,
  amountFen: o.amount.toString(),
  channel: o.channelId,
  simulated: o.channelId === 'sandbox',
  status: o.status,
  expiresAt: o.expiresAt.toISOString(),
  paidAt: o.paidAt?.toISOString() ?? null,
  checkoutUrl: o.channelId === 'sandbox' && o.status === 'pending' ? `/sandbox/checkout/${o.orderNo}` : null,
  createdAt: o.createdAt.toISOString(),
});

const channelIdPattern = /^[a-z][a-z0-9_-]{1,31}$/;

/** A range whose start is after its end can only be a mistake: say so instead of answering an empty page. */
const rangeInOrder = (from: string | undefined, to: string | undefined) => !from || !to || new Date(from).getTime() <= new Date(to).getTime();

const orderFilters = z.object({
  status: z.enum(orderStatuses).optional(),
  purpose: z.enum(paymentPurposes).optional(),
  channelId: z.string().regex(channelIdPattern, { message: 'expected a channel id such as "sandbox"' }).optional(),
  memberId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  q: z.string().trim().min(1).max(64).optional().describe('an order number or a member phone, matched exactly'),
  createdFrom: isoDate.optional().describe('created at or after'),
  createdTo: isoDate.optional().describe('created before'),
  paidFrom: isoDate.optional().describe('paid at or after (leaves out unpaid orders)'),
  paidTo: isoDate.optional().describe('paid before (leaves out unpaid orders)'),
});
const rangesInOrder = (q: z.output<typeof orderFilters>, issues: z.RefinementCtx) => {
  if (!rangeInOrder(q.createdFrom, q.createdTo)) issues.addIssue({ code: 'custom', path: ['createdTo'], message: 'createdTo must not be before createdFrom' });
  if (!rangeInOrder(q.paidFrom, q.paidTo)) issues.addIssue({ code: 'custom', path: ['paidTo'], message: 'paidTo must not be before paidFrom' });
};
const adminOrdersQuery = orderFilters.extend({ cursor: cursorParam, limit: pageLimit }).superRefine(rangesInOrder);
const ordersCsvQuery = orderFilters.superRefine(rangesInOrder);

/** The most rows one CSV export holds; more matches answer 400 (narrow the filters). */
export const PAYMENTS_CSV_MAX_ROWS = 50_000;
const statusLabels: Record<string, string> = { pending: '待支付', paid: '已支付', failed: '支付失败', expired: '已过期' };
const purposeLabels: Record<string, string> = { entry_fee: '入驻费', level_purchase: '等级购买' };
const csvHeader = ['订单号', '创建时间', '会员ID', '会员', '手机号', '用途', '用途参数', '金额(元)', '支付通道', '状态', '支付时间', '过期时间', '通道交易号'];


const dateOf = (iso: string | undefined) => (iso ? new Date(iso) : undefined);
const filterOf = (q: z.output<typeof orderFilters>) => ({
  status: q.status,
  purpose: q.purpose,
  channelId: q.channelId,
  memberId: q.memberId,
  q: q.q,
  createdFrom: dateOf(q.createdFrom),
  createdTo: dateOf(q.createdTo),
  paidFrom: dateOf(q.paidFrom),
  paidTo: dateOf(q.paidTo),
});

export function paymentRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tags = ['member: payments'];

  app.post('/api/member/payments', {
    config: { access: access.member },
    schema: {
      tags,
      summary: 'Create a payment order (entry fee, level purchase)',
      body: z.object({
        purpose: z.enum(paymentPurposes),
        purposeRef: z.string().max(64).optional(),
        channel: z.string().regex(channelIdPattern).default('sandbox').describe('"sandbox", or the id of a WeChat Pay / Alipay channel'),
      }),
      response: { 201: orderOut.extend({ pay: z.record(z.string(), z.unknown()).describe('what the client needs: checkoutUrl (sandbox), h5Url (WeChat Pay), payUrl (Alipay)') }) },
    },
  }, async (req, reply) => {
    const memberId = requireMember(req).memberId;
    if (req.body.channel === 'sandbox') {
      if (!ctx.sandboxSecret) throw new AppError('BAD_REQUEST', 'The sandbox channel is switched off');
      const order = await createOrder(ctx.db, { memberId, purpose: req.body.purpose, purposeRef: req.body.purposeRef ?? null, channelId: 'sandbox' });
      return reply.code(201).send({ ...toOut(order), pay: { checkoutUrl: `/sandbox/checkout/${order.orderNo}` } });
    }
    const channel = await getChannelCached(ctx.db, ctx.cipher, req.body.channel);
    const adapter = channel?.enabled ? paymentAdapters[channel.kind] : undefined;
    if (!channel || !adapter) throw new AppError('BAD_REQUEST', `"${req.body.channel}" is not a payment channel`);
    if (!ctx.config.PUBLIC_BASE_URL) throw new AppError('BAD_REQUEST', 'Real payment channels need PUBLIC_BASE_URL configured (their notify URL)');
    const order = await createOrder(ctx.db, { memberId, purpose: req.body.purpose, purposeRef: req.body.purposeRef ?? null, channelId: channel.id });
    // The channel call happens after the order is stored and outside any transaction.
    const pay = await adapter.checkout(channel, order, { notifyUrl: new URL(`/api/payments/notify/${channel.id}`, ctx.config.PUBLIC_BASE_URL).toString(), clientIp: req.ip });
    return reply.code(201).send({ ...toOut(order), pay });
  });

  app.get('/api/member/payments', {
    config: { access: access.member },
    schema: { tags, summary: 'My payment orders', querystring: z.object({ cursor: cursorParam, limit: pageLimit }), response: { 200: z.object({ items: z.array(orderOut), nextCursor: z.string().nullable() }) } },
  }, async (req) => {
    const page = await listOrders(ctx.db, { memberId: requireMember(req).memberId, before: req.query.cursor, limit: req.query.limit });
    return { items: page.items.map(toOut), nextCursor: page.nextCursor };
  });

  app.get('/api/member/payments/:orderNo', {
    config: { access: access.member },
    schema: { tags, summary: 'One of my payment orders', params: z.object({ orderNo: z.string().max(64) }), response: { 200: orderOut } },
  }, async (req) => toOut(await getOrder(ctx.db, req.params.orderNo, requireMember(req).memberId)));

  const adminTags = ['admin: payments'];
  app.get('/api/admin/payments', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: {
      tags: adminTags,
      summary: 'Payment orders, newest first, filtered; keyset pages (nextCursor works with the same filters)',
      querystring: adminOrdersQuery,
      response: { 200: z.object({ items: z.array(orderOut), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    const page = await listOrders(ctx.db, { ...filterOf(req.query), before: req.query.cursor, limit: req.query.limit });
    return { items: page.items.map(toOut), nextCursor: page.nextCursor };
  });

  app.get('/api/admin/payments.csv', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: {
      tags: adminTags,
      summary: "Payment orders as CSV (the list's filters)",
      description: `Every order the filters select, newest first, in one file of at most ${PAYMENTS_CSV_MAX_ROWS.toLocaleString('en')} rows; when more match the answer is 400 and the filters must be narrowed. zh-CN headers, UTF-8 with a BOM, amounts in yuan, times in the platform time zone, phones masked.`,
      querystring: ordersCsvQuery,
    },
  }, async (req, reply) => {
    const tz = ctx.config.PLATFORM_TIMEZONE;
    // One formatter for the whole file: building one per cell costs tens of microseconds, seconds for a large export.
    const time = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, dateStyle: 'short', timeStyle: 'medium' });
    const at = (d: Date | null) => (d === null ? null : time.format(d));
    const rows = await exportOrders(ctx.db, filterOf(req.query), PAYMENTS_CSV_MAX_ROWS);
    const csv = toCsv(csvHeader, rows.map((o) => [
      o.orderNo,
      at(o.createdAt),
      o.memberId,
      o.memberName,
      o.memberPhone === null ? null : maskPhone(o.memberPhone),
      purposeLabels[o.purpose] ?? o.purpose,
      o.purposeRef,
      formatYuan(o.amount),
      o.channelId === 'sandbox' ? '模拟通道' : o.channelId,
      statusLabels[o.status] ?? o.status,
      at(o.paidAt),
      at(o.expiresAt),
      o.channelTradeNo,
    ]));
    return sendCsvDownload(reply, 'payments', tz, csv);
  });

  app.post('/api/admin/payments/:orderNo/query', {
    config: { access: access.staff('owner', 'finance') },
    schema: {
      tags: adminTags,
      summary: 'Ask the channel about an order and apply a payment whose notification never came',
      params: z.object({ orderNo: z.string().max(64) }),
      response: { 200: z.object({ state: z.string(), paid: z.boolean(), outcome: z.string().nullable(), order: orderOut }) },
    },
  }, async (req) => {
    const order = await getOrder(ctx.db, req.params.orderNo);
    const channel = await getChannelCached(ctx.db, ctx.cipher, order.channelId);
    const adapter = channel ? paymentAdapters[channel.kind] : undefined;
    if (!channel || !adapter) throw new AppError('BAD_REQUEST', `Orders of channel "${order.channelId}" cannot be queried`);
    // The channel call runs outside any transaction; only its verified answer is applied.
    const answer = await adapter.query(channel, order);
    let outcome: string | null = null;
    if (answer.paid) {
      outcome = await confirmPayment(ctx.db, {
        channelId: channel.id,
        dedupeKey: `query:${answer.channelTradeNo ?? order.orderNo}`,
        orderNo: order.orderNo,
        channelTradeNo: answer.channelTradeNo,
        amount: answer.amount,
        paid: true,
        paidAt: answer.paidAt,
        detail: { source: 'query', state: answer.state, by: requireStaff(req).staffId },
      });
    }
    await recordAudit(ctx.db, auditContextOf(req), { action: 'payment.queried', targetType: 'payment_order', targetId: order.id, after: { state: answer.state, outcome } });
    return { state: answer.state, paid: answer.paid, outcome, order: toOut(await getOrder(ctx.db, order.orderNo)) };
  });

  app.get('/api/admin/payments/anomalies', {
    config: { access: access.staff('owner', 'finance') },
    schema: {
      tags: adminTags,
      summary: 'Confirmations that were recorded but not applied (unknown or expired order, double payment, wrong amount)',
      response: {
        200: z.object({
          items: z.array(z.object({ id: z.number(), channelId: z.string(), orderNo: z.string(), channelTradeNo: z.string().nullable(), amountFen: fenOut.nullable(), outcome: z.string(), receivedAt: z.string() })),
        }),
      },
    },
  }, async () => ({
    items: (await listAnomalies(ctx.db)).map((n) => ({
      id: n.id,
      channelId: n.channelId,
      orderNo: n.orderNo,
      channelTradeNo: n.channelTradeNo,
      amountFen: n.amount?.toString() ?? null,
      outcome: n.outcome,
      receivedAt: n.receivedAt.toISOString(),
    })),
  }));
}
