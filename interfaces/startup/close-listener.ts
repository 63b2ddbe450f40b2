import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';

/**
 * How long a connection must have stayed unused after the listener closed before it is closed
 * without an answer. A client that keeps sending has sent its next request long before.
 */
const IDLE_GRACE_MS = 500;

/**
 * Stops accepting, then resolves once every connection has closed, without resetting a client
 * that is sending. Node's `server.close()` (and `closeIdleConnections()`) destroys every
 * connection with no request in progress at once, including one that was just accepted and
 * whose request is still in flight or unread: that client sees ECONNRESET. Instead:
 * - the listener closes (net.Server's close, without http's immediate idle sweep), so new
 *   connections are refused cleanly: nothing was sent on them;
 * - every answer from then on says `Connection: close` (app.ts) and Node closes its connection
 *   after it, so a client learns before it sends again;
 * - only connections left unused for IDLE_GRACE_MS are closed unanswered (a pooled socket the
 *   balancer stopped using when readiness turned 503).
 */
export function closeListenerGracefully(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
  let sweep: NodeJS.Timeout | undefined;
  const graceOver = setTimeout(() => {
    server.closeIdleConnections();
    sweep = setInterval(() => server.closeIdleConnections(), 100);
  }, IDLE_GRACE_MS);
  return closed.finally(() => {
    clearTimeout(graceOver);
    clearInterval(sweep);
    // http's own close, now a no-op on the listener, stops Node's timeout sweep of connections.
    server.close(() => undefined);
  });
}
