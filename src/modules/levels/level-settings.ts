import { z } from 'zod';
import type { SettingsDefinition } from '../settings/settings.service.js';

/** How purchases are priced and whether members can go down (SPEC §4). */
export const levelSettingsSchema = z
  .object({
    upgradeByDifference: z.boolean().describe('a member buying a higher level pays the difference from its current level’s price'),
    downgradeEnabled: z.boolean().describe('evaluate keep conditions at the end of each month'),
    protectionDays: z.number().int().min(0).max(3650).describe('a downgrade never goes below the level bought within this many days'),
  })
  .strict();
export type LevelSettings = z.output<typeof levelSettingsSchema>;

export const levelSettingsDef: SettingsDefinition<LevelSettings> = {
  key: 'levels',
  schema: levelSettingsSchema,
  defaults: () => ({ upgradeByDifference: false, downgradeEnabled: false, protectionDays: 365 }),
};
