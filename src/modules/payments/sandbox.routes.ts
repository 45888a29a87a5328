import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../lib/errors.js';
import { formatYuan } from '../../lib/money.js';
import { access } from '../auth/access.js';
import { SIGNATURE_HEADER, signPush, TIMESTAMP_HEADER, verifyPush } from '../channels/push-signature.js';
import { confirmPayment, getOrder } from './payments.service.js';

/**
 * The sandbox channel (模拟支付): a page where a person "pays" or "fails" an
 * order, and callbacks signed the way a real channel signs them (HMAC over
 * `timestamp.body`), delivered to the same kind of notify endpoint and
 * verified the same way. Only when the sandbox is switched on; every page and
 * answer says it is simulated.
 */
const notifyBody = z.object({
  order_no: z.string().max(64),
  trade_no: z.string().max(64),
  amount_fen: z.string().regex(/^\d{1,15}$/),
  status: z.enum(['paid', 'failed']),
  paid_at: z.iso.datetime({ offset: true }),
  notify_id: z.string().max(64),
});

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string) {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:420px;margin:0 auto;padding:16px;color:#1f1f1f;background:#f5f5f5}
.banner{background:#fff7e6;border:1px solid #ffd591;color:#ad4e00;padding:8px 12px;border-radius:8px;font-size:14px}
.card{background:#fff;border-radius:12px;padding:20px;margin-top:16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.amount{font-size:32px;font-weight:600;margin:12px 0}.muted{color:#8c8c8c;font-size:13px;word-break:break-all}
button{width:100%;padding:12px;border:0;border-radius:8px;font-size:16px;margin-top:12px;cursor:pointer}
.pay{background:#1677ff;color:#fff}.fail{background:#fff;color:#cf1322;border:1px solid #ffa39e}
</style></head><body><div class="banner">⚠️ 模拟支付通道（SANDBOX，仅用于开发和演示，不会产生真实扣款）</div>${body}</body></html>`;
}

export function sandboxRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const enabled = () => {
    if (!ctx.sandboxSecret) throw new AppError('NOT_FOUND', 'The sandbox channel is switched off');
    return ctx.sandboxSecret;
  };

  appBase.register(async (scoped) => {
    scoped.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scoped.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const app = scoped.withTypeProvider<ZodTypeProvider>();
    const tags = ['payments: sandbox (simulated)'];
    const orderParam = z.object({ orderNo: z.string().regex(/^[A-Z0-9]{8,40}$/) });
    // Where the payer goes back to: a page of the member H5 only (never another site).
    const returnQuery = z.object({ return: z.string().max(300).regex(/^\/m(\/[^/\\][^\\]*)?$/).optional() });
    const returnSuffix = (back: string | undefined) => (back ? `?return=${encodeURIComponent(back)}` : '');

    app.get('/sandbox/checkout/:orderNo', {
      config: { access: access.public },
      schema: { tags, summary: 'Simulated checkout page (模拟支付)', params: orderParam, querystring: returnQuery },
    }, async (req, reply) => {
      enabled();
      const order = await getOrder(ctx.db, req.params.orderNo);
      const back = req.query.return;
      const state = order.status === 'pending' ? '' : `<p><b>订单状态：${escapeHtml(order.status)}</b></p>`;
      const actions =
        order.status === 'pending'
          ? `<form method="post" action="/sandbox/checkout/${order.orderNo}/pay${escapeHtml(returnSuffix(back))}"><button class="pay" type="submit">模拟支付成功</button></form>
             <form method="post" action="/sandbox/checkout/${order.orderNo}/fail${escapeHtml(returnSuffix(back))}"><button class="fail" type="submit">模拟支付失败</button></form>`
          : back
            ? `<p><a href="${escapeHtml(back)}">返回商联</a></p>`
            : '';
      return reply.type('text/html; charset=utf-8').send(
        page('模拟支付', `<div class="card"><div>商联 · ${order.purpose === 'entry_fee' ? '入驻费' : '等级升级'}</div>
<div class="amount">¥${formatYuan(order.amount)}</div><div class="muted">订单号 ${order.orderNo}</div>${state}${actions}</div>`),
      );
    });

    for (const action of ['pay', 'fail'] as const) {
      app.post(`/sandbox/checkout/:orderNo/${action}`, {
        config: { access: access.public },
        schema: { tags, summary: action === 'pay' ? 'Simulate a successful payment' : 'Simulate a failed payment', params: orderParam, querystring: returnQuery },
      }, async (req, reply) => {
        const secret = enabled();
        const order = await getOrder(ctx.db, req.params.orderNo);
        const raw = JSON.stringify({
          order_no: order.orderNo,
          trade_no: `SANDBOX${crypto.randomBytes(8).toString('hex').toUpperCase()}`,
          amount_fen: order.amount.toString(),
          status: action === 'pay' ? 'paid' : 'failed',
          paid_at: new Date().toISOString(),
          notify_id: crypto.randomUUID(),
        });
        const ts = Math.floor(Date.now() / 1000);
        // Delivered through the notify endpoint itself, so the callback is verified like any channel's.
        const res = await appBase.inject({
          method: 'POST',
          url: '/api/payments/notify/sandbox',
          headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signPush(secret, ts, raw) },
          payload: raw,
        });
        if (res.statusCode !== 200) req.log.error({ status: res.statusCode, body: res.body }, 'sandbox callback refused');
        // Like a cashier's return URL: back to the app, which shows the order's result.
        return reply.redirect(req.query.return ?? `/sandbox/checkout/${order.orderNo}`, 303);
      });
    }

    app.post('/api/payments/notify/sandbox', {
      config: { access: access.public },
      schema: { tags, summary: 'Payment notifications of the sandbox channel (signed like a transaction push)' },
    }, async (req, reply) => {
      const secret = enabled();
      const raw = req.body;
      if (!Buffer.isBuffer(raw)) return reply.code(415).send({ code: 'FAIL', message: 'expected application/json' });
      const verdict = verifyPush([secret], { timestamp: req.headers[TIMESTAMP_HEADER], signature: req.headers[SIGNATURE_HEADER] }, raw);
      if (!verdict.ok) return reply.code(401).send({ code: 'FAIL', message: verdict.reason });
      let parsed;
      try {
        parsed = notifyBody.safeParse(JSON.parse(raw.toString('utf8')));
      } catch {
        return reply.code(400).send({ code: 'FAIL', message: 'body is not JSON' });
      }
      if (!parsed.success) return reply.code(400).send({ code: 'FAIL', message: 'body does not match the notification format' });
      const n = parsed.data;
      const outcome = await confirmPayment(ctx.db, {
        channelId: 'sandbox',
        dedupeKey: n.notify_id,
        orderNo: n.order_no,
        channelTradeNo: n.trade_no,
        amount: BigInt(n.amount_fen),
        paid: n.status === 'paid',
        paidAt: new Date(n.paid_at),
        detail: { simulated: true, status: n.status },
      });
      // A channel retries until it hears success; anomalies are recorded on our side, so we still say received.
      return reply.code(200).send({ code: 'SUCCESS', outcome });
    });
  });
}
