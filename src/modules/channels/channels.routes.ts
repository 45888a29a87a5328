import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { notFound } from '../../lib/errors.js';
import { auditContextOf } from '../audit/audit.service.js';
import { access } from '../auth/access.js';
import { channelKinds } from './channels.schema.js';
import { bindMerchant, channelSecretsSchema, createChannel, getChannel, listChannels, listMerchants, publicChannel, updateChannel } from './channels.service.js';

const channelOut = z.object({
  id: z.string(),
  kind: z.enum(channelKinds),
  name: z.string(),
  enabled: z.boolean(),
  config: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.unknown()).describe('masked: only the last four characters are shown'),
});
const channelParam = z.object({ id: z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/) });

export function channelRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin: channels'];
  const manage = access.staff('owner', 'finance');

  app.get('/api/admin/channels', {
    config: { access: access.staff('owner', 'finance', 'ops', 'viewer') },
    schema: { tags, summary: 'Payment channels (secrets masked)', response: { 200: z.object({ items: z.array(channelOut) }) } },
  }, async () => ({ items: (await listChannels(ctx.db, ctx.cipher)).map(publicChannel) }));

  app.post('/api/admin/channels', {
    config: { access: manage },
    schema: {
      tags,
      summary: 'Add a channel',
      body: z.object({
        id: z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/, { message: 'expected 2-32 lower-case letters, digits, _ -' }),
        kind: z.enum(channelKinds),
        name: z.string().trim().min(1).max(60),
        enabled: z.boolean().default(true),
        config: z.record(z.string(), z.unknown()).default({}),
        secrets: channelSecretsSchema.default({}),
      }),
      response: { 201: channelOut },
    },
  }, async (req, reply) => reply.code(201).send(publicChannel(await createChannel(ctx.db, ctx.cipher, auditContextOf(req), req.body))));

  app.patch('/api/admin/channels/:id', {
    config: { access: manage },
    schema: {
      tags,
      summary: 'Change a channel; rotate push secrets by sending [new, old]',
      params: channelParam,
      body: z.object({
        name: z.string().trim().min(1).max(60).optional(),
        enabled: z.boolean().optional(),
        config: z.record(z.string(), z.unknown()).optional(),
        secrets: channelSecretsSchema.optional(),
      }),
      response: { 200: channelOut },
    },
  }, async (req) => publicChannel(await updateChannel(ctx.db, ctx.cipher, auditContextOf(req), req.params.id, req.body)));

  app.get('/api/admin/channels/:id/merchants', {
    config: { access: access.staff('owner', 'finance', 'ops', 'viewer') },
    schema: {
      tags,
      summary: "The channel's merchant references and their members",
      params: channelParam,
      response: { 200: z.object({ items: z.array(z.object({ merchantRef: z.string(), memberId: z.number(), createdAt: z.string() })) }) },
    },
  }, async (req) => {
    if (!(await getChannel(ctx.db, ctx.cipher, req.params.id))) throw notFound('Channel');
    return { items: (await listMerchants(ctx.db, req.params.id)).map((m) => ({ merchantRef: m.merchantRef, memberId: m.memberId, createdAt: m.createdAt.toISOString() })) };
  });

  app.put('/api/admin/channels/:id/merchants/:merchantRef', {
    config: { access: access.staff('owner', 'finance', 'ops') },
    schema: {
      tags,
      summary: 'Bind a merchant reference of this channel to a member',
      params: channelParam.extend({ merchantRef: z.string().min(1).max(64) }),
      body: z.object({ memberId: z.number().int().positive() }),
      response: { 200: z.object({ merchantRef: z.string(), memberId: z.number() }) },
    },
  }, async (req) => {
    const row = await bindMerchant(ctx.db, auditContextOf(req), req.params.id, req.params.merchantRef, req.body.memberId);
    return { merchantRef: row.merchantRef, memberId: row.memberId };
  });
}
