import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisServerProcess } from '../../harness/redis-server-process.js';
import { waitUntil } from '../../harness/wait-until.js';

export const MASTER_SET = 'mymaster';

/**
 * Redis HA as the charts deploy it, on private ports: a master, a replica and three sentinels
 * (quorum 2), with short failure detection so a failover takes seconds. `close()` kills every
 * process it started and removes the sentinels' config files.
 */
export class RedisSentinelCluster {
  private constructor(
    readonly master: RedisServerProcess,
    readonly replica: RedisServerProcess,
    readonly sentinels: readonly RedisServerProcess[],
    private readonly dir: string,
  ) {}

  static async start(): Promise<RedisSentinelCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'ping-service-sentinel-'));
    const started: RedisServerProcess[] = [];
    const track = async (server: Promise<RedisServerProcess>) => {
      const s = await server;
      started.push(s);
      return s;
    };
    try {
      const master = await track(RedisServerProcess.start());
      const files = [0, 1, 2].map((i) => {
        const file = join(dir, `sentinel-${i}.conf`);
        writeFileSync(
          file,
          [
            `sentinel monitor ${MASTER_SET} 127.0.0.1 ${master.port} 2`,
            `sentinel down-after-milliseconds ${MASTER_SET} 1000`,
            `sentinel failover-timeout ${MASTER_SET} 5000`,
            `sentinel parallel-syncs ${MASTER_SET} 1`,
          ].join('\n') + '\n',
        );
        return file;
      });
      const [replica, ...sentinels] = await Promise.all([
        track(RedisServerProcess.start(undefined, { args: ['--replicaof', '127.0.0.1', String(master.port)] })),
        ...files.map((configFile) => track(RedisServerProcess.start(undefined, { configFile, args: ['--sentinel'] }))),
      ]);
      const cluster = new RedisSentinelCluster(master, replica!, sentinels, dir);
      await cluster.awaitTopology();
      return cluster;
    } catch (error) {
      await Promise.all(started.map((s) => s.kill()));
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** REDIS_SENTINELS for the service. */
  get sentinelList(): string {
    return this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
  }

  /** A client on one sentinel, for the test's own questions and subscriptions. */
  sentinelClient(index = 0): Redis {
    const client = new Redis({ port: this.sentinels[index]!.port, host: '127.0.0.1', lazyConnect: true });
    client.on('error', () => {});
    return client;
  }

  /** Until the replica is in sync and every sentinel sees the replica and the other two sentinels. */
  private async awaitTopology(): Promise<void> {
    const clients = this.sentinels.map((_, i) => this.sentinelClient(i));
    const replica = new Redis({ port: this.replica.port, host: '127.0.0.1' });
    replica.on('error', () => {});
    try {
      // 30 s: sentinels announce themselves every 2 s (hello messages) and find the replica in
      // the master's INFO every 10 s; this leaves room for a busy machine.
      await waitUntil(
        async () => {
          const info = await replica.info('replication');
          const states = await Promise.all(
            clients.map(async (c) => {
              const [master] = (await c.call('SENTINEL', 'MASTERS')) as string[][];
              const fields = Object.fromEntries(chunk(master ?? []));
              return Number(fields['num-slaves']) >= 1 && Number(fields['num-other-sentinels']) >= 2;
            }),
          );
          return info.includes('master_link_status:up') && states.every(Boolean);
        },
        { timeoutMs: 30_000, intervalMs: 200, what: 'the sentinels to discover the replica and each other' },
      );
    } finally {
      clients.forEach((c) => c.disconnect());
      replica.disconnect();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.master, this.replica, ...this.sentinels].map((s) => s.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function chunk(flat: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  return pairs;
}
