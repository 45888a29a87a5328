import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members } from '../../src/modules/members/members.schema.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { csvLines as lines } from '../helpers/csv.js';

let ctx: TestContext;
let viewer: { token: string };
let ids: Record<string, number>;

/** Lines of a CSV answer without the BOM; none of these cells holds a line break. */

beforeAll(async () => {
  ctx = await createTestContext();
  viewer = await ctx.staffToken(['viewer']);
  const rows = await ctx.database.db
    .insert(members)
    .values([
      { phone: '13700000001', passwordHash: 'x', displayName: '张三', registrationIp: '10.0.0.1', registrationDeviceId: 'dev-1', createdAt: new Date('2026-03-01T01:30:00Z') },
      { phone: '13700000002', passwordHash: 'x', displayName: '=HYPERLINK("http://evil","点我")', status: 'suspended', lockedUntil: new Date(Date.now() + 3_600_000) },
      { phone: '13700000003', passwordHash: 'x', displayName: '李四', status: 'closed' },
    ])
    .returning({ id: members.id, phone: members.phone });
  ids = Object.fromEntries(rows.map((r) => [r.phone, r.id]));
});
afterAll(() => ctx.close());

const exportCsv = (query = '', token = viewer.token) => ctx.app.inject({ method: 'GET', url: `/api/admin/members.csv${query}`, headers: bearer(token) });

describe('GET /api/admin/members.csv', () => {
  it('sends the list as a UTF-8 CSV download with zh-CN headers, newest first, phones as the list shows them', async () => {
    const res = await exportCsv();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="members-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = lines(res.body);
    expect(header).toBe('会员ID,昵称,手机号,状态,登录锁定至,注册IP,注册设备,注册时间');
    expect(rows).toHaveLength(3);
    expect(rows[0]!.startsWith(`${ids['13700000003']},李四,13700000003,已注销,`)).toBe(true);
    // Times in the platform's zone (Asia/Shanghai, UTC+8).
    expect(rows[2]).toBe(`${ids['13700000001']},张三,13700000001,正常,,10.0.0.1,dev-1,2026-03-01 09:30:00`);
    const list = await ctx.app.inject({ method: 'GET', url: '/api/admin/members', headers: bearer(viewer.token) });
    expect((list.json().items as { phone: string }[]).map((m) => m.phone)).toEqual(['13700000003', '13700000002', '13700000001']);
  });

  it('applies the list filters', async () => {
    const suspended = lines((await exportCsv('?status=suspended')).body);
    expect(suspended).toHaveLength(2);
    expect(suspended[1]!.startsWith(`${ids['13700000002']},`)).toBe(true);
    expect(suspended[1]).toMatch(/,已暂停,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,/);
    const byPhone = lines((await exportCsv('?q=00000001')).body);
    expect(byPhone.slice(1).map((l) => l.split(',')[2])).toEqual(['13700000001']);
    expect(lines((await exportCsv('?q=nobody')).body)).toHaveLength(1);
    expect((await exportCsv('?status=gone')).statusCode).toBe(400);
  });

  it('defuses a name a spreadsheet would run as a formula', async () => {
    const body = (await exportCsv('?status=suspended')).body;
    expect(body).toContain(`,"'=HYPERLINK(""http://evil"",""点我"")",`);
  });

  it('lets every staff role export, and nobody else', async () => {
    for (const role of ['owner', 'risk', 'finance', 'ops'] as const) {
      expect((await exportCsv('', (await ctx.staffToken([role])).token)).statusCode).toBe(200);
    }
    const member = await ctx.registerMember('13700000099');
    const asMember = await exportCsv('', member.token);
    expect(asMember.statusCode).toBe(403);
    expect(asMember.json().error.code).toBe('FORBIDDEN');
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/admin/members.csv' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('refuses more than 50,000 rows and asks to narrow the filters; a narrower filter still exports', async () => {
    await ctx.database.db.execute(sql`
      insert into members (phone, password_hash, display_name)
      select '158' || lpad(n::text, 8, '0'), 'x', '批量' || n from generate_series(1, 50000) n`);
    const tooMany = await exportCsv();
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.code).toBe('BAD_REQUEST');
    expect(tooMany.json().error.message).toContain('缩小筛选范围');
    expect(tooMany.json().error.details).toEqual({ maxRows: 50_000 });
    // Exactly the cap passes: 50,000 active bulk members plus 张三 would be one too many, so filter by the bulk prefix.
    const atCap = await exportCsv('?q=158');
    expect(atCap.statusCode).toBe(200);
    expect(lines(atCap.body)).toHaveLength(50_001);
  }, 120_000);
});
