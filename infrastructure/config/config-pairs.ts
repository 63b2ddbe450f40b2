import { ConfigError } from './config-error.js';
import type { Env } from './env-schema.js';

/** Variables that are each valid alone but not together: the one line names the one to change. */
export function checkPairs(env: Env): void {
  // Node refuses this pair in createServer; say which variable is wrong instead of crashing.
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      'HTTP_HEADERS_TIMEOUT_MS',
      'invalid configuration: HTTP_HEADERS_TIMEOUT_MS must be at most HTTP_REQUEST_TIMEOUT_MS',
    );
  }
  // A poll longer than the whole wait would look once, at its end.
  if (env.LEASE_POLL_MS !== undefined && env.LEASE_POLL_MS > env.LEASE_WAIT_MS) {
    throw new ConfigError('LEASE_POLL_MS', 'invalid configuration: LEASE_POLL_MS must be at most LEASE_WAIT_MS');
  }
}
