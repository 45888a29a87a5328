import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestContext, MEMBER_PASSWORD, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
const m: Record<string, { token: string; memberId: number }> = {};

async function registerWith(phone: string, inviteCode?: string, inviteVia?: 'code' | 'link') {
  await ctx.app.inject({ method: 'POST', url: '/api/auth/sms-codes', payload: { phone, purpose: 'register' } });
  return ctx.app.inject({
    method: 'POST',
    url: '/api/member/register',
    payload: { phone, password: MEMBER_PASSWORD, smsCode: ctx.sms.lastCode(phone), client: 'api', inviteCode, inviteVia },
  });
}
const inviteOf = async (token: string) => (await ctx.app.inject({ method: 'GET', url: '/api/member/invite', headers: bearer(token) })).json() as { code: string; link: string };
const asMember = (res: Awaited<ReturnType<typeof registerWith>>) => ({ token: res.json().session.token as string, memberId: res.json().member.id as number });

beforeAll(async () => {
  ctx = await createTestContext();
  m.a = await ctx.registerMember('13600000101');
  const a = await inviteOf(m.a.token);
  m.b = asMember(await registerWith('13600000102', a.code, 'code'));
  const b = await inviteOf(m.b.token);
  expect(b.link).toBe(`http://localhost/m/register?invite=${b.code}`);
  m.c = asMember(await registerWith('13600000103', b.code, 'link'));
  m.d = asMember(await registerWith('13600000104', (await inviteOf(m.c.token)).code));
  m.e = await ctx.registerMember('13600000105');
});
afterAll(() => ctx.close());

describe('the invite poster', () => {
  it("is a PNG whose QR code is the member's own absolute invite link", async () => {
    const b = m.b!;
    const invite = await inviteOf(b.token);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/member/invite/poster.png', headers: bearer(b.token) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const png = PNG.sync.read(res.rawPayload);
    const qr = jsqr.default(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(qr?.data).toBe(invite.link);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/member/invite/poster.png' })).statusCode).toBe(401);
  });

  it('links to PUBLIC_BASE_URL when it is configured', async () => {
    const other = await createTestContext({ PUBLIC_BASE_URL: 'https://join.example.com' });
    try {
      const x = await other.registerMember('13600000199');
      const invite = (await other.app.inject({ method: 'GET', url: '/api/member/invite', headers: bearer(x.token) })).json();
      expect(invite.link).toBe(`https://join.example.com/m/register?invite=${invite.code}`);
    } finally {
      await other.close();
    }
  });
});

describe('an operator that requires an inviter', () => {
  it('refuses registration without an invite code and says so on the registration options', async () => {
    const owner = await ctx.staffToken(['owner']);
    const inviter = await ctx.registerMember('13600000152');
    const set = await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/registration', headers: bearer(owner.token), payload: { requireInviter: true, version: 0 } });
    expect(set.statusCode, set.body).toBe(200);
    try {
      expect((await ctx.app.inject({ method: 'GET', url: '/api/member/registration-options' })).json()).toEqual({ requireInviter: true });
      const without = await registerWith('13600000150');
      expect(without.statusCode).toBe(400);
      expect(without.json().error.details).toMatchObject({ field: 'inviteCode' });
      const withCode = await registerWith('13600000151', (await inviteOf(inviter.token)).code, 'code');
      expect(withCode.statusCode).toBe(201);
    } finally {
      await ctx.app.inject({ method: 'PUT', url: '/api/admin/settings/registration', headers: bearer(owner.token), payload: { requireInviter: false, version: 1 } });
    }
  });
});

describe('registration with an invite', () => {
  it('refuses an unknown invite code and creates nothing', async () => {
    const res = await registerWith('13600000199', 'ZZZZZZZZ');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('invite code');
    const login = await ctx.app.inject({ method: 'POST', url: '/api/member/login', payload: { phone: '13600000199', password: MEMBER_PASSWORD } });
    expect(login.statusCode).toBe(401);
  });
});

describe('my team', () => {
  it('counts direct, indirect and all generations', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/member/team/summary', headers: bearer(m.a!.token) });
    expect(res.json()).toEqual({ direct: 1, indirect: 1, total: 3, perGeneration: [{ generation: 1, count: 1 }, { generation: 2, count: 1 }, { generation: 3, count: 1 }] });
  });

  it('lists a generation or the whole downline, with masked phones, and searches only inside it', async () => {
    const list = async (token: string, qs: string) => (await ctx.app.inject({ method: 'GET', url: `/api/member/team/members?${qs}`, headers: bearer(token) })).json();
    expect((await list(m.a!.token, 'generation=1')).items.map((x: { memberId: number }) => x.memberId)).toEqual([m.b!.memberId]);
    expect((await list(m.a!.token, 'generation=2')).items.map((x: { memberId: number }) => x.memberId)).toEqual([m.c!.memberId]);
    const all = await list(m.a!.token, '');
    expect(all.items).toHaveLength(3);
    expect(all.items[0].phone).toBe('136****0104');
    expect(all.items.find((x: { memberId: number }) => x.memberId === m.b!.memberId).directCount).toBe(1);
    expect((await list(m.a!.token, 'q=0104')).items).toHaveLength(1);
    // Someone outside the downline is never found, whatever the search.
    expect((await list(m.a!.token, 'q=0105')).items).toHaveLength(0);
    expect((await list(m.c!.token, 'q=0101')).items).toHaveLength(0);
    expect((await list(m.e!.token, '')).items).toHaveLength(0);
  });

  it('shows the level each team member holds now (none before the first)', async () => {
    const owner = await ctx.staffToken(['owner']);
    const ladder = (await ctx.app.inject({ method: 'GET', url: '/api/admin/levels', headers: bearer(owner.token) })).json() as { levels: { id: number; rank: number; name: string }[] };
    const level = [...ladder.levels].sort((x, y) => y.rank - x.rank)[0]!;
    const set = await ctx.app.inject({
      method: 'PUT', url: `/api/admin/members/${m.b!.memberId}/level`, headers: bearer(owner.token), payload: { levelId: level.id, reason: '测试：手动调整等级' },
    });
    expect(set.statusCode).toBe(200);
    const all = (await ctx.app.inject({ method: 'GET', url: '/api/member/team/members', headers: bearer(m.a!.token) })).json() as { items: { memberId: number; level: unknown }[] };
    expect(all.items.find((x) => x.memberId === m.b!.memberId)!.level).toEqual({ rank: level.rank, name: level.name });
    expect(all.items.find((x) => x.memberId === m.c!.memberId)!.level).toBeNull();
  });
});

describe('staff and the tree', () => {
  it('see the upline chain, the children, and the binding history', async () => {
    const viewer = await ctx.staffToken(['viewer']);
    const tree = await ctx.app.inject({ method: 'GET', url: `/api/admin/members/${m.d!.memberId}/tree`, headers: bearer(viewer.token) });
    expect(tree.json().upline.map((u: { memberId: number }) => u.memberId)).toEqual([m.a!.memberId, m.b!.memberId, m.c!.memberId]);
    expect(tree.json().depth).toBe(3);
    const children = await ctx.app.inject({ method: 'GET', url: `/api/admin/members/${m.a!.memberId}/team?generation=1`, headers: bearer(viewer.token) });
    expect(children.json().items[0]).toMatchObject({ memberId: m.b!.memberId, phone: '13600000102', directCount: 1 });
    const history = await ctx.app.inject({ method: 'GET', url: `/api/admin/members/${m.c!.memberId}/bindings`, headers: bearer(viewer.token) });
    expect(history.json().items).toEqual([expect.objectContaining({ fromParentId: null, toParentId: m.b!.memberId, via: 'invite_link', actorKind: 'member' })]);
  });

  it('risk moves a member with its downline, with a reason; cycles are refused; viewers cannot move', async () => {
    const risk = await ctx.staffToken(['risk']);
    const move = (id: number, parentId: number | null, token = risk.token) =>
      ctx.app.inject({ method: 'PUT', url: `/api/admin/members/${id}/parent`, headers: bearer(token), payload: { parentId, reason: '客户申请更正推荐人' } });
    const moved = await move(m.c!.memberId, m.e!.memberId);
    expect(moved.json()).toEqual({ memberId: m.c!.memberId, parentId: m.e!.memberId, depth: 1 });
    const eTeam = await ctx.app.inject({ method: 'GET', url: '/api/member/team/summary', headers: bearer(m.e!.token) });
    expect(eTeam.json().total).toBe(2);
    const cycle = await move(m.e!.memberId, m.d!.memberId);
    expect(cycle.statusCode).toBe(409);
    const viewer = await ctx.staffToken(['viewer']);
    expect((await move(m.c!.memberId, m.a!.memberId, viewer.token)).statusCode).toBe(403);
    const owner = await ctx.staffToken(['owner']);
    const audit = await ctx.app.inject({ method: 'GET', url: `/api/admin/audit-log?action=member.reparented&targetId=${m.c!.memberId}`, headers: bearer(owner.token) });
    expect(audit.json().items[0]).toMatchObject({ reason: '客户申请更正推荐人', before: { parentId: m.b!.memberId }, after: { parentId: m.e!.memberId } });
  });
});
