import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { approveRun, collectStatistics, openRun, payNextTier, payRun, settleMonth } from '../../src/modules/dividends/settlement.service.js';
import { runSummary } from '../../src/modules/dividends/settlement-views.service.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { monthOf, shiftMonth } from '../../src/modules/performance/performance.service.js';
import { bindFirst } from '../../src/modules/referrals/tree.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { insertMembers } from '../helpers/members.js';

const TZ = 'Asia/Shanghai';
const actor = systemAuditContext('test');
let ctx: TestContext;
let owner: string;
let finance: string;
let ops: string;
let viewer: string;
const db = () => ctx.database.db;
const M = shiftMonth(monthOf(new Date(), TZ), -1);
const M2 = shiftMonth(M, -1);
const label = (m: string) => m.slice(0, 7);
let t: Record<string, number>;
let memberA: { token: string; memberId: number };

/** Members by name, with parents, level ranks, onboarding, and this month's figures (fen). */
async function world() {
  memberA = await ctx.registerMember('13900000001');
  const others = ['B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'N'];
  const ids = await insertMembers(db(), others.length);
  t = { A: memberA.memberId, ...Object.fromEntries(others.map((n, i) => [n, ids[i]!])) };
  const parent: Record<string, string> = { B: 'A', C: 'A', D: 'A', F: 'E', G: 'E', I: 'H', J: 'H', L: 'K', N: 'K' };
  for (const [child, p] of Object.entries(parent)) await db().transaction((tx) => bindFirst(tx, { memberId: t[child]!, parentId: t[p]!, via: 'invite_code', actor }));
  const rank3 = ['B', 'C', 'F', 'G', 'I', 'J', 'L', 'N'];
  await db().execute(sql`
    insert into member_levels (member_id, level_id, cause)
    select id, (select id from levels where rank = 3), 'staff' from unnest(${`{${rank3.map((n) => t[n]).join(',')}}`}::bigint[]) as id`);
  // Everyone onboarded except K (a big team, but not an active member).
  const onboarded = Object.keys(t).filter((n) => n !== 'K');
  await db().execute(sql`
    insert into onboarding_applications (member_id, state, revision, submitted_at, reviewed_at, activated_at)
    select id, 'active', 1, now(), now(), now() from unnest(${`{${onboarded.map((n) => t[n]).join(',')}}`}::bigint[]) as id`);
  // Personal sales make the volume (350,101 fen); team figures as the tree would carry them.
  const figures: [string, number, number][] = [
    ['A', 0, 300_101], ['B', 100_101, 0], ['D', 200_000, 0], ['E', 0, 50_000], ['G', 50_000, 0], ['H', 0, 200_000], ['K', 0, 90_000_000],
  ];
  for (const month of [M, M2]) {
    for (const [n, personal, team] of figures) {
      await db().execute(sql`
        insert into member_performance (member_id, month, personal_settled, personal_refunded, personal_txns, team_settled, team_refunded, team_active)
        values (${t[n]}, ${month}::date, ${personal}, 0, ${personal > 0 ? 1 : 0}, ${team}, 0, 0)`);
    }
  }
}

async function untilState(runId: number, states: string[]) {
  for (let i = 0; i < 200; i++) {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/admin/settlement/runs/${runId}`, headers: bearer(viewer) });
    expect(res.statusCode, res.body).toBe(200);
    if (states.includes(res.json().state)) return res.json();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${runId} never reached ${states.join('/')}`);
}

const available = async (name: string) =>
  BigInt((await queryRows<{ a: string }>(db(), sql`select available::text as a from wallets where member_id = ${t[name]}`))[0]!.a);

beforeAll(async () => {
  ctx = await createTestContext();
  owner = (await ctx.staffToken(['owner'])).token;
  finance = (await ctx.staffToken(['finance'])).token;
  ops = (await ctx.staffToken(['ops'])).token;
  viewer = (await ctx.staffToken(['viewer'])).token;
  await world();
  const current = (await ctx.app.inject({ method: 'GET', url: '/api/admin/dividends/tiers', headers: bearer(viewer) })).json();
  const tiers = [
    { id: 'basic', name: '基础分红', poolPpm: 10_000, conditions: { minTeamFen: '100000', qualifiedDirects: { min: 2, minLevelRank: 3 } } },
    // Qualified directs: level rank ≥ 3, or 1,000 yuan of personal sales in the month.
    { id: 'star', name: '星级分红', poolPpm: 5_000, conditions: { qualifiedDirects: { min: 3, minLevelRank: 3, minPersonalFen: '100000' } } },
    { id: 'empty', name: '无人档', poolPpm: 3_000, conditions: { minTeamFen: '1000000000000' } },
  ];
  expect((await ctx.app.inject({ method: 'PUT', url: '/api/admin/dividends/tiers', headers: bearer(viewer), payload: { basedOn: current.version, tiers } })).statusCode).toBe(403);
  const saved = await ctx.app.inject({ method: 'PUT', url: '/api/admin/dividends/tiers', headers: bearer(owner), payload: { basedOn: current.version, tiers, note: '测试档位' } });
  expect(saved.statusCode, saved.body).toBe(200);
  expect(saved.json().version).toBe(current.version + 1);
  const stale = await ctx.app.inject({ method: 'PUT', url: '/api/admin/dividends/tiers', headers: bearer(owner), payload: { basedOn: current.version, tiers } });
  expect(stale.statusCode).toBe(409);
}, 60_000);
afterAll(() => ctx.close());

describe('monthly settlement', () => {
  it('statistics → preview with evidence → finance approval → payment, each qualifier paid once; a paid month is never run again', async () => {
    const opened = await ctx.app.inject({ method: 'POST', url: '/api/admin/settlement/runs', headers: bearer(finance), payload: { month: label(M) } });
    expect(opened.statusCode, opened.body).toBe(202);
    const runId = opened.json().id as number;
    const preview = await untilState(runId, ['preview']);
    // Only A and H pass some tier on their own rows (figures, and enough direct members at all): two candidates looked at closely.
    expect(preview).toMatchObject({ month: label(M), volumeFen: '350101', approvalRequired: true, progress: { stage: 'preview', done: 2, total: 2 } });
    // Due by the end of the 3rd of the month after, in the platform time zone. M is last month, so that day
    // has passed unless today is the 1st to the 3rd (in Shanghai): late exactly when the clock is past it.
    expect(preview.payBy).toBe(new Date(`${shiftMonth(M, 1).slice(0, 8)}04T00:00:00+08:00`).toISOString());
    expect(preview.late).toBe(Date.now() > Date.parse(preview.payBy));
    // Pools floored from 350,101 fen; equal shares floored; remainders kept (and a tier nobody reached keeps its whole pool).
    expect(preview.tiers.map((x: Record<string, unknown>) => [x.tierId, x.poolFen, x.qualifiers, x.shareFen, x.remainderFen])).toEqual([
      ['basic', '3501', 2, '1750', '1'],
      ['star', '1750', 1, '1750', '0'],
      ['empty', '1050', 0, '0', '1050'],
    ]);

    // The version the run names can be read whole, and an unknown one is 404.
    const named = await ctx.app.inject({ method: 'GET', url: `/api/admin/dividends/tiers/versions/${preview.tiersVersion}`, headers: bearer(viewer) });
    expect(named.statusCode).toBe(200);
    expect(named.json().tiers.map((x: { id: string }) => x.id)).toEqual(['basic', 'star', 'empty']);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/admin/dividends/tiers/versions/9999', headers: bearer(viewer) })).statusCode).toBe(404);
    const q = (await ctx.app.inject({ method: 'GET', url: `/api/admin/settlement/runs/${runId}/qualifiers`, headers: bearer(viewer) })).json();
    expect(q.items.map((x: { tierId: string; memberId: number }) => [x.tierId, x.memberId])).toEqual([
      ['basic', t.A], ['basic', t.H], ['star', t.A],
    ]);
    const aStar = q.items[2];
    expect(aStar.phone).toBe('139****0001');
    expect(aStar.evidence).toEqual([{ code: 'qualified_directs', holds: true, actual: '3', required: '3', text: '合格直推（等级序号 ≥ 3 或 个人业绩 ≥ ¥1000.00）3 人，要求 ≥ 3 人' }]);
    // Names are typed by members: one that a spreadsheet would run as a formula is defused in the export.
    await db().execute(sql`update members set display_name = '=HYPERLINK("http://x")' where id = ${t.H}`);
    const csv = await ctx.app.inject({ method: 'GET', url: `/api/admin/settlement/runs/${runId}/qualifiers.csv`, headers: bearer(viewer) });
    expect(csv.body).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.trim().split('\r\n')).toHaveLength(4);
    expect(csv.body).toContain('17.50');

    // Paying waits for finance's approval; ops may not approve.
    expect((await ctx.app.inject({ method: 'POST', url: `/api/admin/settlement/runs/${runId}/pay`, headers: bearer(finance) })).statusCode).toBe(409);
    expect((await ctx.app.inject({ method: 'POST', url: `/api/admin/settlement/runs/${runId}/approve`, headers: bearer(ops) })).statusCode).toBe(403);
    const approved = await ctx.app.inject({ method: 'POST', url: `/api/admin/settlement/runs/${runId}/approve`, headers: bearer(finance) });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().state).toBe('approved');
    expect((await ctx.app.inject({ method: 'POST', url: `/api/admin/settlement/runs/${runId}/pay`, headers: bearer(finance) })).statusCode).toBe(202);
    const paid = await untilState(runId, ['paid']);
    expect(paid.late).toBe(false);
    expect(paid.tiers.map((x: Record<string, unknown>) => x.paidFen)).toEqual(['3500', '1750', '0']);
    expect(await available('A')).toBe(3_500n);
    expect(await available('H')).toBe(1_750n);
    expect(await available('E')).toBe(0n);
    expect(await available('K')).toBe(0n);
    expect((await verifyLedger(db())).ok).toBe(true);

    const again = await ctx.app.inject({ method: 'POST', url: '/api/admin/settlement/runs', headers: bearer(finance), payload: { month: label(M) } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'CONFLICT', details: { state: 'paid' } });
    expect(again.json().error.message).toContain('paid already');
    expect((await ctx.app.inject({ method: 'POST', url: `/api/admin/settlement/runs/${runId}/pay`, headers: bearer(finance) })).statusCode).toBe(409);
    expect((await ctx.app.inject({ method: 'POST', url: `/api/admin/settlement/runs/${runId}/cancel`, headers: bearer(finance), payload: { reason: '晚了' } })).statusCode).toBe(409);
    expect(await available('A')).toBe(3_500n);
    // The CLI's `settlement run` refuses a paid month as well.
    await expect(settleMonth(db(), ctx.database.kind, actor, M, TZ, { pay: true })).rejects.toThrow(/paid already/);

    // The member sees its dividends with the conditions it met; the month's report counts them.
    const mine = (await ctx.app.inject({ method: 'GET', url: '/api/member/dividends', headers: bearer(memberA.token) })).json();
    expect(mine.items.map((x: Record<string, unknown>) => [x.month, x.tierName, x.shareFen, x.paid])).toEqual([
      [label(M), '基础分红', '1750', true],
      [label(M), '星级分红', '1750', true],
    ]);
    const report = (await ctx.app.inject({ method: 'GET', url: `/api/admin/reports/monthly?month=${label(M)}`, headers: bearer(viewer) })).json();
    expect(report).toMatchObject({ volumeFen: '350101', totalFen: '5250', shareOfVolumePpm: 14_995 });
    expect(report.payouts.find((p: { type: string }) => p.type === 'dividend').fen).toBe('5250');
    const reportCsv = await ctx.app.inject({ method: 'GET', url: `/api/admin/reports/monthly.csv?month=${label(M)}`, headers: bearer(viewer) });
    expect(reportCsv.body).toContain('分红,,52.50');

    // A month that has not ended cannot be settled; nobody but staff reads runs.
    const early = await ctx.app.inject({ method: 'POST', url: '/api/admin/settlement/runs', headers: bearer(finance), payload: { month: label(monthOf(new Date(), TZ)) } });
    expect(early.statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/admin/settlement/runs/${runId}`, headers: bearer(memberA.token) })).statusCode).toBe(403);
  });

  it('a run is cancelled before payment and the month opened again; statistics interrupted by a crash start over; payment interrupted resumes with the unpaid only', async () => {
    const first = await openRun(db(), actor, M2, TZ);
    const cancel = await ctx.app.inject({ method: 'POST', url: `/api/admin/settlement/runs/${first}/cancel`, headers: bearer(finance), payload: { reason: '档位要改' } });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(cancel.json().state).toBe('cancelled');

    const runId = await openRun(db(), actor, M2, TZ);
    // B held rank 3 when the month ended and was downgraded since: it still counts for A's 星级分红 (3 qualified directs).
    await db().execute(sql`update member_levels set level_id = (select id from levels where rank = 1) where member_id = ${t.B}`);
    await db().execute(sql`
      insert into level_history (member_id, from_level_id, to_level_id, cause, actor_kind)
      values (${t.B}, (select id from levels where rank = 3), (select id from levels where rank = 1), 'downgrade', 'system')`);
    // What a crash mid-statistics leaves: part of the qualifiers, the run still collecting.
    await db().execute(sql`insert into settlement_qualifiers (run_id, tier_id, member_id, evidence, share_fen) values (${runId}, 'basic', ${t.E}, '[]', 0)`);
    expect(await collectStatistics(db(), ctx.database.kind, runId, TZ)).toBe('done');
    const preview = await runSummary(db(), runId);
    expect(preview.state).toBe('preview');
    expect(preview.tiers.map((x) => [x.tierId, x.qualifiers])).toEqual([['basic', 2], ['star', 1], ['empty', 0]]);

    await approveRun(db(), actor, runId);
    // What a crash mid-payment leaves: the run paying, its first tier (基础分红: A and H) committed, the next one not.
    const before = { A: await available('A'), H: await available('H') };
    await db().execute(sql`update settlement_runs set state = 'paying' where id = ${runId}`);
    expect(await payNextTier(db(), actor, runId)).toBe(3_500n);
    expect((await runSummary(db(), runId)).tiers.map((x) => [x.tierId, x.paidAt !== null])).toEqual([['basic', true], ['star', false], ['empty', false]]);
    const resumed = await payRun(db(), actor, runId);
    expect(resumed).toBe(1_750n); // A's star share: the rest, once
    expect((await runSummary(db(), runId)).state).toBe('paid');
    expect(await available('A')).toBe(before.A + 3_500n);
    expect(await available('H')).toBe(before.H + 1_750n);
    // One entry per tier that paid anybody (the tier nobody reached posts nothing).
    expect(await payRun(db(), actor, runId).catch((e: Error) => e.message)).toMatch(/cannot go from paid to paying/);
    expect((await verifyLedger(db())).ok).toBe(true);
    const entries = await queryRows<{ n: number | string }>(db(), sql`select count(*) as n from ledger_entries where idempotency_key like ${`dividend:${label(M2)}:%`}`);
    expect(Number(entries[0]!.n)).toBe(2);
    // The tier nobody reached is settled with the run (nothing to post), and no preview is left looking unpaid.
    expect((await runSummary(db(), runId)).tiers.every((x) => x.paidAt !== null)).toBe(true);

    // With no tier enabled a month is not opened: it would be paid with nothing, and a paid month is final.
    const current = (await ctx.app.inject({ method: 'GET', url: '/api/admin/dividends/tiers', headers: bearer(viewer) })).json();
    const off = current.tiers.map((x: Record<string, unknown>) => ({ ...x, enabled: false }));
    expect((await ctx.app.inject({ method: 'PUT', url: '/api/admin/dividends/tiers', headers: bearer(owner), payload: { basedOn: current.version, tiers: off } })).statusCode).toBe(200);
    const refused = await ctx.app.inject({ method: 'POST', url: '/api/admin/settlement/runs', headers: bearer(finance), payload: { month: label(shiftMonth(M2, -1)) } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toContain('No dividend tier is enabled');
  });
});
