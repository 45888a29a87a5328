import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { signPush } from '../src/modules/channels/push-signature.js';

/**
 * The server as it runs in production (its own process, on PostgreSQL) and
 * the lightest push client (plain http with keep-alive), so the machine's two
 * cores go to the server and PostgreSQL.
 */
export async function startServer(databaseUrl: string, dataKey: string, env: Record<string, string> = {}): Promise<{ base: string; process: ChildProcess }> {
  const root = path.resolve(import.meta.dirname, '..');
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server (e.g. --cpu-prof when profiling).
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const server = spawn(process.execPath, [...extra, ...startArgs(root)], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '16', PORT: '0', LOG_LEVEL: 'error', DATA_ENCRYPTION_KEY: dataKey, NODE_ENV: 'production', BODY_LIMIT_BYTES: String(4 * 1024 * 1024), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return { base, process: server };
}

/**
 * Stops the server and waits for it to exit (its consumers finish their
 * round and it closes its pool), so a scratch database dropped afterwards
 * does not cut connections still in use, and the floor measured next has
 * the machine to itself. Gives up waiting after `timeoutMs`.
 */
export function stopServer(server: ChildProcess | undefined, timeoutMs = 15_000): Promise<void> {
  if (!server || server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    server.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    server.kill('SIGTERM');
  });
}

/**
 * The node arguments of `npm start` (its flags and entry point), read from
 * package.json so the bench measures the server with the flags it runs with
 * (npm itself is left out: it would be the process whose CPU is measured).
 */
export function startArgs(root: string): string[] {
  const start: string = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start;
  const [command, ...args] = start.split(/\s+/);
  if (command !== 'node' || args.length === 0) throw new Error(`expected "npm start" to run node, found: ${start}`);
  return args;
}

/** Sends a signed push; resolves with the number of records accepted. */
export function pushClient(base: string, channel: string, secret: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(`${base}/api/channels/${channel}/transactions`);
  return function send(body: unknown): Promise<number> {
    const raw = JSON.stringify(body);
    const ts = Math.floor(Date.now() / 1000);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw), 'x-shanglian-timestamp': String(ts), 'x-shanglian-signature': signPush(secret, ts, raw) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) return reject(new Error(`push answered ${res.statusCode}: ${text}`));
            resolve((JSON.parse(text) as { summary: { accepted: number } }).summary.accepted);
          });
        },
      );
      req.on('error', reject);
      req.end(raw);
    });
  };
}
