import type { Knex } from 'knex';
import type { Logger } from '../../application/logger.port.js';

/**
 * Sends knex's own messages to the service logger instead of the console. Connection errors go
 * to debug: knex repeats one per failed acquire, and the dependency monitor already reports an
 * outage once, when it starts.
 */
export function knexLog(logger: Logger): Knex.Config['log'] {
  const log = logger.child({ component: 'knex' });
  return {
    warn: (message: string) =>
      /^(Acquire connection error|Connection Error)/.test(String(message)) ? log.debug(message) : log.warn(message),
    error: (message: string) => log.error(message),
    deprecate: (method: string, alternative: string) => log.warn(`${method} is deprecated, use ${alternative}`),
    debug: (message: string) => log.debug(String(message)),
  };
}
