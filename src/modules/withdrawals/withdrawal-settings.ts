import { z } from 'zod';
import { formatYuan, type Fen, mulPpm } from '../../lib/money.js';
import type { SettingsDefinition } from '../settings/settings.service.js';
import { payoutChannels } from './withdrawals.schema.js';

/** Withdrawal rules the operator sets (SPEC §10). Fen travel and are stored as digit strings. */
const fenField = z.union([z.string().regex(/^\d{1,15}$/), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]).transform((v) => BigInt(v));

export const withdrawalSettingsSchema = z.object({
  minAmountFen: fenField.describe('smallest withdrawal, fee included'),
  feeFixedFen: fenField,
  feePpm: z.number().int().min(0).max(200_000).describe('fee rate in ppm of the amount (at most 20%)'),
  dailyCount: z.number().int().min(1).max(100).describe('withdrawals per member per day'),
  dailyAmountFen: fenField.describe('total per member per day'),
  reviewThresholdFen: fenField.describe('amounts at or above this wait for finance review'),
  payoutChannel: z.enum(payoutChannels),
  /** Only for the simulated channel: how its payouts end. */
  sandboxOutcome: z.enum(['succeed', 'fail']),
});
export type WithdrawalSettings = z.output<typeof withdrawalSettingsSchema>;

export const withdrawalSettingsDef: SettingsDefinition<WithdrawalSettings> = {
  key: 'withdrawals',
  schema: withdrawalSettingsSchema,
  defaults: () => ({
    minAmountFen: 1_000n,
    feeFixedFen: 0n,
    feePpm: 6_000,
    dailyCount: 3,
    dailyAmountFen: 5_000_000n,
    reviewThresholdFen: 500_000n,
    payoutChannel: 'sandbox',
    sandboxOutcome: 'succeed',
  }),
  check(s) {
    const problems: string[] = [];
    if (s.dailyAmountFen < s.minAmountFen) problems.push('the daily amount limit is below the minimum withdrawal');
    const minFee = s.feeFixedFen + mulPpm(s.minAmountFen, s.feePpm);
    if (minFee >= s.minAmountFen) problems.push(`the fee (${formatYuan(minFee)}) would swallow the minimum withdrawal (${formatYuan(s.minAmountFen)})`);
    return problems;
  },
};

export const encodeWithdrawalSettings = (s: WithdrawalSettings) => ({
  ...s,
  minAmountFen: s.minAmountFen.toString(),
  feeFixedFen: s.feeFixedFen.toString(),
  dailyAmountFen: s.dailyAmountFen.toString(),
  reviewThresholdFen: s.reviewThresholdFen.toString(),
});

export function quoteFee(s: WithdrawalSettings, amount: Fen): { fee: Fen; net: Fen } {
  const fee = s.feeFixedFen + mulPpm(amount, s.feePpm);
  return { fee, net: amount - fee };
}
