import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { fenOut } from '../../lib/money.js';
import { access } from '../auth/access.js';
import { platformAccounts } from './ledger.schema.js';
import { platformBalance } from './ledger.service.js';
import { verifyLedger } from './verify.service.js';

export function ledgerRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin: ledger'];

  app.get('/api/admin/ledger/verify', {
    config: { access: access.staff('owner', 'finance') },
    schema: {
      tags,
      summary: 'Verify the ledger: balanced entries, cached balances equal to postings, no negative frozen/withdrawing',
      response: {
        200: z.object({
          ok: z.boolean(),
          checkedAt: z.string(),
          entries: z.number(),
          postings: z.number(),
          wallets: z.number(),
          problems: z.array(z.object({ check: z.string(), account: z.string(), expected: z.string().optional(), actual: z.string().optional(), detail: z.string() })),
        }),
      },
    },
  }, async () => verifyLedger(ctx.db));

  app.get('/api/admin/ledger/platform-accounts', {
    config: { access: access.staff('owner', 'finance', 'viewer') },
    schema: { tags, summary: 'Balances of the platform accounts (derived from postings)', response: { 200: z.object({ items: z.array(z.object({ account: z.string(), balanceFen: fenOut })) }) } },
  }, async () => ({
    items: await Promise.all(platformAccounts.map(async (account) => ({ account, balanceFen: (await platformBalance(ctx.db, account)).toString() }))),
  }));
}
