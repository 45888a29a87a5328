import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members } from '../../src/modules/members/members.schema.js';
import { onboardingApplications, type RiskFlag } from '../../src/modules/onboarding/onboarding.schema.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { csvLines as lines } from '../helpers/csv.js';

let ctx: TestContext;
let viewer: { token: string };
let ids: number[];

/** Lines of a CSV answer without the BOM; none of these cells holds a line break. */
const flag = (code: RiskFlag['code']): RiskFlag => ({ code, message: '测试', evidence: {} });

beforeAll(async () => {
  ctx = await createTestContext();
  viewer = await ctx.staffToken(['viewer']);
  const rows = await ctx.database.db
    .insert(members)
    .values(['13700000011', '13700000012', '13700000013', '13700000014'].map((phone, i) => ({ phone, passwordHash: 'x', displayName: `商户${i + 1}` })))
    .returning({ id: members.id });
  ids = rows.map((r) => r.id);
  await ctx.database.db.insert(onboardingApplications).values([
    // Submitted later, but listed second: the queue is oldest submission first.
    { memberId: ids[0]!, state: 'submitted', businessName: '第一家小店', revision: 1, submittedAt: new Date('2026-03-02T02:00:00Z') },
    {
      memberId: ids[1]!,
      state: 'submitted',
      businessName: '@SUM(A1:A9)',
      revision: 2,
      submittedAt: new Date('2026-03-01T02:00:00Z'),
      riskFlags: [flag('duplicate_licence'), flag('blacklist'), flag('blacklist')],
    },
    { memberId: ids[2]!, state: 'rejected', businessName: '被驳回的店', revision: 1, submittedAt: new Date('2026-02-01T02:00:00Z'), riskFlags: [flag('registration_burst_ip')] },
    { memberId: ids[3]!, state: 'draft' },
  ]);
});
afterAll(() => ctx.close());

const exportCsv = (query = '', token = viewer.token) => ctx.app.inject({ method: 'GET', url: `/api/admin/onboarding.csv${query}`, headers: bearer(token) });

describe('GET /api/admin/onboarding.csv', () => {
  it('sends the applications as a UTF-8 CSV download with zh-CN headers, oldest submission first', async () => {
    const res = await exportCsv('?state=submitted');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="onboarding-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = lines(res.body);
    expect(header).toBe('会员ID,昵称,手机号,商户名称,状态,提交次数,风控标记数,风控标记,提交时间');
    expect(rows).toEqual([
      // Phones in full, as the JSON list gives them to staff; risk codes named once each; times in Asia/Shanghai.
      `${ids[1]},商户2,13700000012,'@SUM(A1:A9),待审核,2,3,执照号重复；命中黑名单,2026-03-01 10:00:00`,
      `${ids[0]},商户1,13700000011,第一家小店,待审核,1,0,,2026-03-02 10:00:00`,
    ]);
    const list = await ctx.app.inject({ method: 'GET', url: '/api/admin/onboarding?state=submitted', headers: bearer(viewer.token) });
    expect((list.json().items as { phone: string }[]).map((a) => a.phone)).toEqual(['13700000012', '13700000011']);
  });

  it('applies the list filters', async () => {
    const all = lines((await exportCsv()).body).slice(1);
    expect(all.map((l) => Number(l.split(',')[0]))).toEqual([ids[2], ids[1], ids[0], ids[3]]);
    expect(all[3]).toBe(`${ids[3]},商户4,13700000014,,草稿,0,0,,`);
    const flagged = lines((await exportCsv('?flagged=true')).body).slice(1);
    expect(flagged.map((l) => Number(l.split(',')[0]))).toEqual([ids[2], ids[1]]);
    const rejectedFlagged = lines((await exportCsv('?state=rejected&flagged=true')).body).slice(1);
    expect(rejectedFlagged).toEqual([`${ids[2]},商户3,13700000013,被驳回的店,已驳回,1,1,同 IP 批量注册,2026-02-01 10:00:00`]);
    expect(lines((await exportCsv('?state=active')).body)).toHaveLength(1);
    expect((await exportCsv('?state=lost')).statusCode).toBe(400);
  });

  it('lets every staff role export, as it lets them read the queue, and nobody else', async () => {
    for (const role of ['owner', 'risk', 'finance', 'ops'] as const) {
      expect((await exportCsv('', (await ctx.staffToken([role])).token)).statusCode).toBe(200);
    }
    const member = await ctx.registerMember('13700000099');
    expect((await exportCsv('', member.token)).statusCode).toBe(403);
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/admin/onboarding.csv' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('refuses more than 50,000 rows and asks to narrow the filters', async () => {
    await ctx.database.db.execute(sql`
      with bulk as (
        insert into members (phone, password_hash, display_name)
        select '158' || lpad(n::text, 8, '0'), 'x', '批量' || n from generate_series(1, 49998) n
        returning id
      )
      insert into onboarding_applications (member_id, state, revision, submitted_at)
      select id, 'submitted', 1, now() from bulk`);
    // 49,998 + the 2 submitted above: exactly the cap.
    const atCap = await exportCsv('?state=submitted');
    expect(atCap.statusCode, atCap.body.slice(0, 200)).toBe(200);
    expect(lines(atCap.body)).toHaveLength(50_001);
    const tooMany = await exportCsv();
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.code).toBe('BAD_REQUEST');
    expect(tooMany.json().error.message).toContain('缩小筛选范围');
  }, 120_000);
});
