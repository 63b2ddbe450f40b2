/**
 * Loaded before the application, as @sentry/node prescribes for ES modules:
 *   node --import ./dist/infrastructure/sentry/instrument.js dist/interfaces/startup/main.js
 * It reads the environment itself and starts tracing (with an OTLP endpoint set) and then Sentry
 * (with SENTRY_DSN set), in the order Sentry's documentation asks for beside an OpenTelemetry
 * setup. Without either variable it does nothing: not even import the SDKs. An invalid
 * environment is left alone here: the entry point reports it and exits with 1.
 */
import { ConfigError, loadConfig } from '../config/config.js';
import { startTracing } from '../tracing/tracing-runtime.js';
import { startSentry } from './sentry-runtime.js';

try {
  const config = loadConfig(process.env);
  await startTracing(config);
  await startSentry(config);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
}
