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
import { createFileStore } from '../modules/onboarding/files.js';
import { createFieldCipher, resolveDataKey } from '../lib/crypto.js';
import { releaseDue } from '../modules/wallets/wallets.service.js';
import { formatYuan } from '../lib/money.js';
import { createStaff } from '../modules/staff/staff.service.js';
import { systemAuditContext } from '../modules/audit/audit.service.js';
import { simulateChannel } from './simulate-channel.js';
import { activeRuleSet, readDraft, ruleSetAt } from '../modules/rewards/rule-sets.service.js';
import { simulate } from '../modules/rewards/simulation.service.js';

/** 00:00 of a calendar day in a time zone, as an instant. */
function zonedMidnight(day: string, timeZone: string): Date {
  const utc = new Date(`${day}T00:00:00Z`);
  const local = new Date(utc.toLocaleString('en-US', { timeZone }));
  const offsetMs = local.getTime() - new Date(utc.toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
  return new Date(utc.getTime() - offsetMs);
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
          select md5(string_agg(concat_ws(',', member_id, month, personal_settled, personal_refunded, personal_txns, team_settled, team_refunded, team_active), ';'
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
    summary: `Add a demo network: ${DEMO_NETWORK_SIZE} members under the six fixed demo members, applications in every state, paid entry fees (development and demos only)`,
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
      const result = await seedDemo(database.db, { hasher, cipher, files }, { password: typeof values.password === 'string' ? values.password : undefined });
      const { network: n } = result;
      const changed = result.created + result.bindings + result.applications > 0;
      console.log(
        `Demo members: ${result.created} created, ${result.existing} already there` +
          (changed ? `; ${result.bindings} bound to their inviters, ${result.applications} applications filed (${((Date.now() - started) / 1000).toFixed(1)} s).` : '; nothing to do.'),
      );
      console.log(`Network: ${n.members} members in ${n.generations.length} generations (per generation: ${n.generations.join(' / ')}).`);
      console.log(`Onboarding: ${Object.entries(n.states).map(([state, count]) => `${state} ${count}`).join(', ')}; ${n.flagged} awaiting review with risk flags.`);
      console.log(`Entry fees paid: ${n.feesPaid} (${formatYuan(n.feesPaidFen)} yuan, sandbox channel).`);
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
