import type { FastifyBaseLogger } from 'fastify';
import type { Db } from './db/client.js';
import { releaseDue } from './modules/wallets/wallets.service.js';
import { runDailyLevelSweep, runLadderSweep, runMonthlyDowngrade } from './modules/levels/level-jobs.js';
import { expireOrders } from './modules/payments/payments.service.js';
import { sweepHeldRefunds } from './modules/channels/ingest.service.js';
import { readSettings } from './modules/settings/settings.service.js';
import { createSandboxPayoutChannel } from './modules/withdrawals/payout-channels.js';
import { withdrawalSettingsDef } from './modules/withdrawals/withdrawal-settings.js';
import { processApiPayouts } from './modules/withdrawals/withdrawals.service.js';
import { consumePerformance, PERFORMANCE_BATCH } from './modules/performance/performance.service.js';
import { consumeRewards } from './modules/rewards/rewards.service.js';
import { exclusively, runSettlementSchedule, SETTLEMENT_JOB_KEY } from './modules/dividends/settlement-jobs.js';

/**
 * Periodic work of one server instance. Each job is safe to run in several
 * instances at once (rows are claimed with SKIP LOCKED and every money
 * movement has its own idempotency key), so no leader election is needed yet.
 */
export function startBackgroundJobs(db: Db, log: FastifyBaseLogger, intervalMs = 60_000, timeZone = 'Asia/Shanghai', kind: 'postgres' | 'pglite' = 'postgres'): () => Promise<void> {
  const sandbox = createSandboxPayoutChannel(async () => (await readSettings(db, withdrawalSettingsDef)).value.sandboxOutcome);
  const jobs: { name: string; run: () => Promise<unknown> }[] = [
    { name: 'release-frozen', run: () => releaseDue(db) },
    { name: 'sandbox-payouts', run: () => processApiPayouts(db, sandbox) },
    { name: 'expire-payment-orders', run: () => expireOrders(db) },
    { name: 'held-refunds', run: () => sweepHeldRefunds(db) },
    // Once per day / per month in the platform time zone (the run is recorded; other ticks return at once).
    { name: 'level-daily-sweep', run: () => runDailyLevelSweep(db, timeZone) },
    // Once per ladder version: members a saved ladder accepts on the figures they have rise within a minute.
    { name: 'level-ladder-sweep', run: () => runLadderSweep(db, timeZone) },
    { name: 'level-monthly-downgrade', run: () => exclusively(db, kind, 2, () => runMonthlyDowngrade(db, timeZone)) },
    // Statistics on the configured day and time, payment once allowed; one instance at a time (an advisory lock).
    { name: 'settlement', run: () => exclusively(db, kind, SETTLEMENT_JOB_KEY, () => runSettlementSchedule(db, kind, timeZone)) },
  ];
  return runEvery(intervalMs, async () => {
    for (const job of jobs) {
      try {
        const result = await job.run();
        log.debug({ job: job.name, result }, 'job finished');
      } catch (err) {
        log.error({ err, job: job.name }, 'job failed');
      }
    }
  });
}

/**
 * How often each consumer polls by default. Rewards every second: members
 * see their earnings follow their sales. Performance every two seconds: a
 * round's cost is mostly its distinct rows (each seller's, and every
 * ancestor's along the paths), and the ancestors near the top are shared by
 * nearly every sale, so two seconds' worth in one round writes about a
 * fifth fewer rows per sale than one second's worth twice (bench:rewards,
 * 100,000 members: 2.5 rows per sale in a round of 10,000, 1.9 in one of
 * 20,000). Figures, and the level upgrades they trigger, then follow sales
 * within about three seconds instead of two.
 */
export const CONSUMER_INTERVALS_MS = { performance: 2_000, rewards: 1_000 } as const;

/**
 * Consumers of domain events, each polled on its own interval (a number
 * sets both, as tests do). Each consumer's cursor row is locked while it
 * works, so several instances share the stream without applying an event
 * twice; a busy consumer keeps going until it has caught up.
 */
export function startEventConsumers(
  db: Db,
  log: FastifyBaseLogger,
  timeZone: string,
  intervalMs: number | { performance: number; rewards: number } = CONSUMER_INTERVALS_MS,
  only: readonly string[] = ['performance', 'rewards'],
  batchSizes: { performance?: number; rewards?: number } = {},
): () => Promise<void> {
  const every = (name: 'performance' | 'rewards') => (typeof intervalMs === 'number' ? intervalMs : intervalMs[name]);
  const consumers: { name: string; batch: number; intervalMs: number; run: (limit: number) => Promise<number> }[] = [
    { name: 'performance', batch: batchSizes.performance ?? PERFORMANCE_BATCH, intervalMs: every('performance'), run: (limit: number) => consumePerformance(db, timeZone, limit) },
    { name: 'rewards', batch: batchSizes.rewards ?? 1000, intervalMs: every('rewards'), run: (limit: number) => consumeRewards(db, timeZone, limit) },
  ].filter((c) => only.includes(c.name));
  // Each on its own loop: members' earnings should not wait for a long performance batch, nor the reverse.
  const stops = consumers.map((c) =>
    runEvery(c.intervalMs, async () => {
      try {
        // A full batch means more is waiting: go on at once. A partial one took everything there was; what
        // arrives meanwhile waits for the next tick, so that under a steady stream each round handles an
        // interval's worth together (the ancestors near the top, shared by most events, are read and written
        // once per batch) instead of chasing every few events in a batch of their own.
        while ((await c.run(c.batch)) >= c.batch) {
          /* caught up when a round finds less than a full batch */
        }
      } catch (err) {
        log.error({ err, consumer: c.name }, 'event consumer failed');
      }
    }),
  );
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}

/**
 * Runs `round` every `intervalMs`, skipping a tick while the previous round
 * is still going rather than piling rounds up. The returned stop function
 * waits for the round in progress.
 */
function runEvery(intervalMs: number, round: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = round().finally(() => {
      running = null;
    });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
