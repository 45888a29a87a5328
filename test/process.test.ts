/**
 * The "fresh machine" story on embedded PGlite, proven with real processes:
 * the server and the CLI started the way a person would start them, on a
 * fresh DATA_DIR, without DATABASE_URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { startArgs } from '../bench/push-server.js';
import { openPglite, queryRows } from '../src/db/client.js';
import { credit } from '../src/modules/wallets/wallets.service.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIMEOUT = 120_000;

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

function freshEnv(): NodeJS.ProcessEnv {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shanglian-proc-'));
  tempDirs.push(dataDir);
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', PORT: '0' };
  delete env.DATABASE_URL;
  for (const key of Object.keys(env)) if (key.startsWith('BOOTSTRAP_OWNER_')) delete env[key];
  return env;
}

function launch(args: string[], env: NodeJS.ProcessEnv, loader = ['--import', 'tsx']) {
  // Own process group, so a SIGKILL fallback also reaches the node process tsx starts.
  // One node process with the tsx loader (as `npm start` runs it): signals reach the server itself,
  // not a wrapper that relays them.
  const child = spawn(process.execPath, [...loader, ...args], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  children.add(child);
  child.stdin!.on('error', () => {}); // a child that never reads stdin must not fail the test
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  void exited.then(() => children.delete(child));
  return { child, out, exited };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

interface Server {
  url: string;
  port: number;
  out: { stdout: string; stderr: string };
  stop(): Promise<number | null>;
}

/** Starts the server with the flags of `npm start` and resolves once it prints the URL it listens on. */
async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const { child, out, exited } = launch(startArgs(root), env, []);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('server did not start within 30 s')), 30_000);
    const check = () => {
      const m = /is running at (http:\/\/127\.0\.0\.1:(\d+))/.exec(out.stdout);
      if (m) finish(null, m);
    };
    const onExit = (code: number | null) => finish(new Error(`server exited with ${code} before listening`));
    function finish(err: Error | null, m?: RegExpMatchArray) {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', onExit);
      if (m) resolve(m);
      else reject(new Error(`${err?.message}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`));
    }
    child.stdout!.on('data', check);
    child.on('exit', onExit);
  }).catch(async (err: unknown) => {
    killGroup(child, 'SIGKILL');
    await exited;
    throw err;
  });
  return { url: match[1]!, port: Number(match[2]), out, stop };
}

/** Runs src/cli/main.ts to completion; `input` is written to its stdin. */
async function runCli(args: string[], env: NodeJS.ProcessEnv, input = '', timeoutMs = 60_000) {
  const { child, out, exited } = launch(['src/cli/main.ts', ...args], env);
  child.stdin!.end(input);
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  return { code, ...out };
}

async function login(url: string, username: string, password: string) {
  return fetch(`${url}/api/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, client: 'api' }),
  });
}

afterEach(async () => {
  for (const child of [...children]) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    killGroup(child, 'SIGKILL');
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  }
  children.clear();
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('server process on a fresh DATA_DIR (PGlite)', () => {
  it('starts, prints its URL and serves health, readiness and docs', async () => {
    const server = await startServer(freshEnv());
    expect(server.port).toBeGreaterThan(0);

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'pglite' });

    const docs = await fetch(`${server.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toContain('text/html');

    const spec = await fetch(`${server.url}/docs/json`);
    expect(spec.status).toBe(200);
    const document = (await spec.json()) as { openapi?: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toContain('/api/member/register');

    expect(await server.stop()).toBe(0);
  }, TIMEOUT);

  it('keeps an owner created by the CLI across restarts', async () => {
    const env = freshEnv();
    expect(await (await startServer(env)).stop()).toBe(0);

    const created = await runCli(['create-owner', '--username', 'boss', '--password-stdin'], env, 'Secretpass123\n');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Owner "boss" created');

    for (let round = 0; round < 2; round++) {
      const server = await startServer(env);
      try {
        const res = await login(server.url, 'boss', 'Secretpass123');
        expect(res.status).toBe(200);
        expect(((await res.json()) as { staff: { username: string } }).staff.username).toBe('boss');
      } finally {
        expect(await server.stop()).toBe(0);
      }
    }
    expect(fs.existsSync(path.join(env.DATA_DIR!, 'pglite', '.shanglian.lock'))).toBe(false);
  }, TIMEOUT);

  it('makes the CLI refuse a DATA_DIR the running server holds', async () => {
    const env = freshEnv();
    const server = await startServer(env);
    const lockFile = path.join(env.DATA_DIR!, 'pglite', '.shanglian.lock');
    expect(fs.existsSync(lockFile)).toBe(true);

    const cli = await runCli(['migrate'], env);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/is in use by process \d+/);

    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(fs.existsSync(lockFile)).toBe(true);
    expect(await server.stop()).toBe(0);
  }, TIMEOUT);
});

describe('CLI process', () => {
  it('explains its commands and rejects bad usage', async () => {
    const env = freshEnv();
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    for (const name of ['migrate', 'create-owner', 'seed-demo']) expect(help.stdout).toContain(name);

    const ownerHelp = await runCli(['create-owner', '--help'], env);
    expect(ownerHelp.code).toBe(0);
    expect(ownerHelp.stdout).toContain('--username');

    const noUsername = await runCli(['create-owner', '--password-stdin'], env, 'Secretpass123\n');
    expect(noUsername.code).toBe(2);
    expect(noUsername.stderr).toContain('--username is required');

    const unknown = await runCli(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  }, TIMEOUT);

  it('refuses weak passwords and taken usernames when creating owners', async () => {
    const env = freshEnv();
    const weak = await runCli(['create-owner', '--username', 'boss', '--password-stdin'], env, 'short\n');
    expect(weak.code).not.toBe(0);
    expect(weak.stderr).toContain('WEAK_PASSWORD');

    const good = await runCli(['create-owner', '--username', 'boss', '--password-stdin'], env, 'Secretpass123\n');
    expect(good.code, good.stderr).toBe(0);

    const again = await runCli(['create-owner', '--username', 'boss', '--password-stdin'], env, 'Otherpass456\n');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('USERNAME_TAKEN');
  }, TIMEOUT);

  it('seeds a believable demo network and a year of its sales once, through the real services, and the server reads it', async () => {
    const env = freshEnv();
    // A whole network and ~6,000 sales on PGlite: slower than the other commands on a busy machine.
    const first = await runCli(['seed-demo', '--password', 'demo12345'], env, '', 120_000);
    expect(first.code, first.stderr).toBe(0);
    const created = Number(/Demo members: (\d+) created, 0 already there/.exec(first.stdout)?.[1]);
    expect(created).toBeGreaterThanOrEqual(300);
    const phones = /Phones: (.*)/.exec(first.stdout)?.[1]?.split(', ') ?? [];
    expect(phones).toEqual(['13800000001', '13800000002', '13800000003', '13800000004', '13800000005', '13800000006']);
    expect(first.stdout).toContain('demo12345');
    expect(first.stdout).toMatch(/Network: \d+ members in \d+ generations/);
    expect(first.stdout).toMatch(/Entry fees paid: [1-9]\d*/);
    const sales = Number(/Sales: ([\d,]+) over 12 months \(\d{4}-\d{2} … \d{4}-\d{2}\), ¥[\d,]+\.\d{2}, by \d+ active members/.exec(first.stdout)?.[1]?.replaceAll(',', ''));
    expect(sales).toBeGreaterThanOrEqual(3_000);

    const second = await runCli(['seed-demo', '--password', 'demo12345'], env, '', 120_000);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`0 created, ${created} already there; nothing to do.`);
    expect(second.stdout).not.toContain('demo12345');
    // The summary describes the same network both times.
    const summary = (out: string) => out.split('\n').filter((l) => /^(Network|Onboarding|Entry fees|Sales)/.test(l));
    expect(summary(first.stdout)).toHaveLength(4);
    expect(summary(second.stdout)).toEqual(summary(first.stdout));

    const migrate = await runCli(['migrate'], env);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('Migrations are up to date (pglite)');
    const ledger = await runCli(['verify-ledger'], env);
    expect(ledger.code, ledger.stdout).toBe(0);
    expect(ledger.stdout).toContain('The ledger is consistent.');

    const database = await openPglite(path.join(env.DATA_DIR!, 'pglite'));
    const count = async (query: ReturnType<typeof sql>) => Number((await queryRows<{ n: number }>(database.db, query))[0]!.n);
    try {
      expect(await count(sql`select count(*)::int as n from members`)).toBe(created);
      expect(await count(sql`select max(depth)::int as n from member_tree`)).toBeGreaterThanOrEqual(6);
      // Every member descends from one of the six, and some invite many while most invite nobody.
      expect(await count(sql`select count(*)::int as n from member_tree t join members m on m.id = t.member_id where t.parent_id is null and m.phone not between '13800000001' and '13800000006'`)).toBe(0);
      expect(await count(sql`select max(direct_count)::int as n from member_tree`)).toBeGreaterThanOrEqual(10);
      expect(await count(sql`select count(*)::int as n from member_tree where direct_count = 0`)).toBeGreaterThan(created / 2);
      const states = await queryRows<{ state: string; n: number }>(database.db, sql`
        select coalesce(a.state, 'none') as state, count(*)::int as n from members m left join onboarding_applications a on a.member_id = m.id group by 1`);
      const byState = Object.fromEntries(states.map((r) => [r.state, Number(r.n)]));
      for (const state of ['none', 'draft', 'submitted', 'rejected', 'approved', 'fee_pending', 'active']) expect(byState[state], state).toBeGreaterThan(0);
      const feeEvents = await count(sql`select count(*)::int as n from outbox_events where type = 'onboarding_fee_paid'`);
      expect(feeEvents).toBeGreaterThanOrEqual(1);
      expect(feeEvents).toBe(byState.active);
      expect(await count(sql`select count(*)::int as n from onboarding_applications where state = 'submitted' and jsonb_array_length(risk_flags) > 0`)).toBeGreaterThanOrEqual(2);
      expect(await count(sql`select count(*)::int as n from onboarding_applications where state = 'rejected' and review_reason is null`)).toBe(0);
      // The sales went in once (the second run pushed none), all by members whose entry fee is paid.
      expect(await count(sql`select count(*)::int as n from channel_transactions where status = 'settled'`)).toBe(sales);
      expect(await count(sql`select count(*)::int as n from outbox_events where type = 'transaction_settled'`)).toBe(sales);
      expect(await count(sql`
        select count(*)::int as n from channel_transactions t left join onboarding_applications a on a.member_id = t.member_id
        where a.state is distinct from 'active'`)).toBe(0);
      expect(await count(sql`select count(distinct date_trunc('month', occurred_at at time zone 'Asia/Shanghai'))::int as n from channel_transactions`)).toBe(12);
    } finally {
      await database.close();
    }

    // The server logs the demo members in and decrypts what the CLI stored (same data key, same upload folder).
    expect((await runCli(['create-owner', '--username', 'boss', '--password-stdin'], env, 'Secretpass123\n')).code).toBe(0);
    const server = await startServer(env);
    try {
      const member = await fetch(`${server.url}/api/member/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone: '13800000001', password: 'demo12345', client: 'api' }),
      });
      expect(member.status).toBe(200);
      const owner = (await (await login(server.url, 'boss', 'Secretpass123')).json()) as { session: { token: string } };
      const auth = { authorization: `Bearer ${owner.session.token}` };
      const queue = (await (await fetch(`${server.url}/api/admin/onboarding?state=submitted&flagged=true`, { headers: auth })).json()) as { items: { memberId: number; riskCodes: string[] }[] };
      expect(queue.items.length).toBeGreaterThanOrEqual(2);
      expect(new Set(queue.items.flatMap((i) => i.riskCodes))).toContain('duplicate_licence');
      const detail = (await (await fetch(`${server.url}/api/admin/onboarding/${queue.items[0]!.memberId}`, { headers: auth })).json()) as {
        application: { fields: { idNumber: string } };
        files: { fileId: number; kind: string }[];
      };
      expect(detail.application.fields.idNumber).toMatch(/^\d{17}[\dX]$/);
      expect(detail.files.map((f) => f.kind).sort()).toEqual(['id_back', 'id_front', 'licence', 'storefront']);
      const image = await fetch(`${server.url}/api/admin/onboarding/${queue.items[0]!.memberId}/files/${detail.files[0]!.fileId}`, { headers: auth });
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await image.arrayBuffer()).subarray(1, 4).toString('latin1')).toBe('PNG');

      // The server's event consumers turn the seeded sales into monthly figures: the network's volume
      // last month, and the team of the first demo member.
      const [year, month] = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' }).split('-').map(Number) as [number, number];
      const lastMonth = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
      const deadline = Date.now() + 60_000;
      let report: { volumeFen: string; payouts: { type: string; fen: string }[] };
      for (;;) {
        report = (await (await fetch(`${server.url}/api/admin/reports/monthly?month=${lastMonth}`, { headers: auth })).json()) as typeof report;
        if (report.volumeFen !== '0' || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(BigInt(report.volumeFen)).toBeGreaterThan(0n);
      const [founder] = ((await (await fetch(`${server.url}/api/admin/members?q=13800000001`, { headers: auth })).json()) as { items: { id: number }[] }).items;
      const figures = (await (await fetch(`${server.url}/api/admin/members/${founder!.id}/performance`, { headers: auth })).json()) as { months: { month: string; teamNetFen: string }[] };
      expect(BigInt(figures.months.find((m) => m.month === lastMonth)?.teamNetFen ?? '0')).toBeGreaterThan(0n);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 240_000);

  it('verify-ledger exits 0 on a consistent ledger and 1, naming the account, on a tampered one', async () => {
    const env = freshEnv();
    expect((await runCli(['seed-demo', '--password', 'demo12345'], env, '', 120_000)).code).toBe(0);
    // Post a reward straight into the embedded database while no process holds it.
    const database = await openPglite(path.join(env.DATA_DIR!, 'pglite'));
    const [member] = await queryRows<{ id: number }>(database.db, sql`select min(id)::int as id from members`);
    await database.db.transaction((tx) =>
      credit(tx, { idempotencyKey: 'cli-test', memberId: member!.id, amount: 500n, from: 'rewards:expense', sourceType: 'test', sourceId: 'cli', releaseAt: new Date(Date.now() - 1000) }),
    );
    await database.close();

    const release = await runCli(['release-frozen'], env);
    expect(release.code, release.stderr).toBe(0);
    expect(release.stdout).toContain('Released 1 frozen credit(s), 5.00 yuan');
    const clean = await runCli(['verify-ledger'], env);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('The ledger is consistent.');

    const again = await openPglite(path.join(env.DATA_DIR!, 'pglite'));
    await again.db.execute(sql`update wallets set available = available + 7 where member_id = ${member!.id}`);
    await again.close();
    const tampered = await runCli(['verify-ledger'], env);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`wallet:available#${member!.id}`);
    expect(tampered.stdout).toContain('1 problem(s) found.');
  }, TIMEOUT);
});
