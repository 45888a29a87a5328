import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DatabaseInUseError, openDatabase } from './db/client.js';
import { CONSUMER_INTERVALS_MS, startBackgroundJobs, startEventConsumers } from './jobs.js';
import { createLogger } from './logger.js';
import { createPasswordHasher } from './modules/auth/passwords.js';
import { bootstrapOwner } from './modules/staff/staff.service.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Shanglian cannot start. ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config, (err) => log.error({ err }, 'database pool error'));
  await database.migrate();
  log.info({ database: database.kind, dataDir: database.kind === 'pglite' ? config.dataDir : undefined }, 'database ready');

  const hasher = createPasswordHasher({ memoryKib: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST });
  const owner = await bootstrapOwner(database.db, hasher, config.BOOTSTRAP_OWNER_USERNAME, config.BOOTSTRAP_OWNER_PASSWORD);
  if (owner === 'created') log.info({ username: config.BOOTSTRAP_OWNER_USERNAME }, 'first owner created from configuration');
  if (owner === 'not-configured') {
    log.warn('No owner account yet. Create one with: npm run cli -- create-owner --username <name>');
  }

  const app = await buildApp({ config, database, logger: log, hasher });
  const stopJobs = startBackgroundJobs(database.db, log, 60_000, config.PLATFORM_TIMEZONE, database.kind);
  const stopConsumers = startEventConsumers(database.db, log, config.PLATFORM_TIMEZONE, CONSUMER_INTERVALS_MS, config.EVENT_CONSUMERS);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await stopJobs();
    await stopConsumers();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  log.info({ url }, 'Shanglian is listening');
  console.log(`\n  商联 Shanglian is running at ${url}\n  API docs: ${url}/docs\n  Database: ${database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'}\n`);
}

main().catch((err) => {
  if (err instanceof DatabaseInUseError) {
    console.error(`Shanglian cannot start. ${err.message}`);
    process.exit(1);
  }
  console.error('Shanglian failed to start:', err);
  process.exit(1);
});
