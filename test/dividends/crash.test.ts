/**
 * `cli settlement run` killed with SIGKILL during its statistics and again
 * between the tiers of its payment, then run again: the run finishes with every qualifier
 * paid exactly once and the ledger verifies clean. Real PostgreSQL only (the
 * CLI process and the test share the database).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { settlementSettingsDef } from '../../src/modules/dividends/settlement-settings.js';
import { saveTiers } from '../../src/modules/dividends/tiers.service.js';
import { tierSetInput } from '../../src/modules/dividends/tiers.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { monthOf, shiftMonth } from '../../src/modules/performance/performance.service.js';
import { readSettings, writeSettings } from '../../src/modules/settings/settings.service.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/database.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TZ = 'Asia/Shanghai';
const MEMBERS = 30_000;
const month = shiftMonth(monthOf(new Date(), TZ), -1);
let database: TestDatabase;
const db = () => database.db;

function cli(): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'settlement', 'run', '--month', month.slice(0, 7)], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database.url!, LOG_LEVEL: 'error', NODE_ENV: 'test', PLATFORM_TIMEZONE: TZ },
    stdio: ['ignore', 'ignore', 'ignore'],
    detached: true,
  });
  return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}
const kill = (child: ChildProcess) => {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* gone */
  }
};
const state = async () => (await queryRows<{ state: string; paid: number | string }>(db(), sql`
  select r.state, (select count(*) from settlement_qualifiers q where q.run_id = r.id and q.entry_id is not null) as paid
  from settlement_runs r where r.month = ${month}::date and r.state <> 'cancelled'`))[0];

/** Waits until `ready` holds, then kills the process; false when the process ended first. */
async function killWhen(run: ReturnType<typeof cli>, ready: (s: Awaited<ReturnType<typeof state>>) => boolean): Promise<boolean> {
  let exited = false;
  void run.done.then(() => (exited = true));
  for (let i = 0; i < 6000 && !exited; i++) {
    if (ready(await state())) {
      kill(run.child);
      await run.done;
      return true;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

describe.runIf(onPostgres)('settlement killed and restarted (PostgreSQL)', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    await db().execute(sql`insert into members (phone, password_hash, display_name) select '1' || lpad(g::text, 10, '0'), 'x', 'm' || g from generate_series(1, ${MEMBERS}) g`);
    await db().execute(sql`
      insert into onboarding_applications (member_id, state, revision, submitted_at, reviewed_at, activated_at) select id, 'active', 1, now(), now(), now() from members`);
    // Everyone sold in the month: three tiers, each reached by every member, a transaction per tier to pay.
    await db().execute(sql`
      insert into member_performance (member_id, month, personal_settled, personal_refunded, personal_txns, team_settled, team_refunded, team_active)
      select id, ${month}::date, 1000 + id % 977, 0, 1, 5000, 0, 0 from members`);
    const actor = systemAuditContext('test');
    const tiers = tierSetInput.parse({
      tiers: [
        { id: 'team', name: '团队档', poolPpm: 10_000, conditions: { minTeamFen: '1' } },
        { id: 'sales', name: '业绩档', poolPpm: 20_000, conditions: { minPersonalFen: '1' } },
        { id: 'both', name: '双达档', poolPpm: 5_000, conditions: { minPersonalFen: '1', minTeamFen: '1' } },
      ],
    }).tiers;
    const current = (await queryRows<{ v: number }>(db(), sql`select max(version) as v from dividend_tier_versions`))[0]!.v;
    await saveTiers(db(), actor, { tiers, basedOn: Number(current) });
    const s = await readSettings(db(), settlementSettingsDef);
    await writeSettings(db(), actor, settlementSettingsDef, { ...s.value, approvalRequired: false }, s.version, (v) => v);
  }, 120_000);
  afterAll(async () => {
    await database?.dispose();
  });

  it('SIGKILL during statistics and during payment, run again: every qualifier paid exactly once, ledger clean', async () => {
    // 1. Killed while collecting (the run is open, its statistics not committed).
    expect(await killWhen(cli(), (s) => s?.state === 'collecting')).toBe(true);
    expect((await state())?.state).toBe('collecting');

    // 2. Run again; killed in the middle of the payment.
    expect(await killWhen(cli(), (s) => s?.state === 'paying' && Number(s.paid) > 0)).toBe(true);
    const mid = await state();
    expect(mid?.state).toBe('paying');
    expect(Number(mid?.paid)).toBeGreaterThan(0);
    expect(Number(mid?.paid)).toBeLessThan(3 * MEMBERS);

    // 3. Run again to the end.
    const last = cli();
    expect(await last.done).toBe(0);
    expect((await state())?.state).toBe('paid');

    const [tiers] = await queryRows<{ n: number | string; share_ok: boolean; paid_ok: boolean }>(db(), sql`
      select count(*) as n, bool_and(qualifiers = ${MEMBERS}) as share_ok, bool_and(paid_fen = share_fen * qualifiers) as paid_ok
      from settlement_tiers t join settlement_runs r on r.id = t.run_id and r.month = ${month}::date and r.state = 'paid'`);
    expect({ ...tiers, n: Number(tiers!.n) }).toEqual({ n: 3, share_ok: true, paid_ok: true });
    // One entry per tier, never two; each wallet holds exactly its three shares.
    const [credits] = await queryRows<{ entries: number | string; keys: number | string; wrong: number | string }>(db(), sql`
      select (select count(*) from ledger_entries where kind = 'dividend') as entries,
        (select count(distinct idempotency_key) from ledger_entries where kind = 'dividend') as keys,
        (select count(*) from wallets w where w.available <> (
          select coalesce(sum(q.share_fen), 0) from settlement_qualifiers q where q.member_id = w.member_id)) as wrong`);
    expect(Number(credits!.entries)).toBe(3);
    expect(Number(credits!.keys)).toBe(3);
    expect(Number(credits!.wrong)).toBe(0);
    expect((await verifyLedger(db())).ok).toBe(true);
  }, 300_000);
});
