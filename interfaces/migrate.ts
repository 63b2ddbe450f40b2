import { loadConfigOrExit } from './load-config-or-exit.js';
import { createLogger } from '../infrastructure/logging/logger.js';
import { PingDatabase } from '../infrastructure/postgres/ping-database.js';
import type { Config } from '../infrastructure/config/config.js';
import { exitWithStartFailure } from './start-failure.js';

let loaded: Config | null = null;

/**
 * `npm run migrate`: brings the database that POSTGRES_URI (or the embedded DATA_DIR) names up
 * to date and exits. The service also migrates at start; this is for a deploy step that wants the
 * schema ready before any instance takes traffic. Safe to run while instances are starting.
 */
async function migrate(): Promise<void> {
  const config = loadConfigOrExit();
  loaded = config;
  const logger = createLogger(config);
  const database = PingDatabase.open(config.postgres, logger);
  try {
    await database.start();
  } finally {
    await database.close();
  }
}

migrate().catch((error: unknown) => exitWithStartFailure('migration failed', error, loaded));
