import { loadConfigOrExit } from './load-config-or-exit.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { PingDatabase } from '../../infrastructure/postgres/ping-database.js';
import { POSTGRES_BUDGETS } from '../../infrastructure/postgres/postgres-budgets.js';
import { prunePings } from '../../infrastructure/postgres/prune-pings.js';
import type { Config } from '../../infrastructure/config/config.js';
import { exitWithStartFailure } from './start-failure.js';

/**
 * `npm run prune` (the daily CronJob): deletes the pings older than RETENTION_DAYS, never the
 * newest one, in short batches that instances writing at the same time never wait on, then exits
 * 0 with one line saying how many rows went. A second run removes nothing. The schema is brought
 * up to date first, as `npm run migrate` would (the job runs the deployment's own image).
 */
async function prune(config: Config): Promise<void> {
  const logger = createLogger(config);
  const database = PingDatabase.open({ ...config.postgres, ...POSTGRES_BUDGETS }, logger);
  try {
    await database.start();
    const started = performance.now();
    const result = await prunePings(database.knex, {
      retentionDays: config.retention.days,
      statementTimeoutMs: database.statementTimeoutMs,
    });
    logger.info(
      {
        removed: result.removed,
        retentionDays: config.retention.days,
        cutoff: result.cutoff.toISOString(),
        batches: result.batches,
        durationMs: Math.round(performance.now() - started),
      },
      `pruned ${result.removed} pings older than ${config.retention.days} days`,
    );
  } finally {
    await database.close();
  }
}

// Read first, so that the failure line can mask this deployment's secrets.
const config = loadConfigOrExit();
prune(config).catch((error: unknown) => exitWithStartFailure('prune failed', error, config));
