import { z } from 'zod';
import type { SettingsDefinition } from '../settings/settings.service.js';

/** When and how monthly settlement runs (SPEC §8), in the platform time zone. */
export const settlementSettingsSchema = z.object({
  /** Day of the month (1–28) and time on which the statistics of the month before are computed. */
  statisticsDay: z.number().int().min(1).max(28),
  statisticsTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'HH:MM, 24-hour' }),
  /** The day by which the run is paid (an unapproved run past it is reported as late). */
  payByDay: z.number().int().min(1).max(28),
  approvalRequired: z.boolean().describe('payout waits for finance approval of the preview'),
  payInto: z.enum(['available', 'frozen']),
  /** Freeze period of dividends paid into frozen. */
  freezeDays: z.number().int().min(0).max(90),
});
export type SettlementSettings = z.output<typeof settlementSettingsSchema>;

export const settlementSettingsDef: SettingsDefinition<SettlementSettings> = {
  key: 'settlement',
  schema: settlementSettingsSchema,
  defaults: () => ({ statisticsDay: 1, statisticsTime: '02:00', payByDay: 3, approvalRequired: true, payInto: 'available', freezeDays: 7 }),
  check(s) {
    const problems: string[] = [];
    if (s.payByDay < s.statisticsDay) problems.push('the payout day comes before the statistics day');
    if (s.payInto === 'frozen' && s.freezeDays === 0) problems.push('paying into frozen needs a freeze period of at least one day');
    return problems;
  },
};
