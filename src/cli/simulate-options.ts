/** Options of `cli simulate-channel`, checked with messages that name the option. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { MAX_BATCH } from '../modules/channels/ingest.service.js';
import type { StandaloneContext } from './commands.js';

export const SECRET_ENV = 'SIMULATE_PUSH_SECRET';

export interface SimulateOptions {
  url: URL;
  channel: string;
  secret: string;
  merchants: string[];
  count: number;
  /** Records per second; 0 = as fast as the server answers. */
  rate: number;
  batch: number;
  concurrency: number;
  refundShare: number;
  duplicateShare: number;
  seed: string;
  json: boolean;
}

type Values = StandaloneContext['values'];
type Parsed = { ok: true; options: SimulateOptions } | { ok: false; error: string };

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v.trim() : undefined);

function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number, max: number): number | string {
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw)) return `--${name}: expected a whole number from ${min} to ${max} (got "${raw}")`;
  const n = Number(raw);
  return n >= min && n <= max ? n : `--${name}: expected a whole number from ${min} to ${max} (got ${n})`;
}

function share(name: string, raw: string | undefined, fallback: number): number | string {
  if (raw === undefined) return fallback;
  const n = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : NaN;
  return n >= 0 && n <= 1 ? n : `--${name}: expected a number from 0 to 1, e.g. 0.05 (got "${raw}")`;
}

/** Checks every option; the error names the option and what it expects. */
export function parseSimulateOptions(values: Values, env: NodeJS.ProcessEnv = process.env): Parsed {
  const fail = (error: string): Parsed => ({ ok: false, error });

  const rawUrl = str(values.url) || 'http://127.0.0.1:3000';
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return fail(`--url: expected the server's base URL, e.g. http://127.0.0.1:3000 (got "${rawUrl}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(`--url: expected an http:// or https:// URL (got "${rawUrl}")`);

  const channel = str(values.channel);
  if (!channel) return fail('--channel is required: the id of a push channel on the server');
  if (!/^[a-z][a-z0-9_-]{1,31}$/.test(channel)) return fail(`--channel: expected a channel id, 2-32 lower-case letters, digits, _ - (got "${channel}")`);

  const secret = typeof values.secret === 'string' && values.secret !== '' ? values.secret : env[SECRET_ENV];
  if (!secret) return fail(`--secret is required (or set ${SECRET_ENV}): the channel's push secret`);

  const merchants: string[] = [];
  const inline = str(values.merchants);
  if (inline) merchants.push(...inline.split(',').map((m) => m.trim()).filter(Boolean));
  const file = str(values['merchant-file']);
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      return fail(`--merchant-file: cannot read "${file}" (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    merchants.push(...text.split(/\r?\n/).map((m) => m.trim()).filter((m) => m && !m.startsWith('#')));
  }
  if (!inline && !file) return fail('--merchants (comma-separated merchant refs) or --merchant-file (one per line) is required');
  const unique = [...new Set(merchants)];
  if (unique.length === 0) return fail('no merchant refs given: --merchants / --merchant-file are empty');
  const tooLong = unique.find((m) => m.length > 64);
  if (tooLong) return fail(`merchant ref "${tooLong.slice(0, 20)}…" is longer than 64 characters`);

  const count = wholeNumber('count', str(values.count), 100, 1, 100_000_000);
  if (typeof count === 'string') return fail(count);
  const rawRate = str(values.rate);
  const rate = rawRate === undefined ? 50 : /^(?:\d{1,7}(?:\.\d*)?|\.\d+)$/.test(rawRate) ? Number(rawRate) : NaN;
  if (!(rate >= 0)) return fail(`--rate: expected records per second, 0 or more (0 = as fast as possible; got "${rawRate}")`);
  const batch = wholeNumber('batch', str(values.batch), 1, 1, MAX_BATCH);
  if (typeof batch === 'string') return fail(batch);
  const concurrency = wholeNumber('concurrency', str(values.concurrency), 4, 1, 1024);
  if (typeof concurrency === 'string') return fail(concurrency);
  const refundShare = share('refund-share', str(values['refund-share']), 0.05);
  if (typeof refundShare === 'string') return fail(refundShare);
  const duplicateShare = share('duplicate-share', str(values['duplicate-share']), 0.02);
  if (typeof duplicateShare === 'string') return fail(duplicateShare);
  const seed = str(values.seed);
  if (seed === '') return fail('--seed: expected a non-empty value');

  return {
    ok: true,
    options: {
      url,
      channel,
      secret,
      merchants: unique,
      count,
      rate,
      batch,
      concurrency,
      refundShare,
      duplicateShare,
      seed: seed ?? crypto.randomBytes(6).toString('hex'),
      json: values.json === true,
    },
  };
}
