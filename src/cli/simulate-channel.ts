/**
 * `cli simulate-channel`: a channel partner in a box. Generates realistic
 * sales and refunds, signs them the way a partner must, and pushes them at a
 * RUNNING server (`POST /api/channels/:channelId/transactions`) for load tests
 * and demos. It never opens the database.
 *
 * - Records: sales of log-normal-ish amounts between ¥1 and ¥5,000 (integer fen
 *   from a table of price bands), spread unevenly over the merchants; a share of
 *   refunds of earlier sales of the same merchant, partial or full, never more
 *   than what is left of the sale; `channel_txn_id` = `SIM-<run id>-<n>`.
 * - A share of requests is sent a second time after its answer, the same body
 *   bytes signed with a fresh timestamp: every record in it must come back "duplicate".
 * - `--seed` makes the record stream (amounts, merchants, refunds, re-sends)
 *   reproducible; the run id (and so the ids) is new on every run.
 *
 * Exit codes: 0 every record accepted, held or duplicate as expected;
 * 1 a request failed (network, non-200) or a record was rejected, a conflict,
 * or not what was expected; 2 bad options; 130 interrupted (Ctrl-C) cleanly.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { formatYuan } from '../lib/money.js';
import { MAX_BATCH } from '../modules/channels/ingest.service.js';
import { signPush, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../modules/channels/push-signature.js';
import type { Command } from './commands.js';
import { parseSimulateOptions, SECRET_ENV, type SimulateOptions } from './simulate-options.js';
import { chinaTime, createGenerator, type Batch } from './simulate-records.js';

export { parseSimulateOptions, SECRET_ENV, type SimulateOptions } from './simulate-options.js';

export { chinaTime, createGenerator, createRandom, MAX_SALE_FEN, MIN_SALE_FEN, saleAmount, type Batch, type Random, type SimRecord } from './simulate-records.js';

const REQUEST_TIMEOUT_MS = 30_000;
/** Network errors and 5xx answers in a row before the run gives up. */
const MAX_FAILURES_IN_A_ROW = 10;
/** Error messages kept for the summary (each is also printed once as it happens). */
const MAX_ERRORS = 20;

// ---------------------------------------------------------------------------
// Options

// ---------------------------------------------------------------------------
// Transport: node:http(s) with a keep-alive agent

interface Answer {
  status: number;
  body: string;
}

function createTransport(base: URL, channel: string, secret: string, concurrency: number) {
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  const target = new URL(`${basePath}api/channels/${encodeURIComponent(channel)}/transactions`, base);
  const secure = target.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: concurrency }) : new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const request = secure ? https.request : http.request;

  function post(raw: string): Promise<Answer> {
    const ts = Math.floor(Date.now() / 1000);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port || undefined,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(raw),
            [TIMESTAMP_HEADER]: String(ts),
            [SIGNATURE_HEADER]: signPush(secret, ts, raw),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(raw);
    });
  }
  return { target, post, close: () => agent.destroy() };
}

// ---------------------------------------------------------------------------
// The run

const OUTCOMES = ['accepted', 'held', 'duplicate', 'conflict', 'rejected'] as const;
type Outcome = (typeof OUTCOMES)[number];
interface ResultRow {
  channel_txn_id: string | null;
  result: Outcome;
  code?: string;
  message?: string;
}

export interface SimulateSummary {
  ok: boolean;
  run_id: string;
  seed: string;
  url: string;
  channel: string;
  /** Records asked for (--count). */
  planned: number;
  /** Distinct records made (sales + refunds); fewer than planned when stopped early. */
  generated: number;
  sales: number;
  refunds: number;
  sales_fen: string;
  refunds_fen: string;
  /** Records sent, re-sends included. */
  sent: number;
  requests: number;
  resent_requests: number;
  failed_requests: number;
  /** Records in failed requests (no per-record answer). */
  unanswered: number;
  accepted: number;
  held: number;
  duplicate: number;
  conflict: number;
  rejected: number;
  /** Answers that contradict what was sent: "duplicate" for a first send, anything but "duplicate" for a re-send. */
  unexpected: number;
  elapsed_ms: number;
  /** Records sent per second, over the whole run. */
  rate: number;
  interrupted: boolean;
  stopped: string | null;
  errors: string[];
}

const HINTS: Record<string, string> = {
  SIGNATURE_INVALID: `check --secret / ${SECRET_ENV} (and that this machine's clock is within 300 s of the server's)`,
  NOT_FOUND: 'check --channel: it must be an enabled push channel',
  PAYLOAD_TOO_LARGE: "lower --batch, or raise the server's BODY_LIMIT_BYTES",
};

function describeFailure(answer: Answer): { code: string | undefined; text: string } {
  let code: string | undefined;
  let message = answer.body.slice(0, 200);
  try {
    const parsed = JSON.parse(answer.body) as { error?: { code?: string; message?: string } };
    if (parsed.error?.code) code = parsed.error.code;
    if (parsed.error?.message) message = parsed.error.message;
  } catch {
    // not JSON: keep the start of the body
  }
  const hint = code ? HINTS[code] : undefined;
  return { code, text: `HTTP ${answer.status}${code ? ` ${code}` : ''}: ${message}${hint ? ` — ${hint}` : ''}` };
}

/** Runs the pushes; progress and problems go to `io.progress` (stderr), the summary is returned. */
export async function simulate(options: SimulateOptions, io: { progress: (line: string) => void } = { progress: (l) => console.error(l) }): Promise<SimulateSummary> {
  const runId = `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`;
  const generator = createGenerator({ runId, merchants: options.merchants, refundShare: options.refundShare, duplicateShare: options.duplicateShare, seed: options.seed });
  const transport = createTransport(options.url, options.channel, options.secret, options.concurrency);
  const s: SimulateSummary = {
    ok: false,
    run_id: runId,
    seed: options.seed,
    url: options.url.origin + options.url.pathname.replace(/\/$/, ''),
    channel: options.channel,
    planned: options.count,
    generated: 0,
    sales: 0,
    refunds: 0,
    sales_fen: '0',
    refunds_fen: '0',
    sent: 0,
    requests: 0,
    resent_requests: 0,
    failed_requests: 0,
    unanswered: 0,
    accepted: 0,
    held: 0,
    duplicate: 0,
    conflict: 0,
    rejected: 0,
    unexpected: 0,
    elapsed_ms: 0,
    rate: 0,
    interrupted: false,
    stopped: null,
    errors: [],
  };
  let salesFen = 0n;
  let refundsFen = 0n;
  const seen = new Set<string>();
  const problem = (text: string) => {
    if (seen.has(text)) return;
    seen.add(text);
    if (s.errors.length < MAX_ERRORS) s.errors.push(text);
    io.progress(`  ✗ ${text}`);
  };

  let stopping = false;
  const sleepers = new Set<() => void>();
  const stop = (reason: string | null) => {
    if (reason && !s.stopped) s.stopped = reason;
    stopping = true;
    for (const wake of sleepers) wake();
  };
  /** Waits for the pacing, or less when the run stops. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  let sigints = 0;
  const onSigint = () => {
    if (++sigints > 1) {
      io.progress('Second Ctrl-C: leaving without waiting for the requests in flight.');
      process.exit(130);
    }
    s.interrupted = true;
    io.progress('Interrupted: waiting for the requests in flight (Ctrl-C again to leave at once)…');
    stop(null);
  };
  process.on('SIGINT', onSigint);

  const started = Date.now();
  let failuresInARow = 0;
  let reserved = 0;
  let lastTick = { at: started, sent: 0 };
  const ticker = setInterval(() => {
    const now = Date.now();
    const rate = Math.floor(((s.sent - lastTick.sent) * 1000) / Math.max(1, now - lastTick.at));
    lastTick = { at: now, sent: s.sent };
    io.progress(
      `[${((now - started) / 1000).toFixed(1)}s] sent ${s.sent} (${s.generated}/${options.count} new) · accepted ${s.accepted} · duplicate ${s.duplicate} · held ${s.held} · rejected ${s.rejected + s.conflict}` +
        `${s.failed_requests ? ` · failed requests ${s.failed_requests}` : ''} · ${rate} rec/s`,
    );
  }, 1000);

  /** Sends one request and books its answer; false when it failed. */
  async function send(batch: Batch, raw: string, resend: boolean): Promise<boolean> {
    s.requests++;
    s.sent += batch.records.length;
    if (resend) s.resent_requests++;
    else
      for (const r of batch.records) {
        s.generated++;
        if (r.status === 'settled') {
          s.sales++;
          salesFen += BigInt(r.amount_fen);
        } else {
          s.refunds++;
          refundsFen += BigInt(r.amount_fen);
        }
      }
    let answer: Answer;
    try {
      answer = await transport.post(raw);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const origin = transport.target.origin;
      return failed(batch, e.code ? `cannot reach ${origin}: ${e.code}` : `request to ${origin} failed: ${e.message}`, true);
    }
    if (answer.status !== 200) {
      const { text } = describeFailure(answer);
      // 4xx refusals repeat for every request (wrong secret, channel, size): stop at the first. 5xx may pass.
      return failed(batch, `push refused (${text})`, answer.status >= 500 || answer.status === 408 || answer.status === 429);
    }
    let results: ResultRow[];
    try {
      results = (JSON.parse(answer.body) as { results: ResultRow[] }).results;
      if (!Array.isArray(results) || results.length !== batch.records.length) throw new Error('wrong number of results');
    } catch (err) {
      return failed(batch, `malformed answer (${(err as Error).message}): ${answer.body.slice(0, 200)}`, true);
    }
    failuresInARow = 0;
    results.forEach((r, i) => {
      const rec = batch.records[i]!;
      if (!OUTCOMES.includes(r.result)) {
        s.unexpected++;
        problem(`${rec.channel_txn_id}: unknown result ${JSON.stringify(r.result)}`);
        return;
      }
      s[r.result]++;
      if (r.result === 'rejected' || r.result === 'conflict') problem(`${rec.channel_txn_id}: ${r.result} (${r.code ?? '?'}) ${r.message ?? ''}`.trim());
      else if (resend ? r.result !== 'duplicate' : r.result === 'duplicate') {
        s.unexpected++;
        problem(`${rec.channel_txn_id}: "${r.result}" for a ${resend ? 're-sent' : 'first'} record, expected ${resend ? '"duplicate"' : '"accepted" or "held"'}`);
      }
    });
    return true;
  }

  function failed(batch: Batch, text: string, mayPass: boolean): false {
    s.failed_requests++;
    s.unanswered += batch.records.length;
    problem(text);
    if (!mayPass) stop(`the server refused a request: ${text}`);
    else if (++failuresInARow >= MAX_FAILURES_IN_A_ROW) stop(`${MAX_FAILURES_IN_A_ROW} requests in a row failed, last: ${text}`);
    return false;
  }

  async function worker() {
    while (!stopping && reserved < options.count) {
      const first = reserved;
      const size = Math.min(options.batch, options.count - first);
      reserved += size;
      // Made now, in order, so that the stream depends on the seed only.
      const batch = generator.batch(size);
      if (options.rate > 0) {
        const wait = started + (first * 1000) / options.rate - Date.now();
        if (wait > 0) await sleep(wait);
        if (stopping) break;
      }
      const occurredAt = chinaTime();
      for (const r of batch.records) r.occurred_at = occurredAt;
      const raw = JSON.stringify(options.batch === 1 ? batch.records[0] : { records: batch.records });
      const ok = await send(batch, raw, false);
      if (ok && batch.resend && !stopping) await send(batch, raw, true);
    }
  }

  io.progress(
    `Pushing ${options.count} record(s) to ${transport.target.href} — run ${runId}, seed "${options.seed}", ` +
      `batch ${options.batch}, concurrency ${options.concurrency}, ${options.rate > 0 ? `${options.rate} records/s` : 'as fast as possible'}`,
  );
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    clearInterval(ticker);
    process.off('SIGINT', onSigint);
    transport.close();
  }

  s.elapsed_ms = Date.now() - started;
  s.rate = Math.floor((s.sent * 1000) / Math.max(1, s.elapsed_ms));
  s.sales_fen = salesFen.toString();
  s.refunds_fen = refundsFen.toString();
  s.ok = !s.stopped && s.failed_requests === 0 && s.rejected === 0 && s.conflict === 0 && s.unexpected === 0;
  return s;
}

// ---------------------------------------------------------------------------
// Output and the command

export function formatSummary(s: SimulateSummary): string {
  const problems = s.failed_requests + s.rejected + s.conflict + s.unexpected;
  const verdict = s.stopped
    ? `Stopped: ${s.stopped}`
    : problems > 0
      ? `Problems: ${s.failed_requests} failed request(s), ${s.rejected} rejected, ${s.conflict} conflict(s), ${s.unexpected} unexpected answer(s).`
      : s.interrupted
        ? 'Interrupted; everything sent so far was accepted, held or duplicate as expected.'
        : 'Every record was accepted, held or duplicate as expected.';
  return [
    `Run ${s.run_id} (seed "${s.seed}") → ${s.url}, channel ${s.channel}`,
    `  records   ${s.generated} of ${s.planned} made: ${s.sales} sales (¥${formatYuan(BigInt(s.sales_fen))}), ${s.refunds} refunds (¥${formatYuan(BigInt(s.refunds_fen))})`,
    `  sent      ${s.sent} records in ${s.requests} requests (${s.resent_requests} re-sent unchanged), ${s.failed_requests} failed (${s.unanswered} records unanswered)`,
    `  answers   accepted ${s.accepted} · held ${s.held} · duplicate ${s.duplicate} · conflict ${s.conflict} · rejected ${s.rejected} · unexpected ${s.unexpected}`,
    `  time      ${(s.elapsed_ms / 1000).toFixed(1)} s, ${s.rate} records/s`,
    ...s.errors.map((e) => `  ✗ ${e}`),
    verdict,
  ].join('\n');
}

export const simulateChannel = {
  name: 'simulate-channel',
  summary: 'Push signed, realistic sales and refunds at a running server, for load tests and demos (does not open the database)',
  needsDatabase: false,
  options: {
    url: { type: 'string', description: 'server base URL (default http://127.0.0.1:3000)' },
    channel: { type: 'string', description: 'id of the push channel (required)' },
    secret: { type: 'string', description: `the channel's push secret (required; or env ${SECRET_ENV}, which keeps it out of ps)` },
    merchants: { type: 'string', description: 'comma-separated merchant refs bound on the channel' },
    'merchant-file': { type: 'string', description: 'file with one merchant ref per line (instead of / besides --merchants)' },
    count: { type: 'string', description: 'records to push, re-sends not counted (default 100)' },
    rate: { type: 'string', description: 'target records per second (default 50; 0 = as fast as possible)' },
    batch: { type: 'string', description: `records per request, 1-${MAX_BATCH} (default 1)` },
    concurrency: { type: 'string', description: 'requests in flight at once (default 4)' },
    'refund-share': { type: 'string', description: 'share of records that refund an earlier sale, 0-1 (default 0.05)' },
    'duplicate-share': { type: 'string', description: 'share of requests sent twice unchanged, 0-1 (default 0.02)' },
    seed: { type: 'string', description: 'seed for a reproducible record stream (default: random, printed)' },
    json: { type: 'boolean', description: 'print the final summary as JSON (exit 0 ok, 1 problems, 130 Ctrl-C)' },
  },
  async run({ values }) {
    const parsed = parseSimulateOptions(values);
    if (!parsed.ok) {
      console.error(`${parsed.error}\n(see npm run cli -- simulate-channel --help)`);
      return 2;
    }
    const summary = await simulate(parsed.options);
    console.log(parsed.options.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    if (!summary.ok) return 1;
    return summary.interrupted ? 130 : 0;
  },
} satisfies Command;
