import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/modules/audit/audit.schema.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { csvLines as lines } from '../helpers/csv.js';

let ctx: TestContext;
let owner: { token: string; staffId: number };
let ids: number[];

/** Lines of a CSV answer without the BOM; none of these cells holds a line break. */

beforeAll(async () => {
  ctx = await createTestContext();
  owner = await ctx.staffToken(['owner'], 'auditor', 'Staffpass123');
  // Start from an empty log: creating the staff account above wrote an entry.
  await ctx.database.db.delete(auditLog);
  const rows = await ctx.database.db
    .insert(auditLog)
    .values([
      { at: new Date('2026-03-01T01:00:00Z'), actorKind: 'staff', actorId: owner.staffId, action: 'member.status_changed', targetType: 'member', targetId: '7', before: { status: 'active' }, after: { status: 'suspended' }, reason: '=cmd|"/c calc"!A1', ip: '10.0.0.9', requestId: 'req-1' },
      { at: new Date('2026-03-02T01:00:00Z'), actorKind: 'member', actorId: 7, action: 'onboarding.submitted', targetType: 'onboarding', targetId: '7', ip: '10.0.0.7', requestId: 'req-2' },
      { at: new Date('2026-03-03T01:00:00Z'), actorKind: 'system', action: 'settlement.ran', targetType: 'settlement_run', targetId: '3', reason: "-2+3+cmd|' /C calc'!A0", requestId: 'job' },
    ])
    .returning({ id: auditLog.id });
  ids = rows.map((r) => r.id);
});
afterAll(() => ctx.close());

const exportCsv = (query = '', token = owner.token) => ctx.app.inject({ method: 'GET', url: `/api/admin/audit-log.csv${query}`, headers: bearer(token) });

describe('GET /api/admin/audit-log.csv', () => {
  it('sends the log as a UTF-8 CSV download with zh-CN headers, newest first', async () => {
    const res = await exportCsv();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = lines(res.body);
    expect(header).toBe('记录编号,时间,操作者类型,操作者ID,操作者,操作,对象类型,对象ID,原因,变更前,变更后,IP,请求编号');
    expect(rows).toEqual([
      // A formula that starts like a negative number is defused too.
      `${ids[2]},2026-03-03 09:00:00,系统,,,settlement.ran,settlement_run,3,'-2+3+cmd|' /C calc'!A0,,,,job`,
      `${ids[1]},2026-03-02 09:00:00,会员,7,,onboarding.submitted,onboarding,7,,,,10.0.0.7,req-2`,
      // Staff named; the reason a spreadsheet would run is defused; before/after as JSON text.
      `${ids[0]},2026-03-01 09:00:00,员工,${owner.staffId},auditor（auditor）,member.status_changed,member,7,"'=cmd|""/c calc""!A1","{""status"":""active""}","{""status"":""suspended""}",10.0.0.9,req-1`,
    ]);
  });

  it('applies the log filters', async () => {
    const idsOf = async (query: string) => lines((await exportCsv(query)).body).slice(1).map((l) => Number(l.split(',')[0]));
    expect(await idsOf('?actorKind=member')).toEqual([ids[1]]);
    expect(await idsOf(`?actorKind=staff&actorId=${owner.staffId}`)).toEqual([ids[0]]);
    expect(await idsOf('?action=settlement.ran')).toEqual([ids[2]]);
    expect(await idsOf('?targetType=member&targetId=7')).toEqual([ids[0]]);
    expect(await idsOf(`?from=${encodeURIComponent('2026-03-01T12:00:00Z')}&to=${encodeURIComponent('2026-03-02T12:00:00Z')}`)).toEqual([ids[1]]);
    expect(await idsOf('?action=nothing.like.this')).toEqual([]);
    expect((await exportCsv('?from=yesterday')).statusCode).toBe(400);
  });

  it('is for owners only, like the log', async () => {
    for (const role of ['risk', 'finance', 'ops', 'viewer'] as const) {
      const res = await exportCsv('', (await ctx.staffToken([role])).token);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
    expect((await exportCsv('', (await ctx.registerMember('13700000099')).token)).statusCode).toBe(403);
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/admin/audit-log.csv' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('refuses more than 50,000 rows and asks to narrow the filters; a narrower filter still exports', async () => {
    await ctx.database.db.execute(sql`
      insert into audit_log (actor_kind, action, target_type, target_id)
      select 'system', 'bulk.test', 'member', n::text from generate_series(1, 50000) n`);
    const tooMany = await exportCsv();
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.code).toBe('BAD_REQUEST');
    expect(tooMany.json().error.message).toContain('缩小筛选范围');
    const atCap = await exportCsv('?action=bulk.test');
    expect(atCap.statusCode).toBe(200);
    expect(lines(atCap.body)).toHaveLength(50_001);
  }, 120_000);
});
