/**
 * The servers `npm run bench` starts: the service as the image runs it (its CMD and NODE_OPTIONS)
 * on the bench database, its Redis keys under a prefix of its own, with Sentry off or on; and the
 * four targets of the HIT comparison, each with the note the report prints beside it.
 */
import { freePort } from '../harness/free-port.js';
import { NAMES } from './checks.js';
import { BenchProcess, imageNodeArgs, imageNodeOptions } from './processes.js';

export interface BenchServerSettings {
  readonly postgresUri: string;
  readonly redisUri: string;
  readonly sentryDsn: string;
}

export interface HitServer {
  readonly process: BenchProcess;
  readonly path: string;
  readonly note: string;
}

/**
 * The cache entry's lifetime, for the service and the peer alike: longer than a run, so that every
 * measured GET /ping is a hit (the X-Cache tally checks it). With the service's default, an entry
 * would expire during the rounds and a refresh would be counted among the hits.
 */
const HIT_TTL_SECONDS = 3600;

async function start(name: string, args: string[], env: Record<string, string>, readyPath: string) {
  // A metrics listener of its own: two services run side by side, and 9464 may be taken.
  return BenchProcess.start(
    name,
    args,
    { METRICS_PORT: String(await freePort()), ...env },
    await freePort(),
    readyPath,
  );
}

export class BenchServers {
  readonly serviceArgs = imageNodeArgs();
  /** The image's NODE_OPTIONS, or BENCH_NODE_OPTIONS to try other V8 flags. */
  readonly nodeOptions = process.env.BENCH_NODE_OPTIONS ?? imageNodeOptions();

  constructor(private readonly settings: BenchServerSettings) {}

  /**
   * The service, its Redis keys under `bench:<pid>:<prefix>:`; `redisUri` replaces the shared
   * Redis; `nodeFlags` go before the image's node arguments; `env` adds variables (tracing's).
   */
  service(
    name: string,
    prefix: string,
    options: { sentry: boolean; redisUri?: string; nodeFlags?: string[]; env?: Record<string, string> },
  ): Promise<BenchProcess> {
    const args = [...(options.nodeFlags ?? []), ...this.serviceArgs];
    return start(name, args, { ...this.serviceEnv(prefix, options), ...options.env }, '/readyz');
  }

  /**
   * Bare Koa (the framework's floor), the service with Sentry off and on, the Fastify peer; each
   * node started with `nodeFlags` (none for the timed comparison).
   */
  async hitServers(nodeFlags: string[] = []): Promise<HitServer[]> {
    const { postgresUri, redisUri } = this.settings;
    const peerEnv = {
      POSTGRES_URI: postgresUri,
      REDIS_URI: redisUri,
      REDIS_KEY_PREFIX: `bench:${process.pid}:peer:`,
      CACHE_TTL_SECONDS: String(HIT_TTL_SECONDS),
    };
    const servers: HitServer[] = [];
    try {
      const baseline = await start(NAMES.baseline, [...nodeFlags, 'bench/baseline-server.mjs'], {}, '/');
      servers.push({ process: baseline, path: '/', note: 'the framework floor' });
      const off = await this.service(NAMES.sentryOff, 'off', { sentry: false, nodeFlags });
      servers.push({ process: off, path: '/ping', note: 'as the image runs it' });
      const on = await this.service(NAMES.sentryOn, 'on', { sentry: true, nodeFlags });
      servers.push({ process: on, path: '/ping', note: 'as the image runs it, SENTRY_DSN set' });
      const peer = await start(NAMES.peer, [...nodeFlags, 'bench/peers/fastify-peer.mjs'], peerEnv, '/ping');
      servers.push({ process: peer, path: '/ping', note: 'bench/peers/fastify-peer.mjs' });
      return servers;
    } catch (error) {
      for (const server of servers) await server.process.stop();
      throw error;
    }
  }

  private serviceEnv(prefix: string, options: { sentry: boolean; redisUri?: string }): Record<string, string> {
    const { postgresUri, redisUri, sentryDsn } = this.settings;
    return {
      NODE_ENV: 'production',
      // Production refuses open writes unless declared; wrk writes from one address, so the
      // limiter runs (one Redis call per write, its real cost) but never refuses.
      PUBLIC_WRITES: 'true',
      WRITE_RATE_LIMIT_PER_MINUTE: '1000000',
      POSTGRES_URI: postgresUri,
      REDIS_URI: options.redisUri ?? redisUri,
      REDIS_KEY_PREFIX: `bench:${process.pid}:${prefix}:`,
      CACHE_TTL_SECONDS: String(HIT_TTL_SECONDS),
      ...(options.sentry ? { SENTRY_DSN: sentryDsn, SENTRY_RELEASE: 'bench' } : {}),
      SHUTDOWN_DELAY_MS: '0',
      ...(this.nodeOptions ? { NODE_OPTIONS: this.nodeOptions } : {}),
    };
  }
}
