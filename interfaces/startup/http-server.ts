import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import type { Container } from 'inversify';
import type Koa from 'koa';
import type { Logger } from '../../application/logger.port.js';
import type { Config } from '../../infrastructure/config/config.js';
import type { Lifecycle } from '../../infrastructure/composition/lifecycle.js';
import { resolve } from '../../infrastructure/composition/tokens.js';
import { createApp, type HttpDependencies } from '../http/app.js';
import { createMetricsApp } from '../http/metrics-app.js';
import { answerClientErrors } from '../http/client-errors.js';
import { closeListenerGracefully } from './close-listener.js';
import { EventLoopLoad } from './event-loop-load.js';
import { ACCEPT_BACKLOG, createConfiguredServer, HTTP_LIMITS, type HttpLimits } from './node-server.js';

export { HTTP_LIMITS, type HttpLimits };

/**
 * Where to listen and how to drain (the configuration's sections), and the server's limits
 * (HTTP_LIMITS unless a test brings smaller ones).
 */
type ServerSettings = Pick<Config, 'http' | 'shutdown'> & { readonly limits?: HttpLimits };

export interface RunningServer {
  readonly app: Koa;
  readonly server: Server;
  /** The bound port of the API (useful with port 0). */
  readonly port: number;
  /** The bound port of the metrics listener, where `/metrics` alone answers. */
  readonly metricsPort: number;
  /** Drains and closes everything; resolves to true when it finished within the bound. */
  shutdown(): Promise<boolean>;
}

/** Resolves the HTTP dependencies from the container (tests may replace some). */
export function httpDependencies(container: Container, extra: Partial<HttpDependencies> = {}): HttpDependencies {
  return {
    pings: resolve(container, 'PingUseCases'),
    readiness: resolve(container, 'Readiness'),
    writes: resolve(container, 'WriteGuards'),
    reporter: resolve(container, 'ErrorReporter'),
    metrics: resolve(container, 'Metrics'),
    logger: resolve(container, 'Logger'),
    connections: { closing: false },
    tracing: resolve(container, 'Tracing')?.requests ?? null,
    ...extra,
  };
}

/** A listening server and the connections it holds, for the drain. */
interface Listener {
  readonly server: Server;
  readonly sockets: Set<Socket>;
  readonly port: number;
}

/**
 * Opens the adapters (migrations run here), then listens on both ports: the API's and the
 * metrics listener's. Both open only once the adapters are up, and both drain together.
 */
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

  const limits = settings.limits ?? HTTP_LIMITS;
  const app = createApp(deps);
  load.start();
  const api = await listen(createConfiguredServer(settings.http, limits, app.callback()), settings.http.port, settings);
  answerClientErrors(api.server, logger);
  let metrics: Listener;
  try {
    const metricsApp = createMetricsApp(deps);
    metrics = await listen(
      createConfiguredServer(settings.http, limits, metricsApp.callback()),
      settings.http.metricsPort,
      settings,
    );
  } catch (error) {
    api.server.close();
    load.stop();
    throw error;
  }
  answerClientErrors(metrics.server, logger);

  let shuttingDown: Promise<boolean> | undefined;
  const shutdown = (): Promise<boolean> =>
    (shuttingDown ??= drain({
      listeners: [api, metrics],
      settings: settings.shutdown,
      deps,
      lifecycle,
      logger,
    }).finally(() => load.stop()));
  return { app, server: api.server, port: api.port, metricsPort: metrics.port, shutdown };
}

/** Listens, keeping the set of open connections; rejects when the port cannot be bound. */
async function listen(server: Server, port: number, settings: ServerSettings): Promise<Listener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen({ port, host: settings.http.host, backlog: ACCEPT_BACKLOG });
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error as Error)),
  ]);
  const address = server.address();
  return { server, sockets, port: typeof address === 'object' && address ? address.port : port };
}

async function drain(parts: {
  listeners: readonly Listener[];
  settings: Config['shutdown'];
  deps: HttpDependencies;
  lifecycle: Lifecycle;
  logger: Logger;
}): Promise<boolean> {
  const { listeners, settings, deps, lifecycle, logger } = parts;
  const deadline = Date.now() + settings.timeoutMs;
  deps.readiness.startDraining();
  logger.info({ delayMs: settings.delayMs }, 'shutting down: readiness is now 503');
  await sleep(Math.min(settings.delayMs, settings.timeoutMs));

  // The metrics listener closes with the API's, so a scrape during the delay still sees the drain.
  if (deps.connections) deps.connections.closing = true;
  const inTime = await Promise.race([
    Promise.all(listeners.map(({ server }) => closeListenerGracefully(server))).then(() => true),
    sleep(Math.max(0, deadline - Date.now())).then(() => false),
  ]);
  if (!inTime) {
    const open = listeners.reduce((sum, { sockets }) => sum + sockets.size, 0);
    logger.warn({ open }, 'drain bound reached: cutting the remaining connections');
    for (const { server } of listeners) server.closeAllConnections();
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
