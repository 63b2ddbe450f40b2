import { loadConfigOrExit } from './load-config-or-exit.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { PingDatabase } from '../../infrastructure/postgres/ping-database.js';
import { POSTGRES_BUDGETS } from '../../infrastructure/postgres/postgres-budgets.js';
import type { Config } from '../../infrastructure/config/config.js';
import { exitWithStartFailure } from './start-failure.js';

/**
 * `npm run migrate`: brings the database that POSTGRES_URI (or the embedded DATA_DIR) names up
 * to date and exits. The service also migrates at start; this is for a deploy step that wants the
 * schema ready before any instance takes traffic. Safe to run while instances are starting.
 */
async function migrate(config: Config): Promise<void> {
  const logger = createLogger(config);
  const database = PingDatabase.open({ ...config.postgres, ...POSTGRES_BUDGETS }, logger);
  try {
    await database.start();
  } finally {
    await database.close();
  }
}

// Read first, so that the failure line can mask this deployment's secrets.
const config = loadConfigOrExit();
migrate(config).catch((error: unknown) => exitWithStartFailure('migration failed', error, config));
