import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { exclusively, runSettlementSchedule, SETTLEMENT_JOB_KEY } from '../../src/modules/dividends/settlement-jobs.js';
import { collectStatistics, openRun } from '../../src/modules/dividends/settlement.service.js';
import { runSummary } from '../../src/modules/dividends/settlement-views.service.js';
import { settlementSettingsDef } from '../../src/modules/dividends/settlement-settings.js';
import { readSettings, writeSettings } from '../../src/modules/settings/settings.service.js';
import { bindFirst } from '../../src/modules/referrals/tree.service.js';
import { releaseDue } from '../../src/modules/wallets/wallets.service.js';
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
    expect(await runSettlementSchedule(db(), ctx.database.kind, TZ, new Date('2026-12-31T17:59:00Z'))).toEqual([]);
    expect(await runs()).toEqual([]);
    const did = await runSettlementSchedule(db(), ctx.database.kind, TZ, new Date('2026-12-31T18:00:00Z'));
    expect(did).toEqual(['opened 2026-12', 'statistics of 2026-12', 'paid 2026-12']);
    expect(await runs()).toEqual([{ month: '2026-12-01', state: 'paid' }]);
    // Later ticks of the same month do nothing more.
    expect(await runSettlementSchedule(db(), ctx.database.kind, TZ, new Date('2027-01-02T03:00:00Z'))).toEqual([]);
  });

  it.runIf(ctx === undefined ? Boolean(process.env.TEST_DATABASE_URL) : ctx.database.kind === 'postgres')('two schedulers started at once: one runs the job, the other finds it taken', async () => {
    const now = new Date('2027-01-31T18:00:00Z'); // 2027-02-01 02:00 in Shanghai: January is due
    const results = await Promise.all([1, 2].map(() => exclusively(db(), ctx.database.kind, SETTLEMENT_JOB_KEY, () => runSettlementSchedule(db(), ctx.database.kind, TZ, now))));
    expect(results.filter((r) => r === null)).toHaveLength(1);
    expect(results.find((r) => r !== null)).toEqual(['opened 2027-01', 'statistics of 2027-01', 'paid 2027-01']);
    expect((await runs()).filter((r) => r.month === '2027-01-01')).toEqual([{ month: '2027-01-01', state: 'paid' }]);
  });

  it('pays into frozen with the configured freeze period when so configured, and the release job frees it later', async () => {
    const s = await readSettings(db(), settlementSettingsDef);
    await writeSettings(db(), systemAuditContext('test'), settlementSettingsDef, { ...s.value, payInto: 'frozen' as const, freezeDays: 5 }, s.version, (v) => v);
    const [m] = await queryRows<{ id: number | string }>(db(), sql`
      insert into members (phone, password_hash, display_name) values ('13800009999', 'x', '冻结测试') returning id`);
    const id = Number(m!.id);
    await db().execute(sql`insert into onboarding_applications (member_id, state, revision, submitted_at, reviewed_at, activated_at) values (${id}, 'active', 1, now(), now(), now())`);
    // The default tiers: 基础分红 wants a ¥50,000 team and three direct members at rank 2 or above.
    const kids = await queryRows<{ id: number | string }>(db(), sql`
      insert into members (phone, password_hash, display_name) select '1380001000' || g, 'x', 'k' || g from generate_series(1, 3) g returning id`);
    for (const k of kids) {
      await db().transaction((tx) => bindFirst(tx, { memberId: Number(k.id), parentId: id, via: 'invite_code', actor: systemAuditContext('test') }));
      await db().execute(sql`insert into member_levels (member_id, level_id, cause) values (${k.id}, (select id from levels where rank = 2), 'staff')`);
    }
    await db().execute(sql`
      insert into member_performance (member_id, month, personal_settled, personal_refunded, personal_txns, team_settled, team_refunded, team_active)
      values (${id}, '2027-02-01', 100000000, 0, 1, 6000000, 0, 0)`);
    const did = await runSettlementSchedule(db(), ctx.database.kind, TZ, new Date('2027-02-28T18:00:00Z'));
    expect(did).toEqual(['opened 2027-02', 'statistics of 2027-02', 'paid 2027-02']);
    const [w] = await queryRows<{ frozen: string; available: string }>(db(), sql`select frozen::text, available::text from wallets where member_id = ${id}`);
    // Volume ¥1,000,000: 1% is ¥10,000 for the only 基础分红 qualifier.
    expect(w).toEqual({ frozen: '1000000', available: '0' });
    const [lot] = await queryRows<{ amount: string; days: number }>(db(), sql`
      select p.amount::text, round(extract(epoch from f.release_at - now()) / 86400)::int as days
      from frozen_lots f join ledger_postings p on p.entry_id = f.entry_id and p.account = 'wallet:frozen' where p.member_id = ${id}`);
    expect(lot).toEqual({ amount: '1000000', days: 5 });
    // Six days on, the release job frees it into available.
    await releaseDue(db(), { now: new Date(Date.now() + 6 * 86_400_000) });
    const [after] = await queryRows<{ frozen: string; available: string }>(db(), sql`select frozen::text, available::text from wallets where member_id = ${id}`);
    expect(after).toEqual({ frozen: '0', available: '1000000' });
  });

  it.runIf(ctx === undefined ? Boolean(process.env.TEST_DATABASE_URL) : ctx.database.kind === 'postgres')('a run whose statistics another worker holds is left to it (busy), then computed once free', async () => {
    const runId = await openRun(db(), systemAuditContext('test'), '2026-06-01', TZ, new Date('2026-11-30T00:00:00Z'));
    // Another worker: the run's advisory lock held in an open transaction.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = db().transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(7001009, ${1_000 + runId})`);
      locked();
      await held;
    });
    await isLocked;
    expect(await collectStatistics(db(), ctx.database.kind, runId, TZ)).toBe('busy');
    expect((await runSummary(db(), runId)).state).toBe('collecting');
    release();
    await holder;
    expect(await collectStatistics(db(), ctx.database.kind, runId, TZ)).toBe('done');
    expect((await runSummary(db(), runId)).state).toBe('preview');
  });
});
