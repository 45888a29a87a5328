import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { fenOut } from '../../lib/money.js';
import { access } from '../auth/access.js';
import { dashboard, payoutTypes } from './dashboard.service.js';

const volumeOut = z.object({
  salesFen: fenOut.describe('net settled sales (settled − refunded): the volume of the monthly report'),
  onboardingFeesFen: fenOut,
  levelPurchasesFen: fenOut,
  totalFen: fenOut.describe('sales + onboarding fees + level purchases'),
});
const periodOut = z.object({
  volume: volumeOut,
  newMembers: z.number().describe('members registered'),
  activatedMembers: z.number().describe('entry fees paid'),
  payouts: z.array(z.object({ type: z.enum(payoutTypes), fen: fenOut })).describe('reward rules, profit share, peer bonus (clawed-back lines excluded) and dividends'),
  payoutTotalFen: fenOut,
});
const monthOut = periodOut.extend({
  month: z.string().describe('YYYY-MM'),
  byLevel: z.array(z.object({ levelRank: z.number().nullable().describe('null: dividends to a member without a level'), fen: fenOut })),
});
const dashboardOut = z.object({
  timeZone: z.string(),
  generatedAt: z.string(),
  today: periodOut.extend({ date: z.string().describe('YYYY-MM-DD in the platform time zone; dividends: those paid today') }),
  month: monthOut.describe('the current month so far (its dividends come with its settlement, the month after)'),
  pending: z.object({
    onboardingReviews: z.number().describe('applications waiting for review'),
    withdrawals: z.object({ count: z.number(), amountFen: fenOut }).describe('withdrawals waiting for manual review'),
  }),
  series: z.array(monthOut).describe('the last 12 months, oldest first, the current month last'),
  levels: z.array(z.object({ rank: z.number(), name: z.string() })),
});

export function dashboardRoutes(appBase: FastifyInstance, ctx: AppContext) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  app.get('/api/admin/dashboard', {
    config: { access: access.anyStaff },
    schema: {
      tags: ['admin: dashboard'],
      summary: 'Dashboard: today and this month, pending reviews and withdrawals, and 12 months of volume, new members and payouts by type and level',
      description:
        'Days and months in the platform time zone. Months follow the monthly report: sales volume is the members\' net settled performance, ' +
        'payouts are the reward lines not clawed back plus the dividends of the month\'s settlement.',
      response: { 200: dashboardOut },
    },
  }, async () => dashboard(ctx.db, ctx.config.PLATFORM_TIMEZONE));
}
