import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, queryRows } from '../src/db/client.js';
import { createFieldCipher } from '../src/lib/crypto.js';
import { AppError } from '../src/lib/errors.js';
import type { Fen } from '../src/lib/money.js';
import { systemAuditContext } from '../src/modules/audit/audit.service.js';
import type { WalletBalance } from '../src/modules/ledger/ledger.service.js';
import { verifyLedger } from '../src/modules/ledger/verify.service.js';
import { readSettings, writeSettings } from '../src/modules/settings/settings.service.js';
import { clawback, credit, type CreditInput, releaseDue } from '../src/modules/wallets/wallets.service.js';
import { encodeWithdrawalSettings, type WithdrawalSettings, withdrawalSettingsDef } from '../src/modules/withdrawals/withdrawal-settings.js';
import type { WithdrawalStatus } from '../src/modules/withdrawals/withdrawals.schema.js';
import { approveWithdrawal, processApiPayouts, rejectWithdrawal, requestWithdrawal } from '../src/modules/withdrawals/withdrawals.service.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { insertMembers } from './helpers/members.js';

/**
 * Model-based property tests of the money services: random sequences of
 * credits, releases, clawbacks and withdrawals run against the real services
 * and database, next to a plain in-memory model of what every wallet should
 * hold. After every step the ledger must verify, money must be conserved,
 * and every cached wallet must equal the model.
 *
 * All runs share one database (a fresh PGlite costs ~1.5 s); each run has its
 * own members, and its own simulated clock: run k lives around 2200-01-01
 * minus k×30 days, so a run's release job never reaches the (later) open lots
 * that earlier runs left behind; payouts name their withdrawals.
 */

const TIMEZONE = 'Asia/Shanghai';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const CLOCK_ORIGIN = Date.UTC(2200, 0, 1);
const PAYEE = { name: '张三', bank: '中国银行', account: '6222020000001234' };
const FEE_PPM = 10_000n; // 1 %
const REVIEW_THRESHOLD = 20_000n;
const SETTINGS: WithdrawalSettings = {
  minAmountFen: 1n,
  feeFixedFen: 0n,
  feePpm: Number(FEE_PPM),
  dailyCount: 100,
  dailyAmountFen: 1_000_000_000_000n,
  reviewThresholdFen: REVIEW_THRESHOLD,
  payoutChannel: 'sandbox',
  sandboxOutcome: 'succeed',
};
const audit = systemAuditContext('test');
const cipher = createFieldCipher(crypto.randomBytes(32));

let database: TestDatabase;
const db = (): Db => database.db;

async function applySettings(): Promise<void> {
  const current = await readSettings(db(), withdrawalSettingsDef);
  await writeSettings(db(), audit, withdrawalSettingsDef, SETTINGS, current.version, encodeWithdrawalSettings);
}

beforeAll(async () => {
  database = await createTestDatabase();
  await applySettings();
});
afterAll(() => database.dispose());

// ---------------------------------------------------------------------------
// Operations

const member = fc.nat({ max: 3 });
const pick = fc.nat({ max: 1_000 });
/** Mostly aim at a withdrawal the step applies to; sometimes at any, to see the refusals. */
const preferValid = fc.constantFrom(true, true, true, false);
const op = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('credit' as const),
      member,
      amount: fc.oneof(fc.bigInt({ min: 1n, max: 1_000n }), fc.bigInt({ min: 1_000n, max: 200_000n })),
      /** Frozen with a release time relative to the simulated clock, or straight to available. */
      frozen: fc.boolean(),
      releaseOffsetMin: fc.integer({ min: -120, max: 240 }),
      /** Several credits (also to several members) can share a source, as the rewards of one transaction do. */
      reuseSource: fc.boolean(),
      sourcePick: pick,
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('replayCredit' as const), pick, conflicting: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('release' as const), advanceMin: fc.integer({ min: 0, max: 180 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('clawback' as const), pick }) },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('withdraw' as const),
      member,
      /** Mostly a member that has something available (else most requests would just be refused). */
      preferFunded: preferValid,
      amount: fc.oneof(
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('fixed' as const), fen: fc.bigInt({ min: 1n, max: 5_000n }) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('fixed' as const), fen: fc.bigInt({ min: 20_000n, max: 150_000n }) }) },
        /** A share of what the member has: mostly fundable, some above the review threshold. */
        { weight: 4, arbitrary: fc.record({ kind: fc.constant('share' as const), tenths: fc.integer({ min: 1, max: 10 }) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('over' as const), by: fc.bigInt({ min: 1n, max: 1_000n }) }) },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('replayWithdraw' as const), pick, sameContent: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('approve' as const), pick, preferValid }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reject' as const), pick, preferValid }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('payout' as const), pick, preferValid, ok: fc.boolean() }) },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/**
 * A hand-written run, always tried first, that visits every interesting case
 * at least once: shared sources, replays, review, payouts both ways, a
 * clawback into a negative balance (which then blocks withdrawals), repeated
 * clawbacks, refusals.
 */
const credit_ = (member: number, amount: bigint, frozen: boolean, releaseOffsetMin = 0, reuseSource = false, sourcePick = 0): Op =>
  ({ t: 'credit', member, amount, frozen, releaseOffsetMin, reuseSource, sourcePick });
const withdraw_ = (member: number, amount: Extract<Op, { t: 'withdraw' }>['amount']): Op => ({ t: 'withdraw', member, preferFunded: false, amount });
const tour: Op[] = [
  { t: 'clawback', pick: 0 }, // nothing credited yet
  credit_(0, 50_000n, false), // source A
  credit_(1, 30_000n, true, 60), // source B, frozen for an hour
  credit_(2, 10_000n, true, -10, true, 0), // also source A, already due
  { t: 'replayCredit', pick: 0, conflicting: false },
  { t: 'replayCredit', pick: 1, conflicting: true },
  withdraw_(0, { kind: 'fixed', fen: 30_000n }), // w0: needs review
  withdraw_(0, { kind: 'fixed', fen: 3_000n }), // w1: approved at once
  { t: 'approve', pick: 0, preferValid: true },
  { t: 'payout', pick: 0, preferValid: false, ok: true }, // w0 paid
  { t: 'payout', pick: 1, preferValid: false, ok: false }, // w1 failed: back to available
  { t: 'payout', pick: 0, preferValid: false, ok: true }, // w0 again: nothing to do
  { t: 'approve', pick: 0, preferValid: false }, // refused: paid
  withdraw_(0, { kind: 'over', by: 1n }), // insufficient funds
  { t: 'release', advanceMin: 0 }, // member 2's lot
  { t: 'clawback', pick: 0 }, // source A: member 0 goes to -30,000, member 2 back to 0
  withdraw_(0, { kind: 'fixed', fen: 1n }), // negative balance
  { t: 'clawback', pick: 1 }, // source B: from frozen
  { t: 'clawback', pick: 1 }, // again
  { t: 'clawback', pick: 0 }, // again
  credit_(1, 80_000n, false),
  withdraw_(1, { kind: 'share', tenths: 10 }), // w2: needs review
  { t: 'reject', pick: 2, preferValid: false },
  { t: 'reject', pick: 2, preferValid: false }, // refused: rejected
  { t: 'replayWithdraw', pick: 0, sameContent: true },
  { t: 'replayWithdraw', pick: 1, sameContent: false },
  credit_(0, 40_000n, false), // repays the debt, 10,000 left
  withdraw_(0, { kind: 'share', tenths: 10 }), // all of it
  { t: 'release', advanceMin: 180 },
];
const tourEvents = [
  'approve refused: paid',
  'clawback from available',
  'clawback from frozen',
  'clawback into negative available',
  'clawback of an unknown source',
  'credit available',
  'credit frozen',
  'credit frozen, already due',
  'credit key reused for other content',
  'credit replayed',
  'credit to a shared source',
  'negative available: withdrawal probe refused',
  'payout of a paid withdrawal: nothing to do',
  'reject refused: rejected',
  'release of due lots',
  'repeated clawback',
  'repeated clawback, lot had been open',
  'withdrawal approved',
  'withdrawal auto-approved',
  'withdrawal awaiting review',
  'withdrawal failed',
  'withdrawal key reused for other content',
  'withdrawal of the whole balance',
  'withdrawal paid',
  'withdrawal refused: insufficient funds',
  'withdrawal refused: negative balance',
  'withdrawal rejected',
  'withdrawal request replayed',
];

// ---------------------------------------------------------------------------
// The model

type LotState = 'open' | 'release' | 'clawback';
interface CreditRec {
  input: CreditInput;
  entryId: number;
  lot: { state: LotState; releaseAt: number } | null;
}
interface SourceRec {
  id: string;
  credits: CreditRec[];
  clawbackEntryId: number | null;
}
interface WithdrawalRec {
  id: number;
  memberIdx: number;
  key: string;
  amount: Fen;
  fee: Fen;
  net: Fen;
  status: WithdrawalStatus;
}
interface Platform {
  rewards: Fen;
  payouts: Fen;
  fees: Fen;
}

const zeroWallet = (): WalletBalance => ({ frozen: 0n, available: 0n, withdrawing: 0n });
const show = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string };
async function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, code: err.code };
    const e = err as Error & { cause?: Error };
    return { ok: false, code: `unexpected ${e.name}: ${e.message} ${e.cause?.message ?? ''}` };
  }
}
function expectSuccess<T>(o: Outcome<T>, label: string): T {
  if (!o.ok) expect.unreachable(`${label}: expected success, got ${o.code}`);
  return o.value;
}
function expectError(o: Outcome<unknown>, code: string, label: string): void {
  if (o.ok) expect.unreachable(`${label}: expected ${code}, but it succeeded with ${show(o.value)}`);
  expect(o.code, label).toBe(code);
}

async function platformTotals(): Promise<Platform> {
  const rows = await queryRows<{ account: string; total: unknown }>(db(), sql`
    select account, sum(amount) as total from ledger_postings where member_id is null group by account`);
  const of = (a: string) => BigInt(String(rows.find((r) => r.account === a)?.total ?? 0));
  return { rewards: of('rewards:expense'), payouts: of('payouts:clearing'), fees: of('fees:withdrawal') };
}

async function walletsOf(ids: number[]): Promise<WalletBalance[]> {
  const rows = await queryRows<{ member_id: unknown; frozen: unknown; available: unknown; withdrawing: unknown }>(db(), sql`
    select member_id, frozen, available, withdrawing from wallets where member_id = any(${sql.param(ids.map(String))}::bigint[])`);
  return ids.map((id) => {
    const r = rows.find((x) => Number(x.member_id) === id);
    return r ? { frozen: BigInt(String(r.frozen)), available: BigInt(String(r.available)), withdrawing: BigInt(String(r.withdrawing)) } : zeroWallet();
  });
}

/** verifyLedger's findings, and the two sums conservation says are zero. */
async function ledgerState() {
  const report = await verifyLedger(db());
  const [sums] = await queryRows<{ postings: unknown; wallets: unknown; platform: unknown }>(db(), sql`
    select (select coalesce(sum(amount), 0) from ledger_postings) as postings,
           (select coalesce(sum(frozen + available + withdrawing), 0) from wallets) as wallets,
           (select coalesce(sum(amount), 0) from ledger_postings where member_id is null) as platform`);
  return {
    ok: report.ok,
    problems: report.problems.map(show),
    postings: BigInt(String(sums!.postings)),
    walletsAndPlatform: BigInt(String(sums!.wallets)) + BigInt(String(sums!.platform)),
  };
}

let runCounter = 0;
/** What the runs went through, to show the generators reach the interesting cases. */
const seen = new Map<string, number>();
const saw = (event: string) => seen.set(event, (seen.get(event) ?? 0) + 1);

/** One property run: a fresh set of members, the operations in order, every invariant after every step. */
async function runScenario(memberCount: number, ops: Op[]): Promise<void> {
  // The ledger is clean when a run starts, except while fast-check shrinks a
  // failure: then an earlier (failing) run may have left it broken, and this
  // run is judged on what it adds, so that the shrunk counterexample is its own.
  const baseline = await ledgerState();
  const clean = baseline.problems.length === 0 && baseline.postings === 0n && baseline.walletsAndPlatform === 0n;
  const run = ++runCounter;
  const ids = await insertMembers(db(), memberCount);
  const wallets = ids.map(zeroWallet);
  const credits: CreditRec[] = [];
  const sources: SourceRec[] = [];
  const withdrawals: WithdrawalRec[] = [];
  const platformStart = await platformTotals();
  const platform: Platform = { rewards: 0n, payouts: 0n, fees: 0n };
  let clock = CLOCK_ORIGIN - run * 30 * DAY;
  let seq = 0;
  const trace: string[] = [];

  const lotsOpen = () => credits.filter((c) => c.lot?.state === 'open');

  async function checkInvariants(label: string): Promise<void> {
    const state = await ledgerState();
    if (clean) {
      expect(state.problems, `${label}: verifyLedger problems`).toEqual([]);
      expect(state.ok, `${label}: verifyLedger ok`).toBe(true);
      expect(state.postings, `${label}: sum of all postings`).toBe(0n);
      expect(state.walletsAndPlatform, `${label}: sum of all wallets and platform accounts`).toBe(0n);
    } else {
      expect(state.problems.filter((p) => !baseline.problems.includes(p)), `${label}: new verifyLedger problems`).toEqual([]);
      expect(state.postings, `${label}: sum of all postings`).toBe(baseline.postings);
      expect(state.walletsAndPlatform, `${label}: sum of all wallets and platform accounts`).toBe(baseline.walletsAndPlatform);
    }

    const actual = await walletsOf(ids);
    expect(actual, `${label}: wallets vs model`).toEqual(wallets);
    for (const w of actual) {
      expect(w.frozen >= 0n && w.withdrawing >= 0n, `${label}: frozen/withdrawing negative ${show(w)}`).toBe(true);
    }

    const now = await platformTotals();
    expect(
      { rewards: now.rewards - platformStart.rewards, payouts: now.payouts - platformStart.payouts, fees: now.fees - platformStart.fees },
      `${label}: platform accounts vs model`,
    ).toEqual(platform);

    // balance_after of every member posting is the running sum of that member's account.
    const badLines = await queryRows<{ id: unknown }>(db(), sql`
      select id from (
        select id, balance_after, sum(amount) over (partition by member_id, account order by id) as running
        from ledger_postings where member_id = any(${sql.param(ids.map(String))}::bigint[])) x
      where balance_after is distinct from running`);
    expect(badLines, `${label}: postings whose balance_after is not the running balance`).toEqual([]);

    if (withdrawals.length > 0) {
      const rows = await queryRows<{ id: unknown; status: string }>(db(), sql`
        select id, status from withdrawals where member_id = any(${sql.param(ids.map(String))}::bigint[]) order by id`);
      expect(rows.map((r) => ({ id: Number(r.id), status: r.status })), `${label}: withdrawal statuses`).toEqual(withdrawals.map((w) => ({ id: w.id, status: w.status })));
    }
    const lotCredits = credits.filter((c) => c.lot);
    if (lotCredits.length > 0) {
      const rows = await queryRows<{ entry_id: unknown; closed_by: string | null; remaining: unknown }>(db(), sql`
        select f.entry_id, f.closed_by, case when f.closed_at is null then p.amount else 0 end as remaining
        from frozen_lots f join ledger_postings p on p.entry_id = f.entry_id and p.account = 'wallet:frozen'
        where p.member_id = any(${sql.param(ids.map(String))}::bigint[]) order by f.entry_id`);
      expect(
        rows.map((r) => ({ entryId: Number(r.entry_id), state: r.closed_by ?? 'open', remaining: BigInt(String(r.remaining)) })),
        `${label}: frozen lots`,
      ).toEqual(lotCredits.map((c) => ({ entryId: c.entryId, state: c.lot!.state, remaining: c.lot!.state === 'open' ? c.input.amount : 0n })));
    }

    // A member whose available balance is negative cannot withdraw, and trying changes nothing.
    for (const [i, w] of wallets.entries()) {
      if (w.available >= 0n) continue;
      const probe = await attempt(() => requestWithdrawal(db(), cipher, TIMEZONE, { memberId: ids[i]!, idempotencyKey: `probe-${run}-${++seq}`, amount: 1n, payee: PAYEE }));
      expectError(probe, 'NEGATIVE_BALANCE', `${label}: withdrawal by member #${i} with available ${w.available}`);
      expect(await walletsOf(ids), `${label}: after the refused probe`).toEqual(wallets);
      saw('negative available: withdrawal probe refused');
    }
  }

  /** For a step the model expects to fail: the code, and no wallet changed. */
  async function expectRefused(o: Outcome<unknown>, code: string, label: string, before: WalletBalance[]) {
    expectError(o, code, label);
    expect(await walletsOf(ids), `${label}: balances after the refused step`).toEqual(before);
  }

  const pickFrom = <T>(list: T[], n: number, preferred?: (x: T) => boolean): T | undefined => {
    const good = preferred ? list.filter(preferred) : [];
    const from = good.length > 0 ? good : list;
    return from.length === 0 ? undefined : from[n % from.length];
  };

  await checkInvariants('start');
  for (const [step, o] of ops.entries()) {
    const label = `run ${run} step ${step} ${show(o)}`;
    trace.push(label);
    const before = await walletsOf(ids);
    switch (o.t) {
      case 'credit': {
        const m = o.member % memberCount;
        const open = sources.filter((s) => s.clawbackEntryId === null);
        let source = o.reuseSource ? pickFrom(open, o.sourcePick) : undefined;
        if (!source) {
          source = { id: `r${run}-s${++seq}`, credits: [], clawbackEntryId: null };
          sources.push(source);
        }
        const releaseAt = o.frozen ? clock + o.releaseOffsetMin * MINUTE : undefined;
        const input: CreditInput = {
          idempotencyKey: `credit-r${run}-${++seq}`,
          memberId: ids[m]!,
          amount: o.amount,
          from: 'rewards:expense',
          sourceType: 'prop_txn',
          sourceId: source.id,
          memo: '属性测试奖励',
          releaseAt: releaseAt === undefined ? undefined : new Date(releaseAt),
        };
        const result = expectSuccess(await attempt(() => db().transaction((tx) => credit(tx, input))), label);
        expect(result.created, label).toBe(true);
        const rec: CreditRec = { input, entryId: result.entryId, lot: releaseAt === undefined ? null : { state: 'open', releaseAt } };
        credits.push(rec);
        source.credits.push(rec);
        if (rec.lot) wallets[m]!.frozen += o.amount;
        else wallets[m]!.available += o.amount;
        saw(rec.lot ? (rec.lot.releaseAt <= clock ? 'credit frozen, already due' : 'credit frozen') : 'credit available');
        if (source.credits.length > 1) saw('credit to a shared source');
        platform.rewards -= o.amount;
        break;
      }
      case 'replayCredit': {
        const rec = pickFrom(credits, o.pick);
        if (!rec) break;
        if (o.conflicting) {
          const other = { ...rec.input, amount: rec.input.amount + 1n };
          await expectRefused(await attempt(() => db().transaction((tx) => credit(tx, other))), 'IDEMPOTENCY_CONFLICT', label, before);
          saw('credit key reused for other content');
        } else {
          const result = expectSuccess(await attempt(() => db().transaction((tx) => credit(tx, rec.input))), label);
          expect(result, `${label}: replayed credit`).toEqual({ entryId: rec.entryId, created: false });
          expect(await walletsOf(ids), `${label}: balances after the replay`).toEqual(before);
          saw('credit replayed');
        }
        break;
      }
      case 'release': {
        clock += o.advanceMin * MINUTE;
        const due = lotsOpen().filter((c) => c.lot!.releaseAt <= clock);
        const result = expectSuccess(await attempt(() => releaseDue(db(), { now: new Date(clock) })), label);
        expect(result, `${label}: release result`).toEqual({ released: due.length, amount: due.reduce((s, c) => s + c.input.amount, 0n) });
        if (due.length > 0) saw('release of due lots');
        for (const c of due) {
          c.lot!.state = 'release';
          const w = wallets[ids.indexOf(c.input.memberId)]!;
          w.frozen -= c.input.amount;
          w.available += c.input.amount;
        }
        break;
      }
      case 'clawback': {
        const source = pickFrom(sources, o.pick);
        const sourceId = source?.id ?? `r${run}-nothing`;
        const result = expectSuccess(await attempt(() => db().transaction((tx) => clawback(tx, { sourceType: 'prop_txn', sourceId }))), label);
        if (!source) {
          expect(result, `${label}: clawback of a source without postings`).toEqual({ entryId: null, created: false, reversed: 0n });
          saw('clawback of an unknown source');
        } else if (source.clawbackEntryId !== null) {
          // Once per source: a second clawback answers with the first reversal and moves nothing.
          expect({ entryId: result.entryId, created: result.created }, `${label}: repeated clawback`).toEqual({ entryId: source.clawbackEntryId, created: false });
          saw(source.credits.some((c) => c.lot?.state === 'clawback') ? 'repeated clawback, lot had been open' : 'repeated clawback');
        } else {
          const total = source.credits.reduce((s, c) => s + c.input.amount, 0n);
          expect(result.created, label).toBe(true);
          expect(result.reversed, `${label}: reversed`).toBe(total);
          source.clawbackEntryId = result.entryId;
          for (const c of source.credits) {
            const w = wallets[ids.indexOf(c.input.memberId)]!;
            if (c.lot?.state === 'open') {
              c.lot.state = 'clawback';
              w.frozen -= c.input.amount;
              saw('clawback from frozen');
            } else {
              w.available -= c.input.amount;
              saw(w.available < 0n ? 'clawback into negative available' : 'clawback from available');
            }
          }
          platform.rewards += total;
        }
        break;
      }
      case 'withdraw': {
        const funded = wallets.flatMap((x, i) => (x.available > 0n ? [i] : []));
        const m = o.preferFunded && funded.length > 0 ? funded[o.member % funded.length]! : o.member % memberCount;
        const w = wallets[m]!;
        const has = w.available > 0n ? w.available : 0n;
        const share = o.amount.kind === 'share' ? (has * BigInt(o.amount.tenths)) / 10n : 0n;
        const amount = o.amount.kind === 'fixed' ? o.amount.fen : o.amount.kind === 'share' ? (share > 0n ? share : 1n) : has + o.amount.by;
        const key = `wd-r${run}-${++seq}`;
        const outcome = await attempt(() => requestWithdrawal(db(), cipher, TIMEZONE, { memberId: ids[m]!, idempotencyKey: key, amount, payee: PAYEE }));
        const stepLabel = `${label} (amount ${amount}, available ${w.available})`;
        if (w.available < 0n) {
          await expectRefused(outcome, 'NEGATIVE_BALANCE', stepLabel, before);
          saw('withdrawal refused: negative balance');
        } else if (amount > w.available) {
          await expectRefused(outcome, 'INSUFFICIENT_FUNDS', stepLabel, before);
          saw('withdrawal refused: insufficient funds');
        } else {
          const { withdrawal, replayed } = expectSuccess(outcome, stepLabel);
          const fee = (amount * FEE_PPM) / 1_000_000n;
          const status: WithdrawalStatus = amount >= REVIEW_THRESHOLD ? 'requested' : 'approved';
          expect(replayed, stepLabel).toBe(false);
          expect({ amount: withdrawal.amount, fee: withdrawal.fee, net: withdrawal.net, status: withdrawal.status }, stepLabel).toEqual({ amount, fee, net: amount - fee, status });
          withdrawals.push({ id: withdrawal.id, memberIdx: m, key, amount, fee, net: amount - fee, status });
          saw(status === 'requested' ? 'withdrawal awaiting review' : 'withdrawal auto-approved');
          if (amount === w.available) saw('withdrawal of the whole balance');
          w.available -= amount;
          w.withdrawing += amount;
        }
        break;
      }
      case 'replayWithdraw': {
        const rec = pickFrom(withdrawals, o.pick);
        if (!rec) break;
        const amount = o.sameContent ? rec.amount : rec.amount + 1n;
        const outcome = await attempt(() => requestWithdrawal(db(), cipher, TIMEZONE, { memberId: ids[rec.memberIdx]!, idempotencyKey: rec.key, amount, payee: PAYEE }));
        if (o.sameContent) {
          const { withdrawal, replayed } = expectSuccess(outcome, label);
          expect({ id: withdrawal.id, replayed }, label).toEqual({ id: rec.id, replayed: true });
          expect(await walletsOf(ids), `${label}: balances after the replayed request`).toEqual(before);
          saw('withdrawal request replayed');
        } else {
          await expectRefused(outcome, 'IDEMPOTENCY_CONFLICT', label, before);
          saw('withdrawal key reused for other content');
        }
        break;
      }
      case 'approve':
      case 'reject': {
        const rec = pickFrom(withdrawals, o.pick, o.preferValid ? (x) => x.status === 'requested' : undefined);
        if (!rec) break;
        const outcome = await attempt(() => (o.t === 'approve' ? approveWithdrawal(db(), audit, rec.id) : rejectWithdrawal(db(), audit, rec.id, '属性测试驳回')));
        const stepLabel = `${label} (withdrawal ${rec.id} ${rec.status})`;
        if (rec.status !== 'requested') {
          await expectRefused(outcome, 'INVALID_TRANSITION', stepLabel, before);
          saw(`${o.t} refused: ${rec.status}`);
          break;
        }
        const updated = expectSuccess(outcome, stepLabel);
        rec.status = o.t === 'approve' ? 'approved' : 'rejected';
        saw(`withdrawal ${rec.status}`);
        expect(updated.status, stepLabel).toBe(rec.status);
        if (o.t === 'reject') {
          wallets[rec.memberIdx]!.withdrawing -= rec.amount;
          wallets[rec.memberIdx]!.available += rec.amount;
        }
        break;
      }
      case 'payout': {
        const rec = pickFrom(withdrawals, o.pick, o.preferValid ? (x) => x.status === 'approved' : undefined);
        if (!rec) break;
        const channel = {
          name: 'sandbox',
          pay: async () => (o.ok ? { ok: true as const, reference: `SANDBOX-PROP-${rec.id}` } : { ok: false as const, reason: '模拟失败' }),
        };
        const stepLabel = `${label} (withdrawal ${rec.id} ${rec.status})`;
        const result = expectSuccess(await attempt(() => processApiPayouts(db(), channel, { ids: [rec.id] })), stepLabel);
        if (rec.status !== 'approved') {
          expect(result, `${stepLabel}: nothing to pay`).toEqual({ paid: 0, failed: 0 });
          expect(await walletsOf(ids), `${stepLabel}: balances`).toEqual(before);
          saw(`payout of a ${rec.status} withdrawal: nothing to do`);
          break;
        }
        expect(result, stepLabel).toEqual(o.ok ? { paid: 1, failed: 0 } : { paid: 0, failed: 1 });
        const w = wallets[rec.memberIdx]!;
        w.withdrawing -= rec.amount;
        if (o.ok) {
          rec.status = 'paid';
          platform.payouts += rec.net;
          platform.fees += rec.fee;
        } else {
          rec.status = 'failed';
          w.available += rec.amount;
        }
        saw(`withdrawal ${rec.status}`);
        break;
      }
    }
    await checkInvariants(label);
  }
}

describe('ledger properties (model-based)', () => {
  // First, while the shared database is certainly clean.
  it('posting the same credit twice leaves the balances as after the first', async () => {
    const [m] = (await insertMembers(db(), 1)) as [number];
    const releaseAt = new Date(Date.UTC(2500, 0, 1));
    const frozenCredit: CreditInput = { idempotencyKey: 'replay-frozen', memberId: m, amount: 1_234n, from: 'rewards:expense', sourceType: 'prop_txn', sourceId: 'replay-1', releaseAt };
    const availableCredit: CreditInput = { idempotencyKey: 'replay-available', memberId: m, amount: 567n, from: 'rewards:expense', sourceType: 'prop_txn', sourceId: 'replay-2' };
    const first = [await db().transaction((tx) => credit(tx, frozenCredit)), await db().transaction((tx) => credit(tx, availableCredit))];
    const afterFirst = await walletsOf([m]);
    expect(afterFirst).toEqual([{ frozen: 1_234n, available: 567n, withdrawing: 0n }]);
    const platformAfterFirst = await platformTotals();

    const second = [await db().transaction((tx) => credit(tx, frozenCredit)), await db().transaction((tx) => credit(tx, availableCredit))];
    expect(second).toEqual(first.map((r) => ({ entryId: r.entryId, created: false })));
    expect(await walletsOf([m])).toEqual(afterFirst);
    expect(await platformTotals()).toEqual(platformAfterFirst);
    const [lots] = await queryRows<{ n: unknown }>(db(), sql`
      select count(*) as n from frozen_lots f join ledger_postings p on p.entry_id = f.entry_id and p.account = 'wallet:frozen' where p.member_id = ${m}`);
    expect(Number(lots!.n)).toBe(1);
    const [entries] = await queryRows<{ n: unknown }>(db(), sql`select count(*) as n from ledger_entries where idempotency_key in ('replay-frozen', 'replay-available')`);
    expect(Number(entries!.n)).toBe(2);
    expect((await verifyLedger(db())).ok).toBe(true);
  });

  it('random credits, releases, clawbacks and withdrawals keep the ledger verified, conserved and equal to the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3, max: 4 }), fc.array(op, { minLength: 20, maxLength: 40 }), (memberCount, ops) => runScenario(memberCount, ops)),
      { numRuns: 25, examples: [[3, tour]], plugins: [fc.interruptAfterTimeLimit(150_000, { failOnInterrupt: true })] },
    );
    // The tour guarantees these; the random runs add the unplanned orders.
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining(tourEvents));
  }, 240_000);
});
