import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { access } from '../auth/access.js';
import { getChannelCached } from '../channels/channels.service.js';
import { paymentAdapters } from './adapters.js';
import { confirmPayment } from './payments.service.js';

/**
 * Payment notifications of real channels (WeChat Pay v3, Alipay). Bodies
 * arrive as raw bytes because the signatures cover them exactly; nothing is
 * parsed or written before the signature holds. Answers follow each
 * channel's rules (WeChat: 204 or {code:"FAIL"}; Alipay: plain "success").
 */
export function notifyRoutes(appBase: FastifyInstance, ctx: AppContext) {
  appBase.register(async (scoped) => {
    scoped.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const app = scoped.withTypeProvider<ZodTypeProvider>();
    app.post('/api/payments/notify/:channelId', {
      config: { access: access.public },
      schema: {
        tags: ['payments: notifications'],
        summary: 'Payment notifications from WeChat Pay (API v3) and Alipay (async notify)',
        params: z.object({ channelId: z.string().max(32) }),
      },
    }, async (req, reply) => {
      const channel = await getChannelCached(ctx.db, ctx.cipher, req.params.channelId);
      const adapter = channel?.enabled ? paymentAdapters[channel.kind] : undefined;
      if (!channel || !adapter) return reply.code(404).send({ code: 'FAIL', message: 'unknown channel' });
      const send = (r: { status: number; contentType?: string; body?: unknown }) => {
        reply.code(r.status);
        if (r.contentType) reply.type(r.contentType);
        return r.body === undefined ? reply.send() : reply.send(r.body);
      };
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verdict = adapter.verify(channel, { headers: req.headers, rawBody: raw });
      if (!verdict.ok) {
        req.log.warn({ channel: channel.id, reason: verdict.reason }, 'payment notification refused');
        return send({ ...adapter.reply(false, verdict.reason), status: verdict.status });
      }
      if (verdict.confirmation) {
        const outcome = await confirmPayment(ctx.db, { channelId: channel.id, ...verdict.confirmation });
        req.log.info({ channel: channel.id, orderNo: verdict.confirmation.orderNo, outcome }, 'payment notification');
      }
      // Anomalies are recorded for finance; the channel hears "received" so it stops retrying.
      return send(adapter.reply(true));
    });
  });
}
