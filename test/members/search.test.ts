import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';

let ctx: TestContext;
let viewer: { token: string };
let a: { token: string; memberId: number };
let code: string;

beforeAll(async () => {
  ctx = await createTestContext();
  viewer = await ctx.staffToken(['viewer']);
  a = await ctx.registerMember('13600000301');
  await ctx.registerMember('13600000302');
  code = (await ctx.app.inject({ method: 'GET', url: '/api/member/invite', headers: bearer(a.token) })).json().code as string;
});
afterAll(() => ctx.close());

const search = async (q: string) => {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/admin/members?q=${encodeURIComponent(q)}`, headers: bearer(viewer.token) });
  expect(res.statusCode).toBe(200);
  return (res.json().items as { id: number }[]).map((m) => m.id);
};

describe('staff member search', () => {
  it('finds a member by the whole invite code, in any case', async () => {
    expect(await search(code)).toEqual([a.memberId]);
    expect(await search(` ${code.toLowerCase()} `)).toEqual([a.memberId]);
  });

  it('does not match part of an invite code', async () => {
    expect(await search(code.slice(0, 5))).not.toContain(a.memberId);
  });

  it('still finds members by part of the phone', async () => {
    expect((await search('1360000030')).length).toBe(2);
  });
});
