import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from '../../infrastructure/config/config.js';

/**
 * What Node's server refuses to wait for, and how many connections it keeps:
 * - the headers within 10 s, the whole request within 30 s: a slow client is cut with a 408;
 * - at most 4096 open connections; Node drops those over the cap at once.
 * A client of this API sends a few hundred bytes; none of these bounds is near a real one.
 */
export interface HttpLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
}
export const HTTP_LIMITS: HttpLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 4_096 };

/**
 * Connections the kernel may hold for the process before it accepts them. Node's default (511)
 * overflows when hundreds of clients connect at once (a balancer reconnecting after a restart,
 * a burst): the kernel then drops their handshakes, and each such client waits a second or more
 * for its retransmission. The kernel caps it at net.core.somaxconn (4096 on current kernels).
 */
export const ACCEPT_BACKLOG = 4_096;

/**
 * Node's server with deliberate limits:
 * - the header and request budgets of `limits`. Node enforces both only when it sweeps its
 *   connections (every 30 s by default), so the sweep runs every second, or more often for small
 *   budgets: a slow-header socket lives at most its budget plus one sweep.
 * - keep-alive HTTP_KEEP_ALIVE_TIMEOUT_MS (65 s by default) is deliberately *above* the idle
 *   timeout of the load balancers in front (AWS ALB 60 s, ingress-nginx
 *   `upstream-keepalive-timeout` 60 s): the side that closes an idle connection first must be
 *   the one that reuses it, or the balancer can send a request on a socket this server is
 *   closing and answer its client 502. Headers are timed from a request's first byte, so an idle
 *   keep-alive connection is not cut by them.
 */
export function createConfiguredServer(http: Config['http'], limits: HttpLimits, listener: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: http.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2))),
      // Checked by the app instead (http/middleware/host-header.ts), to answer in the JSON error shape.
      requireHostHeader: false,
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
