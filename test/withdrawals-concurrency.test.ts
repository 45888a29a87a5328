import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, queryRows } from '../src/db/client.js';
import { createFieldCipher } from '../src/lib/crypto.js';
import { systemAuditContext } from '../src/modules/audit/audit.service.js';
import { walletBalance } from '../src/modules/ledger/ledger.service.js';
import { verifyLedger } from '../src/modules/ledger/verify.service.js';
import { readSettings, writeSettings } from '../src/modules/settings/settings.service.js';
import { clawback, credit, creditBatch, type CreditInput, releaseDue } from '../src/modules/wallets/wallets.service.js';
import { encodeWithdrawalSettings, type WithdrawalSettings, withdrawalSettingsDef } from '../src/modules/withdrawals/withdrawal-settings.js';
import type { Withdrawal } from '../src/modules/withdrawals/withdrawals.schema.js';
import { approveWithdrawal, processApiPayouts, rejectWithdrawal, requestWithdrawal } from '../src/modules/withdrawals/withdrawals.service.js';
import { bearer, createTestContext, type TestContext } from './helpers/app.js';
import { onPostgres } from './helpers/database.js';
import { insertMembers } from './helpers/members.js';

/**
 * What only a real server shows: many requests and jobs at once on the same
 * wallets, lots and sources. PGlite runs one statement at a time, so these
 * tests need TEST_DATABASE_URL.
 */
const PAYEE = { name: '张三', bank: '中国银行', account: '6222020000001234' };
const MINUTE = 60_000;
const audit = systemAuditContext('test');
/** No review, no fee, limits out of the way; bank batches, so withdrawals stay approved. */
const SETTINGS: WithdrawalSettings = {
  minAmountFen: 1n,
  feeFixedFen: 0n,
  feePpm: 0,
  dailyCount: 100,
  dailyAmountFen: 100_000_000_000n,
  reviewThresholdFen: 100_000_000_000n,
  payoutChannel: 'bank_batch',
  sandboxOutcome: 'succeed',
};

describe.skipIf(!onPostgres)('money under concurrency (PostgreSQL)', () => {
  let ctx: TestContext;
  const db = (): Db => ctx.database.db;

  const applySettings = async (changes: Partial<WithdrawalSettings> = {}) => {
    const current = await readSettings(db(), withdrawalSettingsDef);
    await writeSettings(db(), audit, withdrawalSettingsDef, { ...SETTINGS, ...changes }, current.version, encodeWithdrawalSettings);
  };
  beforeAll(async () => {
    ctx = await createTestContext();
    await applySettings();
  });
  afterAll(() => ctx?.close());

  const fund = (memberId: number, amount: bigint, key: string, releaseAt?: Date) =>
    db().transaction((tx) => credit(tx, { idempotencyKey: key, memberId, amount, from: 'rewards:expense', sourceType: 'conc', sourceId: key, releaseAt }));
  const withdraw = (token: string, key: string, amountFen = '1000') =>
    ctx.app.inject({ method: 'POST', url: '/api/member/withdrawals', headers: { ...bearer(token), 'idempotency-key': key }, payload: { amountFen, payee: PAYEE } });

  /** Every balance_after of the member is the running sum of its account, and none is negative. */
  async function expectSoundStatement(memberId: number) {
    const lines = await queryRows<{ account: string; balance_after: unknown; running: unknown }>(db(), sql`
      select account, balance_after, sum(amount) over (partition by account order by id) as running
      from ledger_postings where member_id = ${memberId} order by id`);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(String(l.balance_after), `${l.account} balance_after vs running sum`).toBe(String(l.running));
      expect(BigInt(String(l.balance_after)) >= 0n, `${l.account} balance_after ${String(l.balance_after)} is negative`).toBe(true);
    }
  }
  async function expectVerified() {
    const report = await verifyLedger(db());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  }

  it('50 parallel withdrawals of 1,000 against 10,000 available: exactly 10 succeed, the rest are refused', async () => {
    const { token, memberId } = await ctx.registerMember('13800000001');
    await fund(memberId, 10_000n, 'conc-fund-50');

    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => withdraw(token, `parallel-${String(i).padStart(3, '0')}-key`)));

    const created = responses.filter((r) => r.statusCode === 201);
    const refused = responses.filter((r) => r.statusCode !== 201);
    expect(created).toHaveLength(10);
    expect(refused.map((r) => [r.statusCode, r.json().error?.code])).toEqual(Array.from({ length: 40 }, () => [409, 'INSUFFICIENT_FUNDS']));
    expect(new Set(created.map((r) => r.json().id)).size).toBe(10);
    for (const r of created) expect(r.json()).toMatchObject({ amountFen: '1000', status: 'approved', channel: 'bank_batch' });

    expect(await walletBalance(db(), memberId)).toEqual({ frozen: 0n, available: 0n, withdrawing: 10_000n });
    const [rows] = await queryRows<{ n: unknown; total: unknown }>(db(), sql`
      select count(*) as n, coalesce(sum(amount), 0) as total from withdrawals where member_id = ${memberId}`);
    expect([Number(rows!.n), String(rows!.total)]).toEqual([10, '10000']);
    const [entries] = await queryRows<{ n: unknown }>(db(), sql`
      select count(*) as n from ledger_entries where kind = 'withdrawal_request'
        and source_id in (select id::text from withdrawals where member_id = ${memberId})`);
    expect(Number(entries!.n)).toBe(10);
    await expectSoundStatement(memberId);
    await expectVerified();
  });

  it('the same Idempotency-Key 20 times in parallel makes one withdrawal and moves the money once', async () => {
    const { token, memberId } = await ctx.registerMember('13800000002');
    await fund(memberId, 5_000n, 'conc-fund-same-key');

    const responses = await Promise.all(Array.from({ length: 20 }, () => withdraw(token, 'same-key-20-times')));

    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(19);
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1);
    for (const r of responses.filter((x) => x.statusCode === 200)) expect(r.headers['idempotent-replayed']).toBe('true');

    const rows = await queryRows<{ id: unknown }>(db(), sql`
      select id from withdrawals where member_id = ${memberId} and idempotency_key = 'same-key-20-times'`);
    expect(rows.map((r) => Number(r.id))).toEqual([responses[0]!.json().id]);
    expect(responses.find((r) => r.statusCode === 201)!.json()).toMatchObject({ amountFen: '1000', status: 'approved' });
    expect(await walletBalance(db(), memberId)).toEqual({ frozen: 0n, available: 4_000n, withdrawing: 1_000n });
    const [entries] = await queryRows<{ n: unknown }>(db(), sql`
      select count(*) as n from ledger_entries where source_type = 'withdrawal' and source_id = ${String(rows[0]!.id)}`);
    expect(Number(entries!.n)).toBe(1);
    await expectSoundStatement(memberId);
    await expectVerified();
  });

  describe('20 parallel clawbacks of the same source reverse it once', () => {
    const clawTwenty = (sourceId: string) =>
      Promise.allSettled(Array.from({ length: 20 }, () => db().transaction((tx) => clawback(tx, { sourceType: 'conc', sourceId }))));
    const rewardsOf = async (sourceId: string, members: number[], amount: bigint, releaseAt?: Date) => {
      const inputs: CreditInput[] = members.map((memberId, i) => ({
        idempotencyKey: `${sourceId}:${i}`,
        memberId,
        amount: amount * BigInt(i + 1),
        from: 'rewards:expense',
        sourceType: 'conc',
        sourceId,
        releaseAt,
      }));
      await db().transaction((tx) => creditBatch(tx, inputs));
    };
    async function expectOnce(sourceId: string, results: PromiseSettledResult<{ entryId: number | null; created: boolean }>[]) {
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as { code?: string }).code ?? r.reason)] : []));
      expect(failures, 'clawbacks that threw').toEqual([]);
      const values = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(values.filter((v) => v.created)).toHaveLength(1);
      expect(new Set(values.map((v) => v.entryId)).size).toBe(1);
      const [entries] = await queryRows<{ n: unknown }>(db(), sql`
        select count(*) as n from ledger_entries where kind = 'clawback' and source_type = 'conc' and source_id = ${sourceId}`);
      expect(Number(entries!.n)).toBe(1);
    }

    it('a source already in available (two members)', async () => {
      const members = await insertMembers(db(), 2);
      await fund(members[0]!, 10_000n, 'conc-claw-other-0');
      await rewardsOf('refund-available', members, 700n);

      await expectOnce('refund-available', await clawTwenty('refund-available'));
      // 700 and 1,400 came and went once; the unrelated 10,000 stays.
      expect(await walletBalance(db(), members[0]!)).toEqual({ frozen: 0n, available: 10_000n, withdrawing: 0n });
      expect(await walletBalance(db(), members[1]!)).toEqual({ frozen: 0n, available: 0n, withdrawing: 0n });
      await expectVerified();
    });

    it('a source whose lots are still frozen (two members)', async () => {
      const members = await insertMembers(db(), 2);
      await rewardsOf('refund-frozen', members, 900n, new Date(Date.now() + 24 * 60 * MINUTE));

      await expectOnce('refund-frozen', await clawTwenty('refund-frozen'));
      for (const m of members) expect(await walletBalance(db(), m)).toEqual({ frozen: 0n, available: 0n, withdrawing: 0n });
      const lots = await queryRows<{ closed_by: string | null }>(db(), sql`
        select f.closed_by from frozen_lots f join ledger_entries e on e.id = f.entry_id where e.source_type = 'conc' and e.source_id = 'refund-frozen'`);
      expect(lots.map((l) => l.closed_by)).toEqual(['clawback', 'clawback']);
      await expectVerified();
    });
  });

  it('40 parallel credit batches over the same members, in different orders: no deadlock, no lost update', async () => {
    const members = await insertMembers(db(), 4);
    const orders = [members, [...members].reverse(), [members[2]!, members[0]!, members[3]!, members[1]!]];
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, b) =>
        db().transaction((tx) =>
          creditBatch(
            tx,
            orders[b % 3]!.map((memberId, k) => ({
              idempotencyKey: `conc-batch-${b}-${memberId}`,
              memberId,
              amount: BigInt(10 * (b + 1) + k),
              from: 'rewards:expense' as const,
              sourceType: 'conc',
              sourceId: `batch-${b}`,
              releaseAt: k % 2 === 0 ? new Date(Date.now() + 24 * 60 * MINUTE) : undefined,
            })),
          ),
        ),
      ),
    );
    expect(results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []))).toEqual([]);
    for (const m of members) {
      let frozen = 0n;
      let available = 0n;
      for (let b = 0; b < 40; b++) {
        const k = orders[b % 3]!.indexOf(m);
        if (k % 2 === 0) frozen += BigInt(10 * (b + 1) + k);
        else available += BigInt(10 * (b + 1) + k);
      }
      expect(await walletBalance(db(), m)).toEqual({ frozen, available, withdrawing: 0n });
      await expectSoundStatement(m);
    }
    await expectVerified();
  });

  it('20 parallel release jobs over 200 due lots release each lot exactly once', async () => {
    const members = await insertMembers(db(), 4);
    const due = new Date(Date.now() - MINUTE);
    const inputs: CreditInput[] = Array.from({ length: 200 }, (_, i) => ({
      idempotencyKey: `conc-lot-${i}`,
      memberId: members[i % 4]!,
      amount: BigInt(100 + i),
      from: 'rewards:expense',
      sourceType: 'conc',
      sourceId: `lot-${i}`,
      releaseAt: due,
    }));
    await db().transaction((tx) => creditBatch(tx, inputs));
    const lotsOf = sql`frozen_lots f join ledger_entries e on e.id = f.entry_id where e.source_type = 'conc' and e.source_id like 'lot-%'`;
    const lots = await queryRows<{ entry_id: unknown }>(db(), sql`select f.entry_id from ${lotsOf}`);
    expect(lots).toHaveLength(200);

    const results = await Promise.all(Array.from({ length: 20 }, () => releaseDue(db(), { now: new Date(), batchSize: 7 })));

    const total = inputs.reduce((s, c) => s + c.amount, 0n);
    expect(results.reduce((s, r) => s + r.released, 0)).toBe(200);
    expect(results.reduce((s, r) => s + r.amount, 0n)).toBe(total);
    const [closed] = await queryRows<{ n: unknown }>(db(), sql`select count(*) as n from ${lotsOf} and f.closed_by = 'release'`);
    expect(Number(closed!.n)).toBe(200);
    const releases = await queryRows<{ key: string; n: unknown }>(db(), sql`
      select e.idempotency_key as key, count(*) as n from ledger_entries e
      where e.kind = 'release' and e.idempotency_key = any(${sql.param(lots.map((l) => `release:entry:${String(l.entry_id)}`))}::text[])
      group by e.idempotency_key`);
    expect(releases).toHaveLength(200);
    expect(releases.every((r) => Number(r.n) === 1)).toBe(true);
    for (const [i, m] of members.entries()) {
      const expected = inputs.filter((_, k) => k % 4 === i).reduce((s, c) => s + c.amount, 0n);
      expect(await walletBalance(db(), m)).toEqual({ frozen: 0n, available: expected, withdrawing: 0n });
      await expectSoundStatement(m);
    }
    await expectVerified();
  });

  it('clawbacks racing the release job over the same due lots: each lot closes once, nothing is left over', async () => {
    const members = await insertMembers(db(), 3);
    const due = new Date(Date.now() - MINUTE);
    const inputs: CreditInput[] = Array.from({ length: 30 }, (_, i) => ({
      idempotencyKey: `conc-race-${i}`,
      memberId: members[i % 3]!,
      amount: BigInt(1_000 + i),
      from: 'rewards:expense',
      sourceType: 'conc',
      sourceId: `race-${i}`,
      releaseAt: due,
    }));
    await db().transaction((tx) => creditBatch(tx, inputs));

    const results = await Promise.allSettled([
      ...inputs.map((c) => db().transaction((tx) => clawback(tx, { sourceType: 'conc', sourceId: c.sourceId }))),
      ...Array.from({ length: 5 }, () => releaseDue(db(), { now: new Date(), batchSize: 4 })),
    ]);

    expect(results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as { code?: string }).code ?? r.reason)] : []))).toEqual([]);
    // Released then clawed back from available, or clawed back from frozen: either way the credit is gone.
    for (const m of members) expect(await walletBalance(db(), m)).toEqual({ frozen: 0n, available: 0n, withdrawing: 0n });
    const lots = await queryRows<{ closed_by: string | null }>(db(), sql`
      select f.closed_by from frozen_lots f join ledger_entries e on e.id = f.entry_id where e.source_type = 'conc' and e.source_id like 'race-%'`);
    expect(lots).toHaveLength(30);
    expect(lots.every((l) => l.closed_by === 'release' || l.closed_by === 'clawback')).toBe(true);
    const [counts] = await queryRows<{ clawbacks: unknown; releases: unknown }>(db(), sql`
      select count(*) filter (where kind = 'clawback') as clawbacks, count(*) filter (where kind = 'release') as releases
      from ledger_entries where source_type = 'conc' and source_id like 'race-%'`);
    expect(Number(counts!.clawbacks)).toBe(30);
    expect(Number(counts!.releases)).toBe(lots.filter((l) => l.closed_by === 'release').length);
    await expectVerified();
  });

  describe('finance actions and payout workers racing (sandbox channel, review from 5,000)', () => {
    beforeAll(() => applySettings({ payoutChannel: 'sandbox', reviewThresholdFen: 5_000n }));
    afterAll(() => applySettings());
    const cipher = createFieldCipher(crypto.randomBytes(32));
    const request = (memberId: number, key: string, amount: bigint) =>
      requestWithdrawal(db(), cipher, ctx.config.PLATFORM_TIMEZONE, { memberId, idempotencyKey: key, amount, payee: PAYEE });

    it('10 approvals and 10 rejections of one withdrawal in parallel: exactly one wins', async () => {
      const [m] = (await insertMembers(db(), 1)) as [number];
      await fund(m, 8_000n, 'conc-review-fund');
      const { withdrawal } = await request(m, 'conc-review-1', 6_000n);
      expect(withdrawal.status).toBe('requested');

      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? approveWithdrawal(db(), audit, withdrawal.id) : rejectWithdrawal(db(), audit, withdrawal.id, '并发驳回'))),
      );

      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.status] : []));
      expect(won).toHaveLength(1);
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code] : []));
      expect(lost.every((c) => c === 'INVALID_TRANSITION' || c === 'CONFLICT'), `losers: ${lost.join(', ')}`).toBe(true);
      expect(await walletBalance(db(), m)).toEqual(
        won[0] === 'approved' ? { frozen: 0n, available: 2_000n, withdrawing: 6_000n } : { frozen: 0n, available: 8_000n, withdrawing: 0n },
      );
      const [events] = await queryRows<{ n: unknown }>(db(), sql`select count(*) as n from withdrawal_events where withdrawal_id = ${withdrawal.id}`);
      expect(Number(events!.n)).toBe(2); // requested, then the one decision
      await expectSoundStatement(m);
      await expectVerified();
    });

    it('10 payout workers at once pay each approved withdrawal exactly once', async () => {
      const members = await insertMembers(db(), 3);
      const ids: number[] = [];
      for (const [i, m] of members.entries()) {
        await fund(m, 10_000n, `conc-payout-fund-${i}`);
        for (let k = 0; k < 4; k++) ids.push((await request(m, `conc-payout-${i}-${k}`, 1_000n + BigInt(k))).withdrawal.id);
      }
      const calls = new Map<number, number>();
      const channel = {
        name: 'sandbox',
        async pay(w: Withdrawal) {
          calls.set(w.id, (calls.get(w.id) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 5));
          return w.id % 3 === 0 ? { ok: false as const, reason: '模拟失败' } : { ok: true as const, reference: `SANDBOX-CONC-${w.id}` };
        },
      };

      const results = await Promise.all(Array.from({ length: 10 }, () => processApiPayouts(db(), channel, { ids, limit: 3 })));

      expect([...calls.values()].every((n) => n === 1), `pay() calls per withdrawal: ${JSON.stringify([...calls])}`).toBe(true);
      const failedIds = ids.filter((id) => id % 3 === 0);
      expect(results.reduce((s, r) => s + r.paid + r.failed, 0)).toBe(calls.size);
      expect(results.reduce((s, r) => s + r.failed, 0)).toBe(failedIds.filter((id) => calls.has(id)).length);
      // Whatever a worker did not reach is still approved; a last sequential run finishes it.
      await processApiPayouts(db(), channel, { ids });
      expect(calls.size).toBe(ids.length);
      expect([...calls.values()].every((n) => n === 1)).toBe(true);
      const rows = await queryRows<{ id: unknown; status: string }>(db(), sql`
        select id, status from withdrawals where id = any(${sql.param(ids.map(String))}::bigint[]) order by id`);
      expect(rows.map((r) => [Number(r.id), r.status])).toEqual(ids.map((id) => [id, id % 3 === 0 ? 'failed' : 'paid']));
      const [entries] = await queryRows<{ n: unknown }>(db(), sql`
        select count(*) as n from ledger_entries where kind in ('withdrawal_paid', 'withdrawal_failed')
          and source_type = 'withdrawal' and source_id = any(${sql.param(ids.map(String))}::text[])`);
      expect(Number(entries!.n)).toBe(ids.length);
      for (const [i, m] of members.entries()) {
        const mine = ids.slice(i * 4, i * 4 + 4);
        const paidOut = mine.reduce((s, id, k) => s + (id % 3 === 0 ? 0n : 1_000n + BigInt(k)), 0n);
        expect(await walletBalance(db(), m)).toEqual({ frozen: 0n, available: 10_000n - paidOut, withdrawing: 0n });
        await expectSoundStatement(m);
      }
      await expectVerified();
    });
  });
});
