import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import type { Container } from 'inversify';
import type Koa from 'koa';
import type { Lifecycle } from '../application/lifecycle.js';
import type { Logger } from '../application/logger.port.js';
import type { Metrics } from '../application/metrics.port.js';
import type { PingUseCases } from '../application/ping-use-cases.js';
import type { Readiness } from '../application/readiness.js';
import { TOKENS } from '../application/tokens.js';
import type { ErrorReporter } from '../domain/error-reporter.port.js';
import { createApp, type HttpDependencies } from './http/app.js';
import { requestIdMiddleware } from './http/middleware/request-id.js';
import { requestObserverMiddleware } from './http/middleware/request-observer.js';
import { addMetricsRoutes } from './http/routes/metrics-routes.js';

export interface ServerSettings {
  readonly port: number;
  readonly host: string;
  /** Pause between readiness turning 503 and closing the listener, for the load balancer to notice. */
  readonly shutdownDelayMs: number;
  /** Bound on the whole drain; past it open connections are cut. */
  readonly shutdownTimeoutMs: number;
}

export interface RunningServer {
  readonly app: Koa;
  readonly server: Server;
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Drains and closes everything; resolves to true when it finished within the bound. */
  shutdown(): Promise<boolean>;
}

/** Resolves the HTTP dependencies from the container (tests may add middleware or routers). */
export function httpDependencies(container: Container, extra: Partial<HttpDependencies> = {}): HttpDependencies {
  const metrics = container.get<Metrics>(TOKENS.Metrics);
  return {
    pings: container.get<PingUseCases>(TOKENS.PingUseCases),
    readiness: container.get<Readiness>(TOKENS.Readiness),
    reporter: container.get<ErrorReporter>(TOKENS.ErrorReporter),
    // The request id first, so the observer and the error handler see it; both wrap the error
    // handler, so they see the status actually answered.
    outerMiddleware: [requestIdMiddleware(), requestObserverMiddleware(metrics, container.get<Logger>(TOKENS.Logger))],
    extraRoutes: [(router) => addMetricsRoutes(router, metrics)],
    ...extra,
  };
}

/** Opens the adapters (migrations run here), then listens. */
export async function startHttpServer(
  container: Container,
  settings: ServerSettings,
  extra: Partial<HttpDependencies> = {},
): Promise<RunningServer> {
  const logger = container.get<Logger>(TOKENS.Logger);
  const lifecycle = container.get<Lifecycle>(TOKENS.Lifecycle);
  const deps = httpDependencies(container, extra);
  await lifecycle.startAll();

  const app = createApp(deps);
  const server = createServer(app.callback());
  // Longer than a typical load balancer's idle timeout, so it never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(settings.port, settings.host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;

  let shuttingDown: Promise<boolean> | undefined;
  const shutdown = (): Promise<boolean> =>
    (shuttingDown ??= drain({ server, sockets, settings, deps, lifecycle, logger }));
  return { app, server, port, shutdown };
}

async function drain(parts: {
  server: Server;
  sockets: Set<Socket>;
  settings: ServerSettings;
  deps: HttpDependencies;
  lifecycle: Lifecycle;
  logger: Logger;
}): Promise<boolean> {
  const { server, sockets, settings, deps, lifecycle, logger } = parts;
  const deadline = Date.now() + settings.shutdownTimeoutMs;
  deps.readiness.startDraining();
  logger.info({ delayMs: settings.shutdownDelayMs }, 'shutting down: readiness is now 503');
  await sleep(Math.min(settings.shutdownDelayMs, settings.shutdownTimeoutMs));

  // close() stops accepting and (Node >= 19) closes idle keep-alive sockets; busy ones get
  // `Connection: close` on their current answer (see app.ts) and close after it.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
  const inTime = await Promise.race([
    closed.then(() => true),
    sleep(Math.max(0, deadline - Date.now())).then(() => false),
  ]);
  clearInterval(idleSweep);
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
