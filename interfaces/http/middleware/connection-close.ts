import type { Context } from 'koa';
import type { ConnectionState } from '../http-dependencies.js';

/**
 * Once the listener has closed, each answer tells its client to close the connection, so it
 * learns before it sends again and reconnects elsewhere (see startup/close-listener.ts). Decided
 * at answer time, so a request that began before the close is covered too. Not before: during
 * SHUTDOWN_DELAY_MS the process still serves, and clients reconnecting at that point would race
 * the listener's close (a connection still queued in the kernel is reset).
 */
export function closeConnectionIfDraining(ctx: Context, connections: ConnectionState): void {
  if (connections.closing) ctx.set('Connection', 'close');
}
