import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../lib/errors.js';
import { access } from '../auth/access.js';
import { getChannelCached } from './channels.service.js';
import { ingestRecords, MAX_BATCH } from './ingest.service.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyPush } from './push-signature.js';

const resultOut = z.object({
  index: z.number(),
  channel_txn_id: z.string().nullable(),
  result: z.enum(['accepted', 'held', 'duplicate', 'conflict', 'rejected']),
  original_result: z.enum(['accepted', 'held']).optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});

/**
 * The signed push endpoint for channel partners. JSON bodies arrive here as
 * raw bytes: the signature covers the exact bytes, so it is checked before
 * anything is parsed, and an unsigned or badly signed request writes nothing.
 */
export function ingestRoutes(appBase: FastifyInstance, ctx: AppContext) {
  appBase.register(async (scoped) => {
    scoped.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const app = scoped.withTypeProvider<ZodTypeProvider>();
    app.post('/api/channels/:channelId/transactions', {
      config: { access: access.public },
      schema: {
        tags: ['channels: push'],
        summary: 'Push settled sales and refunds (one record, or {records: [...]} with up to 1,000)',
        description:
          'Signed with HMAC-SHA256 over `timestamp + "." + raw body` using the channel secret: headers ' +
          '`X-Shanglian-Timestamp` (unix seconds, ±300 s) and `X-Shanglian-Signature: v1=<hex>`. ' +
          'Idempotent on channel_txn_id: a replay gets result "duplicate" with the first outcome and has no effect.',
        params: z.object({ channelId: z.string().max(32) }),
        response: {
          200: z.object({
            results: z.array(resultOut),
            summary: z.object({ accepted: z.number(), held: z.number(), duplicate: z.number(), conflict: z.number(), rejected: z.number() }),
          }),
        },
      },
    }, async (req, reply) => {
      // The answer is built right here from typed results; skipping the schema
      // serializer (the schema stays for the docs) is worth it on the hottest route.
      reply.serializer(JSON.stringify);
      const channel = await getChannelCached(ctx.db, ctx.cipher, req.params.channelId);
      if (!channel || channel.kind !== 'push' || !channel.enabled) throw new AppError('NOT_FOUND', 'Unknown channel');
      const raw = req.body;
      if (!Buffer.isBuffer(raw)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the records as application/json');
      const verdict = verifyPush(channel.secrets.pushSecrets ?? [], { timestamp: req.headers[TIMESTAMP_HEADER], signature: req.headers[SIGNATURE_HEADER] }, raw);
      if (!verdict.ok) {
        req.log.warn({ channel: channel.id, reason: verdict.reason }, 'push refused: bad signature');
        throw new AppError('SIGNATURE_INVALID', `Signature check failed: ${verdict.reason}`);
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new AppError('INVALID_JSON', 'Request body is not valid JSON');
      }
      let records: unknown[];
      if (body && typeof body === 'object' && !Array.isArray(body) && 'records' in body) {
        const list = (body as { records: unknown }).records;
        if (!Array.isArray(list) || list.length === 0) throw new AppError('VALIDATION_FAILED', 'records must be a non-empty array', [{ field: 'body.records', message: 'expected a non-empty array' }]);
        records = list;
      } else if (body && typeof body === 'object' && !Array.isArray(body)) {
        records = [body];
      } else {
        throw new AppError('VALIDATION_FAILED', 'Expected one record object or {records: [...]}', [{ field: 'body', message: 'expected an object' }]);
      }
      if (records.length > MAX_BATCH) {
        throw new AppError('VALIDATION_FAILED', `At most ${MAX_BATCH} records per request`, [{ field: 'body.records', message: `got ${records.length}, at most ${MAX_BATCH}` }]);
      }
      const results = await ingestRecords(ctx.db, channel.id, records);
      const summary = { accepted: 0, held: 0, duplicate: 0, conflict: 0, rejected: 0 };
      for (const r of results) summary[r.result]++;
      return { results, summary };
    });
  });
}
