/**
 * Loaded before the application, as @sentry/node prescribes for ES modules:
 *   node --import ./dist/infrastructure/sentry/instrument.js dist/interfaces/main.js
 * It reads the environment itself and does nothing when SENTRY_DSN is unset. An invalid
 * environment is left alone here: the entry point reports it and exits with code 1.
 */
import { ConfigError, loadConfig } from '../config/config.js';
import { initSentry } from './sentry-setup.js';

try {
  initSentry(loadConfig(process.env));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
}
