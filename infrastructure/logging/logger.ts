import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { Config } from '../config/config.js';
import { SecretMasker, type MaskedConfig } from './secret-masker.js';

/**
 * Fields whose values are credentials whatever they look like, at any depth: `"cookie":"..."`
 * or `"set-cookie":["...",...]` become `"cookie":"[redacted]"`. Done on the serialised line,
 * like the URL masking: pino's path-based redact reaches only the paths it is given, and costs
 * every line the walk of them.
 */
const SECRET_FIELD =
  /"(authorization|proxy-authorization|cookie|set-cookie|x-api-key|password|passwd|postgres_uri|redis_uri|sentry_dsn|write_tokens)"\s*:\s*("(?:[^"\\]|\\.)*"|\[(?:\s*"(?:[^"\\]|\\.)*"\s*,?)*\])/gi;
const MAYBE_SECRET_FIELD = /authorization|cookie|api-key|passw|_uri"|_dsn"|_tokens"/i;

function redactSecretFields(line: string): string {
  return MAYBE_SECRET_FIELD.test(line) ? line.replace(SECRET_FIELD, '"$1":"[redacted]"') : line;
}

export type LoggerConfig = Pick<Config, 'log'> & MaskedConfig;

/**
 * The service logger: JSON lines on stdout (pino's buffered writer, flushed at exit); for
 * reading by eye, pipe them through `pino-pretty` (`npm run dev` does). Every line is masked
 * after serialisation (credential fields, URL passwords, this deployment's secrets), so no code
 * path can leak one by logging an object, an error message or a stack.
 */
export function createLogger(
  config: LoggerConfig,
  destination?: DestinationStream,
  traceFields?: () => Readonly<Record<string, string>>,
): PinoLogger {
  const masker = SecretMasker.fromConfig(config);
  const options: pino.LoggerOptions = {
    level: config.log.level,
    base: { service: 'ping-service' },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: { streamWrite: (line) => masker.mask(redactSecretFields(line)) },
    // With tracing on: `trace_id` and `span_id` of the span active when the line is written.
    ...(traceFields ? { mixin: traceFields } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
