import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { systemAuditContext } from '../../src/modules/audit/audit.service.js';
import { readLadder } from '../../src/modules/levels/ladder.service.js';
import { setMemberLevelByStaff } from '../../src/modules/levels/member-level.service.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { emitEvents } from '../../src/modules/outbox/outbox.service.js';
import { bindFirst } from '../../src/modules/referrals/tree.service.js';
import { drainRewards } from '../../src/modules/rewards/rewards.service.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { markActive } from '../helpers/onboarding.js';
import { postSigned } from '../helpers/sandbox.js';

/**
 * The reward engine wired end to end: signed pushes → stored transactions →
 * outbox → rewards consumer → ledger, read back through the members'
 * statements and the staff's explanations.
 */
const TZ = 'Asia/Shanghai';
const SECRET = 'push-secret-rewards-0123456789';
const actor = systemAuditContext('test');
let ctx: TestContext;
let owner: { token: string };
const db = () => ctx.database.db;
const m: Record<'G3' | 'G2' | 'G1' | 'M' | 'X', { token: string; memberId: number }> = {} as never;

beforeAll(async () => {
  ctx = await createTestContext();
  owner = await ctx.staffToken(['owner']);
  const created = await ctx.app.inject({ method: 'POST', url: '/api/admin/channels', headers: bearer(owner.token), payload: { id: 'acme', kind: 'push', name: 'Acme', secrets: { pushSecrets: [SECRET] } } });
  expect(created.statusCode, created.body).toBe(201);
  let phone = 13200000100;
  for (const k of ['G3', 'G2', 'G1', 'M', 'X'] as const) m[k] = await ctx.registerMember(String(++phone));
  // G3 ← G2 ← G1 ← M: M sells; G1 is its direct (直推), G2 indirect (间推), G3 the third generation.
  await db().transaction((tx) => bindFirst(tx, { memberId: m.G2.memberId, parentId: m.G3.memberId, via: 'invite_code', actor }));
  await db().transaction((tx) => bindFirst(tx, { memberId: m.G1.memberId, parentId: m.G2.memberId, via: 'invite_code', actor }));
  await db().transaction((tx) => bindFirst(tx, { memberId: m.M.memberId, parentId: m.G1.memberId, via: 'invite_code', actor }));
  const ladder = await readLadder(db());
  const level = (name: string) => ladder.levels.find((l) => l.name === name)!.id;
  // Default ladder rates: 普通商户 0, 银牌 2%, 金牌 4%. Default rules: profit share on, peer 0.5% from 金牌 (rank 3).
  for (const [k, name] of [['G1', '银牌'], ['G2', '金牌'], ['G3', '金牌']] as const) {
    await db().transaction((tx) => setMemberLevelByStaff(tx, actor, { memberId: m[k].memberId, levelId: level(name), reason: 'test' }));
    await markActive(db(), m[k].memberId);
  }
  const bound = await ctx.app.inject({ method: 'PUT', url: '/api/admin/channels/acme/merchants/M-REW', headers: bearer(owner.token), payload: { memberId: m.M.memberId } });
  expect(bound.statusCode, bound.body).toBe(200);
});
afterAll(() => ctx.close());

const push = (records: unknown[]) => postSigned(ctx, '/api/channels/acme/transactions', SECRET, records.length === 1 ? records[0] : { records });
const AT = new Date().toISOString();
const sale = (id: string, amount: number) => ({ channel_txn_id: id, merchant_ref: 'M-REW', amount_fen: amount, status: 'settled', occurred_at: AT });
const refund = (id: string, of: string, amount: number) => ({ channel_txn_id: id, merchant_ref: 'M-REW', amount_fen: amount, status: 'refunded', occurred_at: AT, original_txn_id: of });

const wallet = async (k: keyof typeof m) => (await ctx.app.inject({ method: 'GET', url: '/api/member/wallet', headers: bearer(m[k].token) })).json();
const statement = async (k: keyof typeof m) => (await ctx.app.inject({ method: 'GET', url: '/api/member/statement', headers: bearer(m[k].token) })).json();
const eventIdOf = async (txnId: string) =>
  Number((await queryRows<{ id: string }>(db(), sql`select e.event_id::text as id from reward_events e join channel_transactions t on e.subject = 'channel_transaction:' || t.id where t.channel_txn_id = ${txnId}`))[0]!.id);

describe('a sale pays profit share and the peer bonus through the ledger', () => {
  it('¥1,000.00 sale: 直推 银牌 2%, 间推 金牌 2% differential, 第3代 金牌 peer 0.5% — in frozen, with explanations', async () => {
    const res = await push([sale('S-1', 100_000)]);
    expect(res.statusCode, res.body).toBe(200);
    await drainRewards(db(), TZ);
    expect((await wallet('G1')).frozenFen).toBe('2000');
    expect((await wallet('G2')).frozenFen).toBe('2000');
    expect((await wallet('G3')).frozenFen).toBe('500');
    expect((await wallet('M')).frozenFen).toBe('0');
    const line = (await statement('G2')).items.find((l: { type: string }) => l.type === 'reward');
    expect(line.amountFen).toBe('2000');
    expect(line.explanations).toHaveLength(1);
    expect(line.explanations[0]).toMatch(/交易结算 ¥1000\.00 · 级差分润\(v\d+\) · 间推 · ¥1000\.00 × 2%（4% − 2%） = ¥20\.00/);
    const peer = (await statement('G3')).items.find((l: { type: string }) => l.type === 'reward');
    expect(peer.explanations[0]).toContain('平级奖');
    expect(peer.explanations[0]).toContain('第3代');
    expect((await verifyLedger(db())).ok).toBe(true);
  });

  it('a replayed push pays nothing twice', async () => {
    const res = await push([sale('S-1', 100_000)]);
    expect(res.json().results[0].result).toBe('duplicate');
    await drainRewards(db(), TZ);
    expect((await wallet('G1')).frozenFen).toBe('2000');
    const [n] = await queryRows<{ n: string }>(db(), sql`select count(*)::text as n from reward_payouts`);
    expect(n!.n).toBe('3');
  });

  it('staff see why each member was or was not paid, replayed from the stored inputs', async () => {
    const eventId = await eventIdOf('S-1');
    const replay = (await ctx.app.inject({ method: 'GET', url: `/api/admin/rewards/events/${eventId}`, headers: bearer(owner.token) })).json();
    expect(replay.consistent).toBe(true);
    expect(replay.result.totalFen).toBe('4500');
    const why = async (k: keyof typeof m) => (await ctx.app.inject({ method: 'GET', url: `/api/admin/rewards/events/${eventId}/why?memberId=${m[k].memberId}`, headers: bearer(owner.token) })).json();
    const g3 = await why('G3');
    expect(g3.position).toBe('第3代');
    expect(g3.decisions.map((d: { source: { kind: string }; paid: boolean; reason: string }) => [d.source.kind, d.paid, d.reason])).toEqual(
      expect.arrayContaining([['peer_bonus', true, 'paid']]),
    );
    expect((await why('X')).position).toContain('不在');
    expect((await why('M')).position).toContain('事件本人');
    const member = await ctx.app.inject({ method: 'GET', url: `/api/admin/rewards/events/${eventId}`, headers: bearer(m.G1.token) });
    expect(member.statusCode).toBe(403);
  });

  it('members list their own payout lines only', async () => {
    const mine = (await ctx.app.inject({ method: 'GET', url: '/api/member/rewards', headers: bearer(m.G1.token) })).json();
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0].position).toBe('直推');
    expect(mine.items[0].amountFen).toBe('2000');
    const other = (await ctx.app.inject({ method: 'GET', url: '/api/member/rewards', headers: bearer(m.X.token) })).json();
    expect(other.items).toHaveLength(0);
  });

  it('a refund claws back every payout of its sale; the wallets net back to where they were', async () => {
    const res = await push([refund('R-1', 'S-1', 40_000)]);
    expect(res.json().results[0].result).toBe('accepted');
    await drainRewards(db(), TZ);
    for (const k of ['G1', 'G2', 'G3'] as const) expect((await wallet(k)).frozenFen).toBe('0');
    const lines = (await ctx.app.inject({ method: 'GET', url: '/api/member/rewards', headers: bearer(m.G1.token) })).json();
    expect(lines.items[0].clawedBack).toBe(true);
    expect(lines.items[0].text).toContain('已收回');
    const clawback = (await statement('G1')).items.find((l: { type: string }) => l.type === 'clawback');
    expect(clawback.amountFen).toBe('-2000');
    // A second partial refund of the same sale finds nothing left to take back.
    await push([refund('R-2', 'S-1', 10_000)]);
    await drainRewards(db(), TZ);
    expect((await wallet('G1')).frozenFen).toBe('0');
    expect((await wallet('G1')).availableFen).toBe('0');
    expect((await verifyLedger(db())).ok).toBe(true);
  });

  it('a refund listed before its own sale in one push still claws back everything the sale paid', async () => {
    const res = await push([refund('R-9', 'S-9', 100_000), sale('S-9', 100_000)]);
    expect(res.json().results.map((r: { result: string }) => r.result)).toEqual(['accepted', 'accepted']);
    await drainRewards(db(), TZ);
    for (const k of ['G1', 'G2', 'G3'] as const) expect((await wallet(k)).frozenFen).toBe('0');
    const [e] = await queryRows<{ paid: string; clawed: boolean }>(db(), sql`
      select total_fen::text as paid, clawed_back_at is not null as clawed from reward_events where event_id = ${await eventIdOf('S-9')}`);
    expect(e).toEqual({ paid: '4500', clawed: true });
    expect((await verifyLedger(db())).ok).toBe(true);
  });

  it('a refunded sale that paid nobody is marked refunded too, so simulations leave it out', async () => {
    // X has no upline: its sale pays nothing, and its refund has nothing to take back.
    const bound = await ctx.app.inject({ method: 'PUT', url: '/api/admin/channels/acme/merchants/M-X', headers: bearer(owner.token), payload: { memberId: m.X.memberId } });
    expect(bound.statusCode, bound.body).toBe(200);
    await push([{ ...sale('SX-1', 100_000), merchant_ref: 'M-X' }]);
    await push([{ ...refund('RX-1', 'SX-1', 100_000), merchant_ref: 'M-X' }]);
    await drainRewards(db(), TZ);
    const [e] = await queryRows<{ paid: string; clawed: boolean; entry: string | null }>(db(), sql`
      select total_fen::text as paid, clawed_back_at is not null as clawed, clawback_entry_id::text as entry from reward_events where event_id = ${await eventIdOf('SX-1')}`);
    expect(e).toEqual({ paid: '0', clawed: true, entry: null });
  });
});

describe('fees and purchases', () => {
  it('an onboarding fee pays the default 直推 20% and 间推 10% to active inviters', async () => {
    await db().transaction((tx) =>
      emitEvents(tx, [{ type: 'onboarding_fee_paid', subject: `member:${m.M.memberId}`, payload: { memberId: m.M.memberId, orderId: 9001, orderNo: 'EF9001', amountFen: '99900', paidAt: new Date().toISOString() } }]),
    );
    await drainRewards(db(), TZ);
    expect((await wallet('G1')).frozenFen).toBe('19980');
    expect((await wallet('G2')).frozenFen).toBe('9990');
    expect((await wallet('G3')).frozenFen).toBe('0');
  });
});

describe('rule sets: drafts, ceilings, publishing, simulation, the rules page', () => {
  const get = (url: string, token = owner.token) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) });

  it('a ladder edit that would lift the published rules past their ceiling is refused with the worst case; nothing is saved', async () => {
    const active = (await get('/api/admin/rewards/rule-sets/active')).json();
    const ceiling: number = active.body.ceilings.transaction_settled;
    const ladder = (await get('/api/admin/levels')).json() as { version: number; levels: { holders?: number; rank: number; rateProfitSharePpm: number }[] };
    const levels = ladder.levels.map(({ holders: _h, ...l }) => l);
    const top = levels.reduce((a, b) => (a.rank > b.rank ? a : b));
    const save = (rate: number) =>
      ctx.app.inject({ method: 'PUT', url: '/api/admin/levels', headers: bearer(owner.token), payload: { version: ladder.version, levels: levels.map((l) => (l === top ? { ...l, rateProfitSharePpm: rate } : l)) } });
    const refused = await save(ceiling + 1);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error.code).toBe('VALIDATION_FAILED');
    expect(refused.json().error.message).toContain('超过单笔封顶');
    expect(refused.json().error.details.worstCase[0]).toMatchObject({ trigger: 'transaction_settled', ceilingPpm: ceiling });
    expect((await get('/api/admin/levels')).json().version).toBe(ladder.version);
    // A rate the rules can carry is saved (and put back).
    const saved = await save(top.rateProfitSharePpm + 1);
    expect(saved.statusCode, saved.body).toBe(200);
    const back = await ctx.app.inject({ method: 'PUT', url: '/api/admin/levels', headers: bearer(owner.token), payload: { version: saved.json().version, levels } });
    expect(back.statusCode, back.body).toBe(200);
  });

  it('a ladder edit that would leave the published rules naming a missing rank is refused; nothing is saved', async () => {
    const active = (await get('/api/admin/rewards/rule-sets/active')).json();
    const peerRank: number = active.body.profitShare.peer.minRank;
    expect(active.body.profitShare.peer.enabled).toBe(true);
    const ladder = (await get('/api/admin/levels')).json() as { version: number; levels: { holders?: number; rank: number }[] };
    const levels = ladder.levels.map(({ holders: _h, ...l }) => l);
    // Every level from the one the peer bonus starts at moves one rank up (the ladder's own conditions follow it):
    // a valid ladder, but no level has the rank the rules name any more.
    const up = (rank: number) => (rank >= peerRank ? rank + 1 : rank);
    type Conditions = { conditions: { minLevelRank?: number | null }[] };
    const follow = (c: Conditions) => ({ ...c, conditions: c.conditions.map((x) => (x.minLevelRank ? { ...x, minLevelRank: up(x.minLevelRank) } : x)) });
    const shifted = (levels as (typeof levels[number] & { upgrade: Conditions; keep: Conditions })[]).map((l) => ({ ...l, rank: up(l.rank), upgrade: follow(l.upgrade), keep: follow(l.keep) }));
    const refused = await ctx.app.inject({ method: 'PUT', url: '/api/admin/levels', headers: bearer(owner.token), payload: { version: ladder.version, levels: shifted } });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error.code).toBe('VALIDATION_FAILED');
    expect(refused.json().error.message).toContain('引用不存在的等级');
    expect(refused.json().error.details.problems).toEqual([{ field: 'profitShare.peer.minRank', message: `平级奖的最低等级序号 ${peerRank} 不存在` }]);
    expect((await get('/api/admin/levels')).json().version).toBe(ladder.version);
    // A change that breaks both a ceiling and a rank reference is refused once, naming both.
    const ceiling: number = active.body.ceilings.transaction_settled;
    const topRank = Math.max(...shifted.map((l) => l.rank));
    const both = await ctx.app.inject({ method: 'PUT', url: '/api/admin/levels', headers: bearer(owner.token), payload: { version: ladder.version, levels: shifted.map((l) => (l.rank === topRank ? { ...l, rateProfitSharePpm: ceiling + 1 } : l)) } });
    expect(both.statusCode, both.body).toBe(400);
    expect(both.json().error.message).toContain('超过单笔封顶');
    expect(both.json().error.message).toContain('引用不存在的等级');
    expect(both.json().error.details.problems.map((p: { field: string }) => p.field)).toEqual(['ceilings.transaction_settled', 'profitShare.peer.minRank']);
    expect((await get('/api/admin/levels')).json().version).toBe(ladder.version);
  });

  it('a draft that could pay more than its ceiling is refused with the worst case; nothing is saved', async () => {
    const active = (await get('/api/admin/rewards/rule-sets/active')).json();
    const body = structuredClone(active.body);
    body.rules[0].amount.ppm = 500_000; // 50% + 10% > 40% ceiling on onboarding fees
    const res = await ctx.app.inject({ method: 'PUT', url: '/api/admin/rewards/draft', headers: bearer(owner.token), payload: { basedOn: active.version, body } });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toContain('超过单笔封顶');
    const worst = res.json().error.details.worstCase.find((w: { trigger: string }) => w.trigger === 'onboarding_fee_paid');
    expect(worst.ppm).toBe(600_000);
    expect((await get('/api/admin/rewards/draft')).json().draft).toBeNull();
  });

  it('viewers cannot edit rules (403); members cannot reach the console API', async () => {
    const viewer = await ctx.staffToken(['viewer']);
    const res = await ctx.app.inject({ method: 'PUT', url: '/api/admin/rewards/draft', headers: bearer(viewer.token), payload: {} });
    expect(res.statusCode).toBe(403);
    expect((await get('/api/admin/rewards/draft', viewer.token)).statusCode).toBe(200);
    expect((await get('/api/admin/rewards/draft', m.G1.token)).statusCode).toBe(403);
  });

  it('draft → simulate → publish: new events are paid by the new version and name it', async () => {
    const active = (await get('/api/admin/rewards/rule-sets/active')).json();
    const body = structuredClone(active.body);
    body.profitShare.peer.ppm = 10_000; // peer bonus 0.5% → 1%
    const saved = await ctx.app.inject({ method: 'PUT', url: '/api/admin/rewards/draft', headers: bearer(owner.token), payload: { basedOn: active.version, note: '平级奖 1%', body } });
    expect(saved.statusCode, saved.body).toBe(200);
    let draftVersion: number = saved.json().version;

    await push([sale('S-2', 200_000)]);
    await drainRewards(db(), TZ);
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const sim = await ctx.app.inject({ method: 'POST', url: '/api/admin/rewards/simulate', headers: bearer(owner.token), payload: { from, to } });
    expect(sim.statusCode, sim.body).toBe(200);
    const r = sim.json();
    // S-1, S-9 and X's sale were refunded (left out); S-2 (¥2,000) and the fee remain. Peer: 1,000 fen published, 2,000 draft.
    const peerDiff = r.difference.byRule.find((x: { key: string }) => x.key === 'peer_bonus');
    expect(peerDiff).toMatchObject({ publishedFen: '1000', draftFen: '2000', differenceFen: '1000' });
    expect(r.events).toBe(2);

    // The same simulation from the command line.
    const { commands } = await import('../../src/cli/commands.js');
    const { loadConfig } = await import('../../src/config.js');
    const command = commands.find((c) => c.name === 'simulate-rules')! as { run(ctx: unknown): Promise<number> };
    const out: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void out.push(args.join(' '));
    try {
      expect(await command.run({ database: ctx.database, config: loadConfig({ PLATFORM_TIMEZONE: TZ }), hasher: null, values: { from, to } })).toBe(0);
    } finally {
      console.log = log;
    }
    expect(out[0]).toMatch(/^2 event\(s\)/);
    expect(out.find((l) => l.startsWith('平级奖'))).toMatch(/20\.00\s+10\.00\s+10\.00$/);

    // A colleague edits the draft after it was simulated: publishing the version that was reviewed is refused.
    const edited = await ctx.app.inject({ method: 'PUT', url: '/api/admin/rewards/draft', headers: bearer(owner.token), payload: { basedOn: active.version, note: '平级奖 1%（复核后）', body } });
    expect(edited.json().version).not.toBe(draftVersion);
    const stale = await ctx.app.inject({ method: 'POST', url: '/api/admin/rewards/draft/publish', headers: bearer(owner.token), payload: { draftVersion } });
    expect(stale.statusCode).toBe(409);
    draftVersion = edited.json().version;
    const published = await ctx.app.inject({ method: 'POST', url: '/api/admin/rewards/draft/publish', headers: bearer(owner.token), payload: { draftVersion } });
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json().state).toBe('published');
    const [audit] = await queryRows<{ n: string }>(db(), sql`select count(*)::text as n from audit_log where action = 'rewards.published'`);
    expect(audit!.n).toBe('1');
    const versions = (await get('/api/admin/rewards/rule-sets?limit=1')).json();
    expect(versions.items.map((v: { version: number; state: string }) => [v.version, v.state])).toEqual([[draftVersion, 'published']]);
    const older = (await get(`/api/admin/rewards/rule-sets?cursor=${versions.nextCursor}`)).json();
    expect(older.items.map((v: { state: string }) => v.state)).toEqual(['retired']);

    await push([sale('S-3', 200_000)]);
    await drainRewards(db(), TZ);
    const [p] = await queryRows<{ version: number; amount_fen: string }>(db(), sql`
      select p.version, p.amount_fen::text from reward_payouts p join reward_events e on e.event_id = p.event_id
      where p.kind = 'peer_bonus' order by p.id desc limit 1`);
    expect(p).toEqual({ version: draftVersion, amount_fen: '2000' });
  });

  it('stored inputs keep all three ancestors, so a draft reaching further than the published set is simulated in full', async () => {
    const publish = async (reach: number, note: string) => {
      const active = (await get('/api/admin/rewards/rule-sets/active')).json();
      const body = { ...structuredClone(active.body), reach };
      const saved = await ctx.app.inject({ method: 'PUT', url: '/api/admin/rewards/draft', headers: bearer(owner.token), payload: { basedOn: active.version, note, body } });
      expect(saved.statusCode, saved.body).toBe(200);
      return saved.json().version as number;
    };
    const narrow = await publish(2, '两代');
    expect((await ctx.app.inject({ method: 'POST', url: '/api/admin/rewards/draft/publish', headers: bearer(owner.token), payload: { draftVersion: narrow } })).statusCode).toBe(200);
    const from = new Date(Date.now() - 1000).toISOString();
    await push([{ ...sale('S-5', 100_000), occurred_at: new Date().toISOString() }]); // the only event in the window
    await drainRewards(db(), TZ);
    // Reach 2: G3, the third generation (金牌 like G2), gets no peer bonus.
    const [paid] = await queryRows<{ n: string }>(db(), sql`select count(*)::text as n from reward_payouts where event_id = ${await eventIdOf('S-5')} and member_id = ${m.G3.memberId}`);
    expect(paid!.n).toBe('0');
    // A reach-3 draft, simulated on that sale, pays G3 its 1% peer bonus.
    const wide = await publish(3, '三代');
    const sim = await ctx.app.inject({ method: 'POST', url: '/api/admin/rewards/simulate', headers: bearer(owner.token), payload: { from, to: new Date(Date.now() + 60_000).toISOString() } });
    expect(sim.statusCode, sim.body).toBe(200);
    expect(sim.json().difference.byRule.find((x: { key: string }) => x.key === 'peer_bonus')).toMatchObject({ publishedFen: '0', draftFen: '1000', differenceFen: '1000' });
    expect((await ctx.app.inject({ method: 'POST', url: '/api/admin/rewards/draft/publish', headers: bearer(owner.token), payload: { draftVersion: wide } })).statusCode).toBe(200);
  });

  it('the console reads the registered building blocks of rules, with JSON schemas of their arguments', async () => {
    const res = await get('/api/admin/rewards/definitions');
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json();
    expect(d.recipients.map((r: { code: string }) => r.code)).toEqual(['ancestor', 'nearest_ancestor_with_level', 'each_ancestor']);
    const generation = d.recipients[0].args.properties.generation;
    expect([generation.minimum, generation.maximum]).toEqual([1, 3]);
    expect(d.conditions.map((c: { code: string }) => c.code)).toContain('min_increment');
    expect(d.conditions.find((c: { code: string }) => c.code === 'min_team_performance').label.zh).toBe('团队业绩不低于');
  });

  it('a draft whose conditions read performance is simulated on the month figures (the stored inputs had none)', async () => {
    const active = (await get('/api/admin/rewards/rule-sets/active')).json();
    const body = structuredClone(active.body);
    body.profitShare.conditions = [{ code: 'min_team_performance', args: { period: 'this_month', minFen: '100000000' } }];
    const saved = await ctx.app.inject({ method: 'PUT', url: '/api/admin/rewards/draft', headers: bearer(owner.token), payload: { basedOn: active.version, body } });
    expect(saved.statusCode, saved.body).toBe(200);
    const sim = await ctx.app.inject({ method: 'POST', url: '/api/admin/rewards/simulate', headers: bearer(owner.token), payload: { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() } });
    expect(sim.statusCode, sim.body).toBe(200);
    // Nobody's team sold ¥1,000,000 this month: the draft pays no profit share or peer bonus, only the fee rules.
    const r = sim.json();
    expect(r.draft.byRule.map((x: { key: string }) => x.key).sort()).toEqual(['rule:fee-direct', 'rule:fee-indirect']);
    expect(BigInt(r.published.totalFen)).toBeGreaterThan(BigInt(r.draft.totalFen));
    expect((await ctx.app.inject({ method: 'DELETE', url: '/api/admin/rewards/draft', headers: bearer(owner.token) })).statusCode).toBe(204);
  });

  it('members read the active rules in plain words', async () => {
    const res = await get('/api/member/rules', m.G1.token);
    expect(res.statusCode).toBe(200);
    const rules = res.json();
    expect(rules.sections.find((s: { trigger: string }) => s.trigger === 'onboarding_fee_paid').rules[0].text).toContain('20%');
    expect(rules.profitShare.text).toContain('级差分润');
    expect(rules.profitShare.peer).toContain('1%');
    expect(rules.limits[0]).toContain('只有已激活');
  });
});

describe('batch pushes', () => {
  it('pay their sales in their own transaction; the consumer is handed only what the push did not pay', async () => {
    const inlineFlags = async (ids: string[]) =>
      (await queryRows<{ type: string; applied_inline: boolean }>(db(), sql`
        select e.type, e.applied_inline from outbox_events e join channel_transactions t on e.subject = 'channel_transaction:' || t.id
        where t.channel_txn_id = any(${`{${ids.join(',')}}`}::text[])`)).map((r) => `${r.type}:${r.applied_inline}`);
    const recorded = async (pattern: string) =>
      Number((await queryRows<{ n: string }>(db(), sql`
        select count(*)::text as n from reward_events e join channel_transactions t on e.subject = 'channel_transaction:' || t.id
        where t.channel_txn_id like ${pattern}`))[0]!.n);
    const paidTo = async (k: keyof typeof m, pattern: string) =>
      BigInt((await queryRows<{ fen: string }>(db(), sql`
        select coalesce(sum(p.amount_fen), 0)::text as fen from reward_payouts p
        join reward_events e on e.event_id = p.event_id join channel_transactions t on e.subject = 'channel_transaction:' || t.id
        where p.member_id = ${m[k].memberId} and p.clawed_back_at is null and t.channel_txn_id like ${pattern}`))[0]!.fen);
    await drainRewards(db(), TZ);
    const before = BigInt((await wallet('G1')).frozenFen);

    const sales = Array.from({ length: 20 }, (_, i) => `B-${i + 1}`);
    expect((await push(sales.map((id) => sale(id, 100_000)))).json().summary.accepted).toBe(20);
    // Paid by the time the push answers, before any consumer ran, and marked so the consumer never reads them.
    expect(await recorded('B-%')).toBe(20);
    expect(new Set(await inlineFlags(sales))).toEqual(new Set(['transaction_settled:true']));

    const more = Array.from({ length: 19 }, (_, i) => `C-${i + 1}`);
    const mixed = await push([refund('BR-1', 'B-1', 100_000), ...more.map((id) => sale(id, 100_000))]);
    expect(mixed.json().summary.accepted).toBe(20);
    expect(await recorded('C-%')).toBe(19);
    // The refund is the consumer's.
    expect(await inlineFlags(['BR-1'])).toEqual(['transaction_refunded:false']);
    expect(await recorded('BR-%')).toBe(0);
    await drainRewards(db(), TZ);
    expect(await recorded('BR-%')).toBe(1);
    expect(await paidTo('G1', 'B-1')).toBe(0n);
    // Nothing paid twice: G1 holds exactly its lines of the 38 sales that stand.
    const standing = (await paidTo('G1', 'B-%')) + (await paidTo('G1', 'C-%'));
    expect(standing).toBeGreaterThan(0n);
    expect(BigInt((await wallet('G1')).frozenFen) - before).toBe(standing);
    expect((await verifyLedger(db())).ok).toBe(true);
  });

  it('pay from the same events the outbox stores for the other consumers', async () => {
    // A local time with an offset and microseconds: the event the push builds for itself must read it as the stored one does.
    const at = new Date(Date.now() + 8 * 3600_000).toISOString().replace('Z', '456+08:00');
    const ids = Array.from({ length: 25 }, (_, i) => `OB-${i + 1}`);
    expect((await push(ids.map((id, i) => ({ ...sale(id, 10_000 + i), occurred_at: at })))).json().summary.accepted).toBe(25);
    const rows = await queryRows<{ same: boolean }>(db(), sql`
      select r.event_id = o.id and r.kind = o.type and r.subject = o.subject and r.member_id = (o.payload->>'memberId')::bigint
          and r.base_fen = (o.payload->>'amountFen')::bigint and r.occurred_at = (o.payload->>'occurredAt')::timestamptz
          and r.base_fen = t.amount and r.occurred_at = date_trunc('milliseconds', t.occurred_at) and o.payload->>'channelTxnId' = t.channel_txn_id as same
      from channel_transactions t
      join outbox_events o on o.subject = 'channel_transaction:' || t.id
      join reward_events r on r.event_id = o.id
      where t.channel_txn_id like 'OB-%'`);
    expect(rows).toHaveLength(25);
    expect(rows.every((r) => r.same)).toBe(true);
  });
});

describe('statement words', () => {
  const get = (url: string, token = owner.token) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) });

  it('every line a member reads says exactly what the engine said when it paid: rules, profit share, peer bonus, cuts, every version', async () => {
    // A member cap, so a line carries a cut: what G2 has earned today plus ¥15.00, so its ¥20.00 share of the next sale is cut by ¥5.00.
    const [today] = await queryRows<{ fen: string }>(db(), sql`
      select coalesce(sum(amount_fen), 0)::text as fen from reward_payouts
      where member_id = ${m.G2.memberId} and day = (now() at time zone ${TZ})::date and clawed_back_at is null`);
    const active = (await get('/api/admin/rewards/rule-sets/active')).json();
    const body = structuredClone(active.body);
    body.memberCaps.dailyFen = String(BigInt(today!.fen) + 1500n);
    const saved = await ctx.app.inject({ method: 'PUT', url: '/api/admin/rewards/draft', headers: bearer(owner.token), payload: { basedOn: active.version, note: '每日封顶 ¥15', body } });
    expect(saved.statusCode, saved.body).toBe(200);
    const published = await ctx.app.inject({ method: 'POST', url: '/api/admin/rewards/draft/publish', headers: bearer(owner.token), payload: { draftVersion: saved.json().version } });
    expect(published.statusCode, published.body).toBe(200);
    await push([sale('W-1', 100_000)]);
    await drainRewards(db(), TZ);

    // What the engine says, replayed from each event's stored inputs, per (event, member, source, position).
    const events = await queryRows<{ event_id: string }>(db(), sql`select distinct event_id::text from reward_payouts where clawed_back_at is null`);
    const said = new Map<string, string>();
    for (const { event_id } of events) {
      const replay = (await get(`/api/admin/rewards/events/${event_id}`)).json();
      expect(replay.consistent).toBe(true);
      for (const p of replay.result.payouts) said.set(`${event_id}|${p.memberId}|${p.source.kind}|${p.generation}`, p.text);
    }
    const lines: { eventId: number; memberId: number; kind: string; generation: number; text: string; cuts: unknown[] }[] = [];
    for (const k of ['G3', 'G2', 'G1'] as const) {
      for (let cursor: string | null = null, first = true; first || cursor; first = false) {
        const page: { items: (Omit<(typeof lines)[number], 'memberId'> & { clawedBack: boolean })[]; nextCursor: string | null } = (await get(`/api/member/rewards?limit=50${cursor ? `&cursor=${cursor}` : ''}`, m[k].token)).json();
        for (const l of page.items) if (!l.clawedBack) lines.push({ ...l, memberId: m[k].memberId });
        cursor = page.nextCursor;
      }
    }
    expect(lines.length).toBe(said.size);
    for (const l of lines) expect(l.text).toBe(said.get(`${l.eventId}|${l.memberId}|${l.kind}|${l.generation}`));
    const kinds = new Set(lines.map((l) => l.kind));
    expect([...kinds].sort()).toEqual(['peer_bonus', 'profit_share', 'rule']);
    const cut = lines.find((l) => l.memberId === m.G2.memberId && l.cuts.length > 0)!;
    expect(cut.text).toMatch(/每日收益封顶扣减 ¥5\.00 · 实得 ¥15\.00$/);
    // The words are said from the line's columns, not stored with it.
    const [stored] = await queryRows<{ n: string }>(db(), sql`select count(*)::text as n from reward_payouts where text is not null`);
    expect(stored!.n).toBe('0');
    // Lines written before that keep the words they were stored with.
    await db().execute(sql`update reward_payouts set text = '旧版说明' where member_id = ${m.G2.memberId} and event_id = ${cut.eventId}`);
    const first = (await get('/api/member/rewards?limit=1', m.G2.token)).json();
    expect(first.items[0].text).toBe('旧版说明');
  });
});
