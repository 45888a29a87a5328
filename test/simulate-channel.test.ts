/**
 * `cli simulate-channel` against a server listening on a real port: the CLI
 * runs as its own process (as a person would start it), the server in this
 * one, so the test can look into the database afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  chinaTime,
  createGenerator,
  MAX_SALE_FEN,
  MIN_SALE_FEN,
  parseSimulateOptions,
  SECRET_ENV,
  type SimRecord,
  type SimulateSummary,
  simulateChannel,
} from '../src/cli/simulate-channel.js';
import { queryRows } from '../src/db/client.js';
import { bearer, createTestContext, type TestContext } from './helpers/app.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const SECRET = 'sim-push-secret-0123456789abcdef';
const MERCHANTS = ['SIM-M1', 'SIM-M2', 'SIM-M3'];

let ctx: TestContext;
let baseUrl: string;
/** DATA_DIR of every CLI run: the command must never open (create) a database there. */
let dataDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  ctx = await createTestContext();
  const owner = await ctx.staffToken(['owner']);
  const created = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/channels',
    headers: bearer(owner.token),
    payload: { id: 'simco', kind: 'push', name: 'Simulated partner', secrets: { pushSecrets: [SECRET] } },
  });
  expect(created.statusCode, created.body).toBe(201);
  const members = [await ctx.registerMember('13200000001'), await ctx.registerMember('13200000002')];
  for (const [i, ref] of MERCHANTS.entries()) {
    const bound = await ctx.app.inject({ method: 'PUT', url: `/api/admin/channels/simco/merchants/${ref}`, headers: bearer(owner.token), payload: { memberId: members[i % 2]!.memberId } });
    expect(bound.statusCode, bound.body).toBe(200);
  }
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shanglian-sim-'));
});

afterEach(() => {
  for (const child of children) killGroup(child, 'SIGKILL');
  children.clear();
});

afterAll(async () => {
  await ctx?.close();
  if (dataDir) {
    // No command here needed the database, so none was created.
    expect(fs.readdirSync(dataDir)).toEqual([]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

function launch(args: string[], env: NodeJS.ProcessEnv = {}) {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, ...env };
  if (!(SECRET_ENV in env)) delete fullEnv[SECRET_ENV];
  const child = spawn(tsx, ['src/cli/main.ts', 'simulate-channel', ...args], { cwd: root, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  void exited.then(() => children.delete(child));
  return { child, out, exited };
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { child, out, exited } = launch(args, env);
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 50_000);
  const code = await exited;
  clearTimeout(timer);
  return { code, ...out };
}

const baseArgs = () => ['--url', baseUrl, '--channel', 'simco', '--merchants', MERCHANTS.join(',')];

interface Row {
  channel_txn_id: string;
  merchant_ref: string;
  amount: string;
  status: 'settled' | 'refunded';
  original_txn_id: string | null;
  state: string;
}
const rowsOf = (runId: string) =>
  queryRows<Row>(ctx.database.db, sql`
    select channel_txn_id, merchant_ref, amount::text as amount, status, original_txn_id, state
    from channel_transactions where channel_id = 'simco' and channel_txn_id like ${`SIM-${runId}-%`}`);

/** Every refund's sale is in the same run and the same merchant; refunds of a sale never add up to more than it. */
function checkRefunds(rows: Row[]) {
  const sales = new Map(rows.filter((r) => r.status === 'settled').map((r) => [r.channel_txn_id, r]));
  const refunded = new Map<string, bigint>();
  for (const r of rows.filter((x) => x.status === 'refunded')) {
    const sale = sales.get(r.original_txn_id!);
    expect(sale, `sale of ${r.channel_txn_id}`).toBeDefined();
    expect(r.merchant_ref).toBe(sale!.merchant_ref);
    refunded.set(r.original_txn_id!, (refunded.get(r.original_txn_id!) ?? 0n) + BigInt(r.amount));
  }
  for (const [txnId, total] of refunded) expect(total <= BigInt(sales.get(txnId)!.amount), `refunds of ${txnId}`).toBe(true);
  return refunded.size;
}

describe.each([
  { batch: 1, rate: '0' },
  { batch: 50, rate: '100' },
])('simulate-channel, batch $batch: 300 records, 20 % refunds, 10 % re-sent requests', ({ batch, rate }) => {
  let run: { code: number | null; stdout: string; stderr: string };
  let s: SimulateSummary;
  let rows: Row[];
  beforeAll(async () => {
    run = await cli([
      ...baseArgs(),
      '--secret', SECRET,
      '--count', '300',
      '--batch', String(batch),
      '--rate', rate,
      '--refund-share', '0.2',
      '--duplicate-share', '0.1',
      '--seed', `seed-${batch}`,
      '--json',
    ]);
    expect(run.stdout, run.stderr).toMatch(/^\{/);
    s = JSON.parse(run.stdout) as SimulateSummary;
    rows = await rowsOf(s.run_id);
  });

  it('the counts add up, and the database holds exactly the records stored on first delivery', () => {
    expect(s).toMatchObject({ planned: 300, generated: 300, conflict: 0, unexpected: 0, failed_requests: 0, unanswered: 0, stopped: null, interrupted: false });
    expect(run.stderr).toContain(`run ${s.run_id}`);
    expect(s.sales + s.refunds).toBe(300);
    expect(s.refunds).toBeGreaterThan(20);
    // Every record is answered; only re-sent requests answer "duplicate".
    expect(s.accepted + s.held + s.duplicate + s.rejected).toBe(s.sent);
    expect(s.sent).toBe(300 + s.resent_requests * batch);
    expect(s.duplicate + s.rejected).toBe(s.resent_requests * batch);
    expect(s.requests).toBe(300 / batch + s.resent_requests);
    if (batch === 1) expect(s.resent_requests).toBeGreaterThan(5);
    else expect(s.elapsed_ms).toBeGreaterThanOrEqual(2_400); // 6 requests paced at 100 records/s

    expect(rows).toHaveLength(300);
    expect(rows).toHaveLength(s.accepted + s.held);
    // A refund answered "held" (its sale was still in flight) may have been applied since.
    expect(rows.filter((r) => r.state === 'held').length).toBeLessThanOrEqual(s.held);
    const sales = rows.filter((r) => r.status === 'settled');
    expect(sales).toHaveLength(s.sales);
    for (const r of sales) expect(BigInt(r.amount) >= MIN_SALE_FEN && BigInt(r.amount) <= MAX_SALE_FEN, r.amount).toBe(true);
    expect(sales.reduce((sum, r) => sum + BigInt(r.amount), 0n).toString()).toBe(s.sales_fen);
    expect(rows.filter((r) => r.status === 'refunded').reduce((sum, r) => sum + BigInt(r.amount), 0n).toString()).toBe(s.refunds_fen);
    expect(new Set(rows.map((r) => r.merchant_ref)).size).toBeGreaterThan(1);
  });

  it('refunds never exceed their sale, and belong to its merchant', () => {
    expect(checkRefunds(rows)).toBeGreaterThan(0);
  });

  it('exits 0 with every re-sent record answered "duplicate" (a re-sent refund is a replay, not a second refund)', () => {
    expect(s.rejected).toBe(0);
    expect(run.code).toBe(0);
  });
});

describe('simulate-channel against a running server', () => {
  it('exits 0 when everything is accepted: refunds without re-sends, secret from SIMULATE_PUSH_SECRET, readable summary', async () => {
    const run = await cli([...baseArgs(), '--count', '60', '--rate', '0', '--batch', '5', '--refund-share', '0.3', '--duplicate-share', '0', '--seed', 'env'], { [SECRET_ENV]: SECRET });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Every record was accepted, held or duplicate as expected.');
    expect(run.stdout).toMatch(/records\s+60 of 60 made: \d+ sales \(¥[\d.]+\), [1-9]\d* refunds/);
    expect(run.stdout).toMatch(/accepted \d+ · held \d+ · duplicate 0 · conflict 0 · rejected 0/);
  });

  it('a wrong secret: exit 1, the 401 explained, nothing stored, and it stops instead of pushing on', async () => {
    const run = await cli([...baseArgs(), '--secret', 'not-the-secret-000000000', '--count', '300', '--rate', '0', '--json']);
    expect(run.code).toBe(1);
    const s = JSON.parse(run.stdout) as SimulateSummary;
    expect(s.ok).toBe(false);
    expect(s.stopped).toContain('HTTP 401 SIGNATURE_INVALID');
    expect(s.stopped).toContain('check --secret');
    expect(s.accepted + s.held + s.duplicate).toBe(0);
    expect(s.failed_requests).toBeGreaterThan(0);
    expect(s.failed_requests).toBeLessThanOrEqual(4); // at most the requests already in flight
    expect(run.stderr).toContain('Signature check failed: signature does not match');
    expect(await rowsOf(s.run_id)).toHaveLength(0);
  });

  it('an unknown merchant: rejected records make it exit 1 and are named', async () => {
    const run = await cli(['--url', baseUrl, '--channel', 'simco', '--merchants', 'NOT-BOUND', '--secret', SECRET, '--count', '3', '--rate', '0', '--duplicate-share', '0']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('UNKNOWN_MERCHANT');
    expect(run.stdout).toContain('3 rejected');
  });

  it('no server at the URL: exit 1 with a clear message', async () => {
    const run = await cli(['--url', 'http://127.0.0.1:9', '--channel', 'simco', '--merchants', 'M', '--secret', SECRET, '--count', '3', '--rate', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot reach http://127.0.0.1:9: ECONNREFUSED');
  });

  it('Ctrl-C stops it cleanly (re-sends answered "duplicate"): requests in flight finish, the summary is printed, exit 130', async () => {
    const { child, out, exited } = launch([...baseArgs(), '--secret', SECRET, '--count', '100000', '--rate', '200', '--concurrency', '2', '--refund-share', '0', '--duplicate-share', '0.2', '--json']);
    await vi.waitFor(() => expect(out.stderr).toMatch(/\[1\.\ds\] sent [1-9]/), { timeout: 30_000, interval: 100 });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const s = JSON.parse(out.stdout) as SimulateSummary;
    expect(s).toMatchObject({ ok: true, interrupted: true, failed_requests: 0, rejected: 0, unexpected: 0, refunds: 0 });
    expect(s.resent_requests).toBeGreaterThan(0);
    expect(s.duplicate).toBe(s.resent_requests);
    expect(s.generated).toBeGreaterThan(0);
    expect(s.generated).toBeLessThan(100_000);
    expect(s.accepted + s.held + s.duplicate).toBe(s.sent);
    expect(await rowsOf(s.run_id)).toHaveLength(s.generated);
  });
});

describe('option checks (exit 2, nothing sent)', () => {
  it.each([
    [['--batch', '0'], '--batch: expected a whole number from 1 to 1000'],
    [['--refund-share', '2'], '--refund-share: expected a number from 0 to 1'],
  ])('%j through the CLI', async (extra, message) => {
    const run = await cli([...baseArgs(), '--secret', SECRET, ...extra]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  const valid = { channel: 'simco', secret: SECRET, merchants: 'A,B' };
  it.each([
    [{ batch: '0' }, '--batch: expected a whole number from 1 to 1000'],
    [{ batch: '1001' }, '--batch: expected a whole number from 1 to 1000'],
    [{ batch: '2.5' }, '--batch: expected a whole number'],
    [{ 'refund-share': '2' }, '--refund-share: expected a number from 0 to 1'],
    [{ 'refund-share': '-0.1' }, '--refund-share: expected a number from 0 to 1'],
    [{ 'duplicate-share': 'lots' }, '--duplicate-share: expected a number from 0 to 1'],
    [{ count: '0' }, '--count: expected a whole number'],
    [{ concurrency: '0' }, '--concurrency: expected a whole number'],
    [{ rate: 'fast' }, '--rate: expected records per second'],
    [{ url: 'ftp://example.com' }, '--url: expected an http:// or https:// URL'],
    [{ url: 'not a url' }, "--url: expected the server's base URL"],
    [{ channel: undefined }, '--channel is required'],
    [{ channel: 'Bad Channel' }, '--channel: expected a channel id'],
    [{ secret: undefined }, '--secret is required (or set SIMULATE_PUSH_SECRET)'],
    [{ merchants: undefined }, '--merchants (comma-separated merchant refs) or --merchant-file'],
    [{ merchants: ' , ' }, 'no merchant refs given'],
    [{ merchants: undefined, 'merchant-file': '/nonexistent/merchants.txt' }, '--merchant-file: cannot read "/nonexistent/merchants.txt" (ENOENT)'],
  ])('%j → %s', (over, message) => {
    const parsed = parseSimulateOptions({ ...valid, ...over }, {});
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it('the command itself answers 2 and names the problem', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void errors.push(String(line)));
    try {
      expect(await simulateChannel.run({ values: { ...valid, batch: '0' } })).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toContain('--batch: expected a whole number from 1 to 1000');
  });

  it('defaults, the secret from the environment, and merchants from a file', () => {
    const file = path.join(os.tmpdir(), `sim-merchants-${process.pid}.txt`);
    fs.writeFileSync(file, '# merchants\nF1\n\nF2\r\nA\n');
    try {
      const parsed = parseSimulateOptions({ channel: 'simco', merchants: 'A', 'merchant-file': file }, { [SECRET_ENV]: 'from-env' });
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.options).toMatchObject({ secret: 'from-env', merchants: ['A', 'F1', 'F2'], count: 100, rate: 50, batch: 1, concurrency: 4, refundShare: 0.05, duplicateShare: 0.02, json: false });
      expect(parsed.options.url.href).toBe('http://127.0.0.1:3000/');
      expect(parsed.options.seed).toMatch(/^[0-9a-f]{12}$/);
      const flagWins = parseSimulateOptions({ ...valid, secret: 'from-flag', 'refund-share': '1', 'duplicate-share': '.5', rate: '0' }, { [SECRET_ENV]: 'from-env' });
      expect(flagWins).toMatchObject({ ok: true, options: { secret: 'from-flag', refundShare: 1, duplicateShare: 0.5, rate: 0 } });
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});

describe('the record stream', () => {
  const stream = (seed: string, sizes: number[], refundShare = 0.3) => {
    const g = createGenerator({ runId: 'r', merchants: ['A', 'B', 'C', 'D'], refundShare, duplicateShare: 0.1, seed });
    return sizes.map((n) => g.batch(n));
  };

  it('amounts are integer fen from ¥1 to ¥5,000; refunds stay within what is left of their sale, same merchant', () => {
    const records: SimRecord[] = stream('props', Array.from({ length: 200 }, () => 100)).flatMap((b) => b.records);
    const sales = new Map<string, SimRecord>();
    const refunded = new Map<string, number>();
    for (const r of records) {
      expect(Number.isSafeInteger(r.amount_fen)).toBe(true);
      expect(r.amount_fen).toBeGreaterThanOrEqual(1);
      if (r.status === 'settled') {
        expect(r.amount_fen).toBeGreaterThanOrEqual(Number(MIN_SALE_FEN));
        expect(r.amount_fen).toBeLessThanOrEqual(Number(MAX_SALE_FEN));
        expect(r.original_txn_id).toBeUndefined();
        sales.set(r.channel_txn_id, r);
      } else {
        const sale = sales.get(r.original_txn_id!);
        expect(sale, 'a refund refers to an earlier sale').toBeDefined();
        expect(r.merchant_ref).toBe(sale!.merchant_ref);
        const total = (refunded.get(sale!.channel_txn_id) ?? 0) + r.amount_fen;
        expect(total).toBeLessThanOrEqual(sale!.amount_fen);
        refunded.set(sale!.channel_txn_id, total);
      }
    }
    const refunds = records.length - sales.size;
    expect(refunds / records.length).toBeGreaterThan(0.25);
    expect(refunds / records.length).toBeLessThan(0.35);
    // Both full and partial refunds occur; sale amounts spread over the bands.
    expect([...refunded].some(([id, total]) => total === sales.get(id)!.amount_fen)).toBe(true);
    expect([...refunded].some(([id, total]) => total < sales.get(id)!.amount_fen)).toBe(true);
    const amounts = [...sales.values()].map((s) => s.amount_fen);
    expect(amounts.some((a) => a < 1_000)).toBe(true);
    expect(amounts.some((a) => a > 100_000)).toBe(true);
    expect(new Set(records.map((r) => r.channel_txn_id)).size).toBe(records.length);
  });

  it('the same seed gives the same stream; another seed another one', () => {
    expect(stream('s1', [1, 50, 7])).toEqual(stream('s1', [1, 50, 7]));
    expect(stream('s1', [1, 50, 7])).not.toEqual(stream('s2', [1, 50, 7]));
  });

  it('occurred_at is now in China time', () => {
    expect(chinaTime(Date.UTC(2026, 10, 20, 2, 0, 0, 123))).toBe('2026-11-20T10:00:00.123+08:00');
    expect(Math.abs(new Date(chinaTime()).getTime() - Date.now())).toBeLessThan(1_000);
  });
});
