import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import type { Container } from 'inversify';
import type Koa from 'koa';
import type { Logger } from '../../application/logger.port.js';
import type { Config } from '../../infrastructure/config/config.js';
import type { Lifecycle } from '../../infrastructure/composition/lifecycle.js';
import { resolve } from '../../infrastructure/composition/tokens.js';
import { createApp, type HttpDependencies } from '../http/app.js';
import { answerClientErrors } from '../http/client-errors.js';
import { closeListenerGracefully } from './close-listener.js';
import { EventLoopLoad } from './event-loop-load.js';

/**
 * What Node's server refuses to wait for, and how many connections it keeps:
 * - the headers within 10 s, the whole request within 30 s: a slow client is cut with a 408;
 * - at most 4096 open connections; Node drops those over the cap at once.
 * A client of this API sends a few hundred bytes; none of these bounds is near a real one.
 */
interface HttpLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
}
const HTTP_LIMITS: HttpLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 4_096 };

/**
 * Where to listen and how to drain (the configuration's sections), and the server's limits
 * (HTTP_LIMITS unless a test brings smaller ones).
 */
type ServerSettings = Pick<Config, 'http' | 'shutdown'> & { readonly limits?: HttpLimits };

export interface RunningServer {
  readonly app: Koa;
  readonly server: Server;
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Drains and closes everything; resolves to true when it finished within the bound. */
  shutdown(): Promise<boolean>;
}

/** Resolves the HTTP dependencies from the container (tests may replace some). */
export function httpDependencies(container: Container, extra: Partial<HttpDependencies> = {}): HttpDependencies {
  return {
    pings: resolve(container, 'PingUseCases'),
    readiness: resolve(container, 'Readiness'),
    reporter: resolve(container, 'ErrorReporter'),
    metrics: resolve(container, 'Metrics'),
    logger: resolve(container, 'Logger'),
    connections: { closing: false },
    tracing: resolve(container, 'Tracing')?.requests ?? null,
    ...extra,
  };
}

/** Opens the adapters (migrations run here), then listens. */
export async function startHttpServer(
  container: Container,
  settings: ServerSettings,
  extra: Partial<HttpDependencies> = {},
): Promise<RunningServer> {
  const logger = resolve(container, 'Logger');
  const lifecycle = resolve(container, 'Lifecycle');
  const load = new EventLoopLoad();
  const deps = httpDependencies(container, { load, ...extra });
  await lifecycle.startAll();

  const app = createApp(deps);
  const server = createConfiguredServer(settings.http, settings.limits ?? HTTP_LIMITS, app.callback());
  answerClientErrors(server, logger);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  load.start();
  server.listen(settings.http.port, settings.http.host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.http.port;

  let shuttingDown: Promise<boolean> | undefined;
  const shutdown = (): Promise<boolean> =>
    (shuttingDown ??= drain({ server, sockets, settings: settings.shutdown, deps, lifecycle, logger }).finally(() =>
      load.stop(),
    ));
  return { app, server, port, shutdown };
}

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
function createConfiguredServer(http: Config['http'], limits: HttpLimits, listener: RequestListener): Server {
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

async function drain(parts: {
  server: Server;
  sockets: Set<Socket>;
  settings: Config['shutdown'];
  deps: HttpDependencies;
  lifecycle: Lifecycle;
  logger: Logger;
}): Promise<boolean> {
  const { server, sockets, settings, deps, lifecycle, logger } = parts;
  const deadline = Date.now() + settings.timeoutMs;
  deps.readiness.startDraining();
  logger.info({ delayMs: settings.delayMs }, 'shutting down: readiness is now 503');
  await sleep(Math.min(settings.delayMs, settings.timeoutMs));

  if (deps.connections) deps.connections.closing = true;
  const inTime = await Promise.race([
    closeListenerGracefully(server).then(() => true),
    sleep(Math.max(0, deadline - Date.now())).then(() => false),
  ]);
  if (!inTime) {
    logger.warn({ open: sockets.size }, 'drain bound reached: cutting the remaining connections');
    server.closeAllConnections();
  }

  for (const failure of await lifecycle.closeAll()) {
    logger.error({ component: failure.name, err: failure.error }, 'close failed');
  }
  await deps.reporter.flush(Math.max(500, deadline - Date.now()));
  logger.info({ inTime }, 'shutdown complete');
  return inTime;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
