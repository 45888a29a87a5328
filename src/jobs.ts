import type { FastifyBaseLogger } from 'fastify';
import type { Db } from './db/client.js';
import { releaseDue } from './modules/wallets/wallets.service.js';
import { expireOrders } from './modules/payments/payments.service.js';
import { sweepHeldRefunds } from './modules/channels/ingest.service.js';
import { readSettings } from './modules/settings/settings.service.js';
import { createSandboxPayoutChannel } from './modules/withdrawals/payout-channels.js';
import { withdrawalSettingsDef } from './modules/withdrawals/withdrawal-settings.js';
import { processApiPayouts } from './modules/withdrawals/withdrawals.service.js';

/**
 * Periodic work of one server instance. Each job is safe to run in several
 * instances at once (rows are claimed with SKIP LOCKED and every money
 * movement has its own idempotency key), so no leader election is needed yet.
 */
export function startBackgroundJobs(db: Db, log: FastifyBaseLogger, intervalMs = 60_000): () => Promise<void> {
  const sandbox = createSandboxPayoutChannel(async () => (await readSettings(db, withdrawalSettingsDef)).value.sandboxOutcome);
  const jobs: { name: string; run: () => Promise<unknown> }[] = [
    { name: 'release-frozen', run: () => releaseDue(db) },
    { name: 'sandbox-payouts', run: () => processApiPayouts(db, sandbox) },
    { name: 'expire-payment-orders', run: () => expireOrders(db) },
    { name: 'held-refunds', run: () => sweepHeldRefunds(db) },
  ];
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return; // the previous round is still going: skip rather than pile up
    running = (async () => {
      for (const job of jobs) {
        try {
          const result = await job.run();
          log.debug({ job: job.name, result }, 'job finished');
        } catch (err) {
          log.error({ err, job: job.name }, 'job failed');
        }
      }
    })().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
