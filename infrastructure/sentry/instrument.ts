/**
 * Loaded before the application, as @sentry/node prescribes for ES modules:
 *   node --import ./dist/infrastructure/sentry/instrument.js dist/interfaces/startup/main.js
 * It reads the environment itself and, without SENTRY_DSN, does nothing: not even import the
 * SDK. An invalid environment is left alone here: the entry point reports it and exits with 1.
 */
import { ConfigError, loadConfig } from '../config/config.js';
import { startSentry } from './sentry-runtime.js';

try {
  await startSentry(loadConfig(process.env));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
}
