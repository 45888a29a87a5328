import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestContext, MEMBER_PASSWORD, type TestContext } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe.skipIf(!onPostgres)('first binding wins (PostgreSQL)', () => {
  it('ten registrations of one phone through ten invite links at once make one member with one inviter', async () => {
    const inviters = await Promise.all(Array.from({ length: 10 }, (_, i) => ctx.registerMember(`1370000${String(200 + i).padStart(4, '0')}`)));
    const codes = await Promise.all(inviters.map(async (m) => (await ctx.app.inject({ method: 'GET', url: '/api/member/invite', headers: bearer(m.token) })).json().code as string));
    const phone = '13700009999';
    await ctx.app.inject({ method: 'POST', url: '/api/auth/sms-codes', payload: { phone, purpose: 'register' } });
    const smsCode = ctx.sms.lastCode(phone);
    const responses = await Promise.all(
      codes.map((inviteCode) =>
        ctx.app.inject({ method: 'POST', url: '/api/member/register', payload: { phone, password: MEMBER_PASSWORD, smsCode, inviteCode, inviteVia: 'link', client: 'api' } }),
      ),
    );
    const created = responses.filter((r) => r.statusCode === 201);
    expect(created).toHaveLength(1);
    for (const r of responses.filter((x) => x.statusCode !== 201)) expect(['PHONE_TAKEN', 'SMS_CODE_INVALID']).toContain(r.json().error.code);
    const winner = codes[responses.indexOf(created[0]!)]!;
    const memberId = created[0]!.json().member.id as number;
    const owner = await ctx.staffToken(['owner']);
    const history = (await ctx.app.inject({ method: 'GET', url: `/api/admin/members/${memberId}/bindings`, headers: bearer(owner.token) })).json().items;
    expect(history).toHaveLength(1);
    const winnerId = inviters[codes.indexOf(winner)]!.memberId;
    expect(history[0]).toMatchObject({ fromParentId: null, toParentId: winnerId, via: 'invite_link' });
    const team = await ctx.app.inject({ method: 'GET', url: '/api/member/team/summary', headers: bearer(inviters[codes.indexOf(winner)]!.token) });
    expect(team.json()).toMatchObject({ direct: 1, total: 1 });
  });
});
