import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Floor {
  one_event_per_commit_eps: number;
  batch_100_eps: number;
  pgbench_tpcb_tps?: number;
}

/**
 * The Postgres floor for this machine (../shared/bench/pg-floor): taken from
 * FLOOR_JSON when given, else measured now, in the same session as our run.
 */
export function pgFloor(adminUrl: string, seconds: number): Floor {
  if (process.env.FLOOR_JSON) return JSON.parse(process.env.FLOOR_JSON) as Floor;
  const script = path.resolve(import.meta.dirname, '../../shared/bench/pg-floor/run.sh');
  if (!fs.existsSync(script)) throw new Error(`pg-floor script not found at ${script}; pass FLOOR_JSON instead`);
  console.error(`measuring the Postgres floor (${script}, ${seconds}s per test)…`);
  const out = execFileSync('bash', [script, adminUrl, String(seconds)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.trim().split('\n').at(-1)!;
  return JSON.parse(line) as Floor;
}

/** A fresh database on the server for one benchmark run; `drop()` removes it. */
export async function scratchDatabase(adminUrl: string, label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `sl_bench_${label}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  // A connection the server drops while the benchmark winds down must not crash the process after its figures are printed.
  admin.on('error', (err) => console.error('scratch admin connection:', err.message));
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
