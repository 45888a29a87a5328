import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { exclusively, runSettlementSchedule, SETTLEMENT_JOB_KEY } from '../../src/modules/dividends/settlement-jobs.js';
import { settlementSettingsDef } from '../../src/modules/dividends/settlement-settings.js';
import { readSettings, writeSettings } from '../../src/modules/settings/settings.service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';

const TZ = 'Asia/Shanghai';
let ctx: TestContext;
const db = () => ctx.database.db;
const runs = async () => queryRows<{ month: string; state: string }>(db(), sql`select month::text as month, state from settlement_runs order by id`);

beforeAll(async () => {
  ctx = await createTestContext();
  const s = await readSettings(db(), settlementSettingsDef);
  // Paid without approval, so one scheduler tick does everything.
  await writeSettings(db(), systemAuditContext('test'), settlementSettingsDef, { ...s.value, approvalRequired: false }, s.version, (v) => v);
});
afterAll(() => ctx.close());

describe('settlement schedule', () => {
  it('opens the month just ended at the statistics time in the platform time zone, not a minute before (UTC is still on the last day)', async () => {
    // 2027-01-01 01:59 in Shanghai is 2026-12-31 17:59 UTC.
    expect(await runSettlementSchedule(db(), TZ, new Date('2026-12-31T17:59:00Z'))).toEqual([]);
    expect(await runs()).toEqual([]);
    const did = await runSettlementSchedule(db(), TZ, new Date('2026-12-31T18:00:00Z'));
    expect(did).toEqual(['opened 2026-12', 'statistics of 2026-12', 'paid 2026-12']);
    expect(await runs()).toEqual([{ month: '2026-12-01', state: 'paid' }]);
    // Later ticks of the same month do nothing more.
    expect(await runSettlementSchedule(db(), TZ, new Date('2027-01-02T03:00:00Z'))).toEqual([]);
  });

  it.runIf(ctx === undefined ? Boolean(process.env.TEST_DATABASE_URL) : ctx.database.kind === 'postgres')('two schedulers started at once: one runs the job, the other finds it taken', async () => {
    const now = new Date('2027-01-31T18:00:00Z'); // 2027-02-01 02:00 in Shanghai: January is due
    const results = await Promise.all([1, 2].map(() => exclusively(db(), ctx.database.kind, SETTLEMENT_JOB_KEY, () => runSettlementSchedule(db(), TZ, now))));
    expect(results.filter((r) => r === null)).toHaveLength(1);
    expect(results.find((r) => r !== null)).toEqual(['opened 2027-01', 'statistics of 2027-01', 'paid 2027-01']);
    expect((await runs()).filter((r) => r.month === '2027-01-01')).toEqual([{ month: '2027-01-01', state: 'paid' }]);
  });
});
