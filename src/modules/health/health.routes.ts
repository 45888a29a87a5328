import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { access } from '../auth/access.js';

export function healthRoutes(appBase: FastifyInstance, database: Database) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  app.get('/health', {
    config: { access: access.public },
    schema: { tags: ['ops'], summary: 'The process is alive', response: { 200: z.object({ status: z.literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/ready', {
    config: { access: access.public },
    schema: {
      tags: ['ops'],
      summary: 'The database answers (503 when it does not)',
      response: { 200: z.object({ status: z.literal('ready'), database: z.enum(['postgres', 'pglite']) }) },
    },
  }, async (req) => {
    try {
      await database.ping();
    } catch (err) {
      req.log.warn({ err }, 'readiness check failed');
      throw new AppError('UNAVAILABLE', 'The database does not answer');
    }
    return { status: 'ready' as const, database: database.kind };
  });
}
