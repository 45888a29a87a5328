import readline from 'node:readline';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { PasswordHasher } from '../modules/auth/passwords.js';
import { sql } from 'drizzle-orm';
import { queryRows } from '../db/client.js';
import { verifyLedger } from '../modules/ledger/verify.service.js';
import { drainPerformance, rebuildPerformance } from '../modules/performance/performance.service.js';
import { DEMO_NETWORK_SIZE } from '../modules/members/demo-network.js';
import { seedDemo } from '../modules/members/demo-seed.js';
import { DEMO_CHANNEL_ID, DEMO_CHANNEL_NAME } from '../modules/members/demo-sales.js';
import { createFileStore } from '../modules/onboarding/files.js';
import { createFieldCipher, resolveDataKey } from '../lib/crypto.js';
import { releaseDue } from '../modules/wallets/wallets.service.js';
import { formatYuan } from '../lib/money.js';
import { createStaff } from '../modules/staff/staff.service.js';
import { systemAuditContext } from '../modules/audit/audit.service.js';
import { simulateChannel } from './simulate-channel.js';
import { zonedMidnight } from '../lib/zoned-time.js';
import { activeRuleSet, readDraft, ruleSetAt } from '../modules/rewards/rule-sets.service.js';
import { simulate } from '../modules/rewards/simulation.service.js';
import { parseMonth } from '../modules/performance/performance.service.js';
import { type Progress, settleMonth } from '../modules/dividends/settlement.service.js';
import { runSummaries, type RunSummary } from '../modules/dividends/settlement-views.service.js';

/** A progress bar on stderr with rate and ETA (a line per tenth when stderr is not a terminal). */
function progressBar(label: string) {
  let lastTenth = -1;
  return (p: Progress) => {
    const elapsed = (Date.now() - new Date(p.startedAt).getTime()) / 1000;
    const rate = elapsed > 0 ? p.done / elapsed : 0;
    const eta = rate > 0 ? Math.max(0, (p.total - p.done) / rate) : 0;
    const share = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
    const bar = `${'█'.repeat(Math.floor(share * 24))}${'░'.repeat(24 - Math.floor(share * 24))}`;
    const line = `${label} ${p.stage.padEnd(10)} ${bar} ${(share * 100).toFixed(0).padStart(3)}% ${p.done}/${p.total} · ${Math.floor(rate)}/s · ETA ${eta.toFixed(0)}s`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}${p.stage === 'done' || p.stage === 'preview' ? '\n' : ''}`);
    else if (Math.floor(share * 10) !== lastTenth || p.stage === 'done' || p.stage === 'preview') {
      lastTenth = Math.floor(share * 10);
      process.stderr.write(`${line}\n`);
    }
  };
}

function printRun(r: RunSummary) {
  console.log(`Run ${r.id} · ${r.month} · ${r.state} · tiers v${r.tiersVersion} · volume ${r.volumeFen === null ? '—' : formatYuan(BigInt(r.volumeFen))} yuan · pay into ${r.payInto}${r.approvalRequired ? ' after approval' : ''}`);
  for (const t of r.tiers) {
    console.log(`  ${t.name.padEnd(8)} pool ${formatYuan(BigInt(t.poolFen)).padStart(12)}  qualifiers ${String(t.qualifiers).padStart(7)}  share ${formatYuan(BigInt(t.shareFen)).padStart(10)}  remainder ${formatYuan(BigInt(t.remainderFen)).padStart(6)}  paid ${formatYuan(BigInt(t.paidFen)).padStart(12)}`);
  }
}

export interface CommandContext {
  config: Config;
  database: Database;
  hasher: PasswordHasher;
  values: Record<string, string | boolean | undefined>;
}

/** What a command that runs without the database gets (`needsDatabase: false`). */
export type StandaloneContext = Pick<CommandContext, 'values'>;

type OptionSpec = { type: 'string' | 'boolean'; description?: string };

interface CommandBase {
  name: string;
  summary: string;
  options: Record<string, OptionSpec & { short?: string }>;
}

/**
 * By default runCli opens and migrates the database before running a
 * command; `needsDatabase: false` skips that (and the configuration), for
 * commands that only talk to a running server, which may hold the PGlite folder.
 */
export type Command =
  | (CommandBase & { needsDatabase?: true; run(ctx: CommandContext): Promise<number> })
  | (CommandBase & { needsDatabase: false; run(ctx: StandaloneContext): Promise<number> });

export const commands: Command[] = [
  {
    name: 'migrate',
    summary: 'Apply pending database migrations (the server also does this at start-up)',
    options: {},
    async run({ database }) {
      // runCli has already migrated; saying so is all that is left.
      console.log(`Migrations are up to date (${database.kind}).`);
      return 0;
    },
  },
  {
    name: 'create-owner',
    summary: 'Create an owner staff account (asks for the password, or reads it from stdin)',
    options: {
      username: { type: 'string', description: 'login name, 3-32 lower-case letters, digits, . _ -' },
      name: { type: 'string', description: 'display name (default: the username)' },
      'password-stdin': { type: 'boolean', description: 'read the password from standard input' },
    },
    async run({ database, hasher, values }) {
      const username = typeof values.username === 'string' ? values.username.trim().toLowerCase() : '';
      if (!/^[a-z][a-z0-9_.-]{2,31}$/.test(username)) {
        console.error('--username is required: 3-32 lower-case letters, digits, . _ - starting with a letter');
        return 2;
      }
      const password = values['password-stdin'] ? await readStdin() : await promptPassword();
      if (password === null) {
        console.error('No password given: run in a terminal to be asked, or pass --password-stdin and pipe it in.');
        return 2;
      }
      const created = await createStaff(database.db, hasher, systemAuditContext('cli create-owner'), {
        username,
        displayName: typeof values.name === 'string' && values.name.trim() ? values.name.trim() : username,
        roles: ['owner'],
        password,
        mustChangePassword: false,
      });
      console.log(`Owner "${created.username}" created (id ${created.id}). Log in at /api/staff/login or the admin console.`);
      return 0;
    },
  },
  {
    name: 'verify-ledger',
    summary: 'Check the ledger: balanced entries, cached balances = postings, no negative frozen/withdrawing (exit 1 on any problem)',
    options: { json: { type: 'boolean', description: 'print the report as JSON' } },
    async run({ database, values }) {
      const report = await verifyLedger(database.db);
      if (values.json) console.log(JSON.stringify(report, null, 2));
      else {
        console.log(`Checked ${report.entries} entries, ${report.postings} postings, ${report.wallets} wallets.`);
        for (const p of report.problems) console.log(`  ✗ [${p.check}] ${p.account}: ${p.detail}`);
        console.log(report.ok ? 'The ledger is consistent.' : `${report.problems.length} problem(s) found.`);
      }
      return report.ok ? 0 : 1;
    },
  },
  {
    name: 'rebuild-performance',
    summary: 'Recompute every open month of performance from the stored transactions and the current tree, and say whether anything differed',
    options: {},
    async run({ database, config }) {
      const db = database.db;
      const fingerprint = async () =>
        (await queryRows<{ h: string | null; n: number | string }>(db, sql`
          select md5(string_agg(concat_ws(',', member_id, month, personal_settled, personal_refunded, personal_txns, team_settled, team_refunded, team_active, earlier_personal_net, earlier_team_net), ';'
                 order by member_id, month)) as h, count(*) as n
          from member_performance
          where month not in (select month from performance_months)
            and (personal_settled, personal_refunded, personal_txns, team_settled, team_refunded, team_active) <> (0, 0, 0, 0, 0, 0)`))[0]!;
      await drainPerformance(db, config.PLATFORM_TIMEZONE);
      const before = await fingerprint();
      const t = performance.now();
      const result = await rebuildPerformance(db, config.PLATFORM_TIMEZONE);
      const after = await fingerprint();
      console.log(`Rebuilt ${result.rows} row(s) for ${result.months.length} open month(s)${result.months.length ? ` (${result.months[0]!.slice(0, 7)} … ${result.months.at(-1)!.slice(0, 7)})` : ''} in ${((performance.now() - t) / 1000).toFixed(1)} s.`);
      console.log(before.h === after.h ? 'Identical to the figures kept as transactions arrived.' : `The figures differed from the kept ones (${before.n} → ${after.n} non-zero rows); the rebuilt ones now stand.`);
      return 0;
    },
  },
  {
    name: 'simulate-rules',
    summary: 'Run the reward rule draft (or --version N) and the published set over a past period of processed events; writes nothing',
    options: {
      from: { type: 'string', description: 'start, e.g. 2026-10-01 (platform time zone) or an ISO time' },
      to: { type: 'string', description: 'end (exclusive), e.g. 2026-11-01' },
      version: { type: 'string', description: 'a rule-set version to simulate instead of the draft' },
      json: { type: 'boolean', description: 'print the whole result as JSON' },
    },
    async run({ database, config, values }) {
      const at = (v: unknown, name: string) => {
        if (typeof v !== 'string') throw new Error(`--${name} is required`);
        // A bare date is midnight in the platform time zone (offset taken from that moment).
        return /^\d{4}-\d{2}-\d{2}$/.test(v) ? zonedMidnight(v, config.PLATFORM_TIMEZONE) : new Date(v);
      };
      const db = database.db;
      const published = await activeRuleSet(db);
      const stored = values.version ? null : await readDraft(db);
      const draft = values.version ? await ruleSetAt(db, Number(values.version)) : stored ? { ...stored.body, version: stored.version } : published;
      const r = await simulate(db, config.PLATFORM_TIMEZONE, { draft, published, from: at(values.from, 'from'), to: at(values.to, 'to') });
      if (values.json) {
        console.log(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
        return 0;
      }
      const pct = (ppm: number) => `${(ppm / 10_000).toFixed(2)}%`;
      console.log(`${r.events} event(s), volume ${formatYuan(r.volumeFen)} yuan; v${r.draftVersion} (draft) against v${r.publishedVersion} (published)`);
      console.log(`total   ${formatYuan(r.draft.totalFen).padStart(14)}  ${formatYuan(r.published.totalFen).padStart(14)}  (${pct(r.draft.shareOfVolumePpm)} vs ${pct(r.published.shareOfVolumePpm)} of volume)`);
      for (const d of r.difference.byRule) console.log(`${d.name.padEnd(8)} ${formatYuan(d.draftFen).padStart(14)}  ${formatYuan(d.publishedFen).padStart(14)}  ${formatYuan(d.differenceFen).padStart(14)}`);
      return 0;
    },
  },
  {
    name: 'settlement preview',
    summary: 'Compute the statistics of a month (opening its run if needed) and print the preview; pays nothing',
    options: { month: { type: 'string', description: 'the month to settle, e.g. 2026-10' } },
    async run({ database, config, values }) {
      if (typeof values.month !== 'string') throw new Error('--month is required');
      const run = await settleMonth(database.db, database.kind, systemAuditContext('cli'), parseMonth(values.month), config.PLATFORM_TIMEZONE, { pay: false, onProgress: progressBar(values.month) });
      printRun(run);
      return 0;
    },
  },
  {
    name: 'settlement run',
    summary: 'Settle a month: statistics, preview, and payment (when approved, or when approval is off); resumes an interrupted run',
    options: { month: { type: 'string', description: 'the month to settle, e.g. 2026-10' } },
    async run({ database, config, values }) {
      if (typeof values.month !== 'string') throw new Error('--month is required');
      const run = await settleMonth(database.db, database.kind, systemAuditContext('cli'), parseMonth(values.month), config.PLATFORM_TIMEZONE, { pay: true, onProgress: progressBar(values.month) });
      printRun(run);
      if (run.state === 'preview') console.log('Waiting for finance approval (POST /api/admin/settlement/runs/:id/approve), then run this again.');
      return 0;
    },
  },
  {
    name: 'settlement status',
    summary: 'The latest settlement runs with their stage, progress and tiers',
    options: { month: { type: 'string', description: 'only this month, e.g. 2026-10' } },
    async run({ database, values }) {
      const runs = await runSummaries(database.db, { month: typeof values.month === 'string' ? parseMonth(values.month) : undefined, limit: 12 });
      if (runs.length === 0) console.log('No settlement runs yet.');
      for (const r of runs) {
        printRun(r);
        if (r.state === 'collecting' || r.state === 'paying') console.log(`  progress: ${r.progress.stage} ${r.progress.done ?? 0}/${r.progress.total ?? 0}`);
      }
      return 0;
    },
  },
  {
    name: 'release-frozen',
    summary: 'Move frozen credits whose release time has passed to available (the server also runs this periodically)',
    options: {},
    async run({ database }) {
      const result = await releaseDue(database.db);
      console.log(`Released ${result.released} frozen credit(s), ${formatYuan(result.amount)} yuan in total.`);
      return 0;
    },
  },
  {
    name: 'seed-demo',
    summary: `Add a demo network: ${DEMO_NETWORK_SIZE} members under the six fixed demo members, applications in every state, paid entry fees, a year of sales (development and demos only)`,
    options: {
      password: { type: 'string', description: 'password for the demo members (default: a random one, printed)' },
      force: { type: 'boolean', description: 'allow seeding when NODE_ENV=production' },
    },
    async run({ config, database, hasher, values }) {
      if (config.NODE_ENV === 'production' && !values.force) {
        console.error('Refusing to seed demo data with NODE_ENV=production (use --force if you really mean it).');
        return 2;
      }
      // The server's data key and upload folder, so it can decrypt the forms and images seeded here.
      const cipher = createFieldCipher(resolveDataKey(config.DATA_ENCRYPTION_KEY, config.dataDir, config.NODE_ENV === 'production'));
      const files = createFileStore(config.uploadDir, config.UPLOAD_MAX_BYTES, cipher);
      const started = Date.now();
      const result = await seedDemo(database.db, { hasher, cipher, files, timeZone: config.PLATFORM_TIMEZONE }, { password: typeof values.password === 'string' ? values.password : undefined });
      const { network: n, sales: s } = result;
      const changed = result.created + result.bindings + result.applications + result.salesPushed > 0;
      console.log(
        `Demo members: ${result.created} created, ${result.existing} already there` +
          (changed
            ? `; ${result.bindings} bound to their inviters, ${result.applications} applications filed, ${result.salesPushed} sales and refunds pushed (${((Date.now() - started) / 1000).toFixed(1)} s).`
            : '; nothing to do.'),
      );
      console.log(`Network: ${n.members} members in ${n.generations.length} generations (per generation: ${n.generations.join(' / ')}).`);
      console.log(`Onboarding: ${Object.entries(n.states).map(([state, count]) => `${state} ${count}`).join(', ')}; ${n.flagged} awaiting review with risk flags.`);
      console.log(`Entry fees paid: ${n.feesPaid} (${formatYuan(n.feesPaidFen)} yuan, sandbox channel).`);
      const grouped = (fen: bigint) => `¥${formatYuan(fen).replace(/\B(?=(\d{3})+\.)/g, ',')}`;
      console.log(
        `Sales: ${s.sales.toLocaleString('en')} over ${s.months} months${s.firstMonth ? ` (${s.firstMonth} … ${s.lastMonth})` : ''}, ${grouped(s.salesFen)}, ` +
          `by ${s.merchants} active members on the channel "${DEMO_CHANNEL_ID}" (${DEMO_CHANNEL_NAME}); ${s.refunds} refunds, ${grouped(s.refundsFen)}.`,
      );
      // Ingest only stores the sales and their events; the consumers in the server do the rest.
      if (result.salesPushed > 0) console.log('Rewards, performance and levels follow from the sales once the server runs (its event consumers process them within a minute).');
      console.log(`Phones: ${result.phones.join(', ')}`);
      if (result.password) console.log(`Password for the members created now (all of them, not only these six): ${result.password}`);
      return 0;
    },
  },
  simulateChannel,
];

async function readStdin(): Promise<string | null> {
  if (process.stdin.isTTY) return promptPassword();
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  return text.length > 0 ? text : null;
}

/** Asks twice without echoing; null when there is no terminal to ask on. */
async function promptPassword(): Promise<string | null> {
  if (!process.stdin.isTTY) return null;
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      const out = rl as unknown as { _writeToOutput: (s: string) => void };
      let muted = false;
      out._writeToOutput = (s: string) => {
        if (!muted) process.stdout.write(s);
      };
      rl.question(question, (answer) => {
        rl.close();
        process.stdout.write('\n');
        resolve(answer);
      });
      muted = true;
    });
  const first = await ask('Password (10+ characters, a letter and a digit): ');
  const second = await ask('Repeat it: ');
  if (first !== second) {
    console.error('The two passwords differ.');
    return null;
  }
  return first;
}
