import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { DatabaseInUseError, openDatabase, type Database } from '../db/client.js';
import { AppError } from '../lib/errors.js';
import { createPasswordHasher } from '../modules/auth/passwords.js';
import { commands, type Command } from './commands.js';

const usage = `Usage: npm run cli -- <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(16)} ${c.summary}`).join('\n')}

Run "npm run cli -- <command> --help" for a command's options.
Configuration comes from the same environment variables as the server (see README).`;

export async function runCli(argv: string[]): Promise<number> {
  const [first, ...others] = argv;
  // Two-word commands (settlement preview|run|status) are named with their space.
  const twoWords = first && others[0] && commands.some((c) => c.name === `${first} ${others[0]}`);
  const name = twoWords ? `${first} ${others[0]}` : first;
  const rest = twoWords ? others.slice(1) : others;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${usage}`);
    return 2;
  }
  let args: ReturnType<typeof parse>;
  try {
    args = parse(command, rest);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${helpOf(command)}`);
    return 2;
  }
  if (args.values.help) {
    console.log(helpOf(command));
    return 0;
  }
  let database: Database | undefined;
  try {
    const values = args.values as Record<string, string | boolean | undefined>;
    // A command that only talks to a running server must not take the database (the server may hold the PGlite folder).
    if (command.needsDatabase === false) return await command.run({ values });
    const config = loadConfig();
    database = await openDatabase(config);
    await database.migrate();
    const hasher = createPasswordHasher({ memoryKib: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST });
    return await command.run({ config, database, hasher, values });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DatabaseInUseError) console.error(err.message);
    else if (err instanceof AppError) console.error(`Error (${err.code}): ${err.message}`);
    else console.error(err);
    return 1;
  } finally {
    await database?.close();
  }
}

function parse(command: Command, rest: string[]) {
  return parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true });
}

function helpOf(command: Command): string {
  const lines = Object.entries(command.options).map(([k, o]) => `  --${k}${o.type === 'string' ? ' <value>' : ''}`.padEnd(28) + (o.description ?? ''));
  return `Usage: npm run cli -- ${command.name} [options]\n\n${command.summary}\n\nOptions:\n${lines.join('\n')}\n  --help, -h                Show this help`;
}

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
