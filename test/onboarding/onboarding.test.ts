import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { bearer, createTestContext, type TestContext } from '../helpers/app.js';
import { formFor, idNumber, licenceNo, pngBytes, submitCompleteApplication } from '../helpers/onboarding.js';

let ctx: TestContext;
let risk: { token: string };
let owner: { token: string };
let viewer: { token: string };
let ops: { token: string };
let phoneSeq = 0;
const nextPhone = () => `136${String(++phoneSeq).padStart(8, '0')}`;

beforeAll(async () => {
  ctx = await createTestContext({ UPLOAD_MAX_BYTES: String(64 * 1024) });
  risk = await ctx.staffToken(['risk']);
  owner = await ctx.staffToken(['owner']);
  viewer = await ctx.staffToken(['viewer']);
  ops = await ctx.staffToken(['ops']);
});
afterAll(() => ctx.close());

const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) });
const post = (url: string, token: string, payload?: object) => ctx.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
const mine = async (token: string) => (await get('/api/member/onboarding', token)).json();

describe('the onboarding state machine', () => {
  it('runs draft → submitted → rejected → submitted → approved → fee_pending → active, keeping every revision and transition', async () => {
    const m = await ctx.registerMember(nextPhone());
    expect((await mine(m.token)).application).toMatchObject({ state: 'none', missing: expect.arrayContaining(['businessName', 'licence']) });

    // A partial draft saves; submitting it says what is missing and changes nothing.
    const draft = await ctx.app.inject({ method: 'PUT', url: '/api/member/onboarding', headers: bearer(m.token), payload: { businessName: '老王面馆' } });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json()).toMatchObject({ state: 'draft', fields: { businessName: '老王面馆' } });
    const early = await post('/api/member/onboarding/submit', m.token);
    expect(early.statusCode).toBe(400);
    expect(early.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { missing: expect.arrayContaining(['licenceNo', 'idNumber', 'storefront']) } });
    expect((await mine(m.token)).application.state).toBe('draft');

    const submitted = await submitCompleteApplication(ctx, m.token, 1001);
    expect(submitted).toMatchObject({ state: 'submitted', revision: 1, missing: [] });

    // Locked while under review.
    const edit = await ctx.app.inject({ method: 'PUT', url: '/api/member/onboarding', headers: bearer(m.token), payload: { category: '零售' } });
    expect(edit.statusCode).toBe(409);
    const upload = await ctx.app.inject({ method: 'PUT', url: '/api/member/onboarding/files/licence', headers: { ...bearer(m.token), 'content-type': 'image/png' }, payload: pngBytes() });
    expect(upload.statusCode).toBe(409);
    expect((await post('/api/member/onboarding/submit', m.token)).json().error.code).toBe('INVALID_TRANSITION');

    // A rejection needs a reason; the member reads it.
    expect((await post(`/api/admin/onboarding/${m.memberId}/reject`, risk.token, {})).statusCode).toBe(400);
    const rejected = await post(`/api/admin/onboarding/${m.memberId}/reject`, risk.token, { reason: '门头照片模糊，请重新拍摄' });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect((await mine(m.token)).application).toMatchObject({ state: 'rejected', reviewReason: '门头照片模糊，请重新拍摄' });
    // A rejected application cannot be approved without being resubmitted.
    expect((await post(`/api/admin/onboarding/${m.memberId}/approve`, risk.token, {})).json().error.code).toBe('INVALID_TRANSITION');

    // Fix and resubmit: revision 2, the first one and its decision are kept.
    const fix = await ctx.app.inject({ method: 'PUT', url: '/api/member/onboarding/files/storefront', headers: { ...bearer(m.token), 'content-type': 'image/png' }, payload: pngBytes(5000) });
    expect(fix.statusCode).toBe(201);
    const again = await post('/api/member/onboarding/submit', m.token);
    expect(again.json()).toMatchObject({ state: 'submitted', revision: 2, reviewReason: null });

    const approved = await post(`/api/admin/onboarding/${m.memberId}/approve`, risk.token, { reason: '资料齐全' });
    expect(approved.json().state).toBe('approved');
    for (const bad of ['approve', 'reject']) {
      const res = await post(`/api/admin/onboarding/${m.memberId}/${bad}`, risk.token, { reason: '再来一次' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('INVALID_TRANSITION');
    }

    // The entry fee: opening the order moves to fee_pending; asking again hands out the same order.
    const order = await post('/api/member/payments', m.token, { purpose: 'entry_fee' });
    expect(order.statusCode, order.body).toBe(201);
    expect((await mine(m.token)).application.state).toBe('fee_pending');
    const same = await post('/api/member/payments', m.token, { purpose: 'entry_fee' });
    expect(same.json().orderNo).toBe(order.json().orderNo);

    // Paying on the sandbox page activates the member and emits onboarding_fee_paid once.
    const pay = await ctx.app.inject({ method: 'POST', url: `${order.json().checkoutUrl}/pay` });
    expect(pay.statusCode).toBe(303);
    const after = await mine(m.token);
    expect(after.application).toMatchObject({ state: 'active', activatedAt: expect.any(String) });
    expect(after.history.map((h: { toState: string }) => h.toState)).toEqual(['submitted', 'rejected', 'submitted', 'approved', 'fee_pending', 'active']);
    const events = await queryRows<{ payload: { memberId: number; amountFen: string } }>(ctx.database.db, sql`select payload from outbox_events where type = 'onboarding_fee_paid' and subject = ${`member:${m.memberId}`}`);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ memberId: m.memberId, amountFen: '99900' });
    const third = await post('/api/member/payments', m.token, { purpose: 'entry_fee' });
    expect(third.statusCode).toBe(409);

    // Staff see both revisions, each decision, and an audited trail.
    const detail = (await get(`/api/admin/onboarding/${m.memberId}`, viewer.token)).json();
    expect(detail.revisions).toMatchObject([
      { revision: 1, decision: 'rejected', decisionReason: '门头照片模糊，请重新拍摄' },
      { revision: 2, decision: 'approved' },
    ]);
    expect(detail.history.at(-1)).toMatchObject({ fromState: 'fee_pending', toState: 'active', actorKind: 'system' });
    const audit = await queryRows<{ action: string }>(ctx.database.db, sql`select action from audit_log where target_type = 'member' and target_id = ${String(m.memberId)} and action like 'onboarding.%' order by id`);
    expect(audit.map((a) => a.action)).toEqual(['onboarding.submitted', 'onboarding.rejected', 'onboarding.submitted', 'onboarding.approved', 'onboarding.fee_pending', 'onboarding.active']);
  });

  it('the entry fee cannot be paid before approval', async () => {
    const m = await ctx.registerMember(nextPhone());
    const before = await post('/api/member/payments', m.token, { purpose: 'entry_fee' });
    expect(before.statusCode).toBe(409);
    await submitCompleteApplication(ctx, m.token, 1002);
    expect((await post('/api/member/payments', m.token, { purpose: 'entry_fee' })).statusCode).toBe(409);
    const orders = await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from payment_orders where member_id = ${m.memberId}`);
    expect(Number(orders[0]!.n)).toBe(0);
  });

  it('only risk and owner review; other staff and members are refused', async () => {
    const m = await ctx.registerMember(nextPhone());
    await submitCompleteApplication(ctx, m.token, 1003);
    for (const token of [viewer.token, ops.token]) expect((await post(`/api/admin/onboarding/${m.memberId}/approve`, token, {})).statusCode).toBe(403);
    expect((await post(`/api/admin/onboarding/${m.memberId}/approve`, m.token, {})).statusCode).toBe(403);
    expect((await post(`/api/admin/onboarding/${m.memberId}/approve`, owner.token, {})).json().state).toBe('approved');
  });
});

describe('form validation', () => {
  it('refuses a wrong licence check digit, a wrong ID check digit or birth date, and a bad phone, writing nothing', async () => {
    const m = await ctx.registerMember(nextPhone());
    const good = licenceNo(7);
    const cases: Record<string, string> = {
      licenceNo: good.slice(0, 17) + (good[17] === 'A' ? 'B' : 'A'),
      idNumber: '110105194912310021',
      contactPhone: '12345',
      bankAccountNo: '12ab',
    };
    for (const [field, value] of Object.entries(cases)) {
      const res = await ctx.app.inject({ method: 'PUT', url: '/api/member/onboarding', headers: bearer(m.token), payload: { ...formFor(7), [field]: value } });
      expect(res.statusCode, field).toBe(400);
      expect(JSON.stringify(res.json().error.details), field).toContain(field);
    }
    expect((await mine(m.token)).application.state).toBe('none');
    const unknown = await ctx.app.inject({ method: 'PUT', url: '/api/member/onboarding', headers: bearer(m.token), payload: { state: 'active' } });
    expect(unknown.statusCode).toBe(400);
  });
});

describe('sensitive fields', () => {
  it('are encrypted at rest and masked for everyone but risk and owner', async () => {
    const m = await ctx.registerMember(nextPhone());
    await submitCompleteApplication(ctx, m.token, 2001);
    const id = idNumber(2001);
    const account = formFor(2001).bankAccountNo;

    const [row] = await queryRows<Record<string, unknown>>(ctx.database.db, sql`select * from onboarding_applications where member_id = ${m.memberId}`);
    expect(JSON.stringify(row)).not.toContain(id);
    expect(JSON.stringify(row)).not.toContain(account);
    const [rev] = await queryRows<Record<string, unknown>>(ctx.database.db, sql`select snapshot from onboarding_revisions where member_id = ${m.memberId}`);
    expect(JSON.stringify(rev)).not.toContain(id);

    const masked = (fields: Record<string, string>) => {
      expect(fields.idNumber).not.toContain(id.slice(0, 14));
      expect(fields.idNumber!.endsWith(id.slice(-4))).toBe(true);
      expect(fields.bankAccountNo).not.toContain(account.slice(0, 10));
      expect(fields.bankAccountNo!.endsWith(account.slice(-4))).toBe(true);
    };
    masked((await mine(m.token)).application.fields);
    for (const token of [viewer.token, ops.token]) {
      const res = (await get(`/api/admin/onboarding/${m.memberId}`, token)).json();
      expect(res.application.revealed).toBe(false);
      masked(res.application.fields);
    }
    for (const token of [risk.token, owner.token]) {
      const res = (await get(`/api/admin/onboarding/${m.memberId}`, token)).json();
      expect(res.application).toMatchObject({ revealed: true, fields: { idNumber: id, bankAccountNo: account } });
    }
  });
});

describe('uploads', () => {
  it('take the type from the bytes, refuse other content, enforce the size limit and store nothing in clear', async () => {
    const m = await ctx.registerMember(nextPhone());
    const put = (kind: string, payload: Buffer, type = 'image/png') => ctx.app.inject({ method: 'PUT', url: `/api/member/onboarding/files/${kind}`, headers: { ...bearer(m.token), 'content-type': type }, payload });

    const script = Buffer.from(`<script>alert(1)</script>${'x'.repeat(3000)}`);
    const fake = await put('licence', script);
    expect(fake.statusCode).toBe(415);
    expect(fake.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await put('licence', pngBytes(200))).statusCode).toBe(400);
    const big = await put('licence', pngBytes(70 * 1024));
    expect(big.statusCode).toBe(413);
    expect((await put('passport', pngBytes())).statusCode).toBe(400);
    const json = await ctx.app.inject({ method: 'PUT', url: '/api/member/onboarding/files/licence', headers: bearer(m.token), payload: { a: 1 } });
    expect(json.statusCode).toBe(415);
    const files = await queryRows<{ n: unknown }>(ctx.database.db, sql`select count(*) as n from onboarding_files where member_id = ${m.memberId}`);
    expect(Number(files[0]!.n)).toBe(0);

    // A JPEG sent as octet-stream is recognised as a JPEG.
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4000, 7)]);
    const ok = await put('id_front', jpeg, 'application/octet-stream');
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ kind: 'id_front', mime: 'image/jpeg', size: jpeg.length });

    const [stored] = await queryRows<{ storage_key: string }>(ctx.database.db, sql`select storage_key from onboarding_files where id = ${ok.json().fileId}`);
    const onDisk = fs.readFileSync(path.join(ctx.config.uploadDir, stored!.storage_key));
    expect(onDisk.includes(jpeg.subarray(0, 64))).toBe(false);
    expect(path.resolve(ctx.config.uploadDir).startsWith(path.resolve('public'))).toBe(false);

    const back = await get(`/api/member/onboarding/files/${ok.json().fileId}`, m.token);
    expect(back.statusCode).toBe(200);
    expect(back.headers['content-type']).toBe('image/jpeg');
    expect(back.headers['cache-control']).toContain('no-store');
    expect(back.rawPayload.equals(jpeg)).toBe(true);
  });

  it('a member cannot fill the disk: uploads per member are limited', async () => {
    const m = await ctx.registerMember(nextPhone());
    const put = () => ctx.app.inject({ method: 'PUT', url: '/api/member/onboarding/files/storefront', headers: { ...bearer(m.token), 'content-type': 'image/png' }, payload: pngBytes() });
    for (let i = 0; i < 40; i++) expect((await put()).statusCode).toBe(201);
    const over = await put();
    expect(over.statusCode).toBe(409);
    expect(over.json().error.details).toMatchObject({ max: 40 });
    const onDisk = fs.readdirSync(path.join(ctx.config.uploadDir, String(m.memberId)));
    expect(onDisk).toHaveLength(40);
  });

  it("a member cannot read another member's application or files; only reviewers get files", async () => {
    const a = await ctx.registerMember(nextPhone());
    const b = await ctx.registerMember(nextPhone());
    await submitCompleteApplication(ctx, a.token, 3001);
    const fileId = (await mine(a.token)).application.files[0].fileId as number;

    expect((await get(`/api/member/onboarding/files/${fileId}`, b.token)).statusCode).toBe(404);
    expect((await get(`/api/admin/onboarding/${a.memberId}`, b.token)).statusCode).toBe(403);
    expect((await get(`/api/admin/onboarding/${a.memberId}/files/${fileId}`, b.token)).statusCode).toBe(403);
    // b's own view says nothing about a.
    expect(JSON.stringify(await mine(b.token))).not.toContain('测试小店3001');

    expect((await get(`/api/admin/onboarding/${a.memberId}/files/${fileId}`, viewer.token)).statusCode).toBe(403);
    expect((await get(`/api/admin/onboarding/${a.memberId}/files/${fileId}`, ops.token)).statusCode).toBe(403);
    expect((await get(`/api/admin/onboarding/${a.memberId}/files/${fileId}`, risk.token)).statusCode).toBe(200);
    // A file id under the wrong member is not found.
    expect((await get(`/api/admin/onboarding/${b.memberId}/files/${fileId}`, risk.token)).statusCode).toBe(404);
    expect((await get('/uploads/' + fileId, risk.token)).statusCode).toBe(404);
  });
});

describe('risk checks on submit', () => {
  const flagsOf = async (memberId: number) => (await get(`/api/admin/onboarding/${memberId}`, risk.token)).json().riskFlags as { code: string; evidence: Record<string, unknown> }[];

  it('a clean application has no flags', async () => {
    const m = await ctx.registerMember(nextPhone());
    // Every test registration comes from 127.0.0.1, which is a burst by itself.
    await ctx.database.db.execute(sql`update members set registration_ip = '192.0.2.44' where id = ${m.memberId}`);
    await submitCompleteApplication(ctx, m.token, 4001);
    expect(await flagsOf(m.memberId)).toEqual([]);
  });

  it('duplicate licence and duplicate ID number name the other member', async () => {
    const first = await ctx.registerMember(nextPhone());
    await submitCompleteApplication(ctx, first.token, 4002);
    const second = await ctx.registerMember(nextPhone());
    await submitCompleteApplication(ctx, second.token, 4003, { licenceNo: licenceNo(4002), idNumber: idNumber(4002) });
    const flags = await flagsOf(second.memberId);
    const lic = flags.find((f) => f.code === 'duplicate_licence')!;
    expect(lic.evidence).toMatchObject({ licenceNo: licenceNo(4002), members: [expect.objectContaining({ memberId: first.memberId, state: 'submitted' })] });
    const dup = flags.find((f) => f.code === 'duplicate_id_number')!;
    expect(dup.evidence.members).toEqual([expect.objectContaining({ memberId: first.memberId })]);
    expect(JSON.stringify(dup.evidence)).not.toContain(idNumber(4002));
    // Flags never decide: the application waits for a reviewer.
    expect((await mine(second.token)).application.state).toBe('submitted');
    expect((await get('/api/admin/onboarding?cursor=2025-13-40T99:00:00.000Z_1', viewer.token)).statusCode).toBe(400);
    // Pages follow each other without gaps or repeats, oldest submission first.
    const all = (await get('/api/admin/onboarding?state=submitted&limit=200', viewer.token)).json().items.map((i: { memberId: number }) => i.memberId);
    const paged: number[] = [];
    for (let cursor: string | null = null, n = 0; n < 50; n++) {
      const page: { items: { memberId: number }[]; nextCursor: string | null } = (await get(`/api/admin/onboarding?state=submitted&limit=1${cursor ? `&cursor=${cursor}` : ''}`, viewer.token)).json();
      paged.push(...page.items.map((i: { memberId: number }) => i.memberId));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(paged).toEqual(all);
    expect(all.length).toBeGreaterThan(1);
    const queue = (await get('/api/admin/onboarding?state=submitted&flagged=true', viewer.token)).json();
    expect(queue.items).toContainEqual(expect.objectContaining({ memberId: second.memberId, riskCodes: expect.arrayContaining(['duplicate_licence', 'duplicate_id_number']) }));
  });

  it('blacklist hits on phone, ID number, licence and IP each show the entry and its reason', async () => {
    const phone = nextPhone();
    const m = await ctx.registerMember(phone);
    await ctx.database.db.execute(sql`update members set registration_ip = '203.0.113.9' where id = ${m.memberId}`);
    const entries = [
      { kind: 'phone', value: phone, reason: '涉嫌套现' },
      { kind: 'id_number', value: idNumber(4004).toLowerCase(), reason: '冒用身份' },
      { kind: 'licence', value: ` ${licenceNo(4004)} `, reason: '执照已吊销' },
      { kind: 'ip', value: '203.0.113.9', reason: '代理 IP' },
    ];
    for (const e of entries) {
      const res = await post('/api/admin/risk/blacklist', risk.token, e);
      expect(res.statusCode, res.body).toBe(201);
    }
    expect((await post('/api/admin/risk/blacklist', risk.token, entries[0]!)).statusCode).toBe(409);
    const listed = (await get('/api/admin/risk/blacklist?kind=id_number', risk.token)).json().items;
    expect(listed[0].value).not.toContain(idNumber(4004).slice(0, 10));
    expect((await get('/api/admin/risk/blacklist', viewer.token)).statusCode).toBe(403);

    await submitCompleteApplication(ctx, m.token, 4004);
    const hits = (await flagsOf(m.memberId)).filter((f) => f.code === 'blacklist');
    expect(hits.map((h) => h.evidence.kind).sort()).toEqual(['id_number', 'ip', 'licence', 'phone']);
    expect(hits.find((h) => h.evidence.kind === 'licence')!.evidence).toMatchObject({ reason: '执照已吊销', value: licenceNo(4004) });
    expect(hits.find((h) => h.evidence.kind === 'ip')!.evidence).toMatchObject({ reason: '代理 IP', value: '203.0.113.9' });
  });

  it('registration bursts from one IP and from one device are flagged with the accounts involved', async () => {
    const m = await ctx.registerMember(nextPhone());
    await ctx.database.db.execute(sql`update members set registration_ip = '198.51.100.7', registration_device_id = 'dev-burst-1' where id = ${m.memberId}`);
    // Five more accounts from the same IP and device within the hour (default thresholds: 5 per IP, 3 per device).
    await ctx.database.db.execute(sql`
      insert into members (phone, password_hash, display_name, registration_ip, registration_device_id, created_at)
      select '1880000' || lpad(g::text, 4, '0'), 'x', '批量' || g, '198.51.100.7', 'dev-burst-1', now() - (g || ' minutes')::interval
      from generate_series(1, 5) g`);
    await submitCompleteApplication(ctx, m.token, 4005);
    const flags = await flagsOf(m.memberId);
    expect(flags.find((f) => f.code === 'registration_burst_ip')!.evidence).toMatchObject({ ip: '198.51.100.7', count: 6, threshold: 5 });
    const device = flags.find((f) => f.code === 'registration_burst_device')!;
    expect(device.evidence).toMatchObject({ deviceId: 'dev-burst-1', count: 6, threshold: 3 });
    expect((device.evidence.members as unknown[]).length).toBe(6);
  });
});
