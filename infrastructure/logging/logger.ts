import { pino, type Logger as PinoLogger } from 'pino';
import type { Config } from '../config/config.js';

/**
 * Paths that may carry credentials anywhere in a log object; pino replaces them before
 * serialising, so no code path can leak them by logging a whole object.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.POSTGRES_URI',
  '*.REDIS_URI',
  '*.SENTRY_DSN',
];

export function createLogger(config: Pick<Config, 'log'>, destination?: NodeJS.WritableStream): PinoLogger {
  const options = {
    level: config.log.level,
    base: { service: 'ping-service' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (config.log.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
