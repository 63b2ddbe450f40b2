import { expect } from 'chai';
import { CacheUnavailableError } from '../../domain/errors.js';
import type { CachedPing } from '../../domain/ping-cache.port.js';
import { LAST_PING_KEY } from '../../domain/ping-service.js';
import { createRedisClient } from '../../infrastructure/redis/create-redis-client.js';
import { RedisPingCache } from '../../infrastructure/redis/redis-ping-cache.js';
import { openTestRedis, type RedisFixture } from '../support/backend-fixtures.js';
import { freePort } from '../../harness/free-port.js';
import { silentLogger } from '../support/test-doubles.js';
import { connectTestRedis, testRedisUri } from '../support/test-servers.js';

const entry: CachedPing = {
  ping: { id: 12, createdAt: new Date('2026-03-01T12:00:00.250Z'), note: 'n' },
  freshUntil: Date.parse('2026-03-01T12:01:00Z'),
};

describe('RedisPingCache on the test Redis (integration)', function () {
  let redis: RedisFixture;
  let cache: RedisPingCache;

  before(async function () {
    redis = await openTestRedis('ping-service-it-cache');
    cache = new RedisPingCache(redis.client, redis.prefix);
  });

  after(async function () {
    await redis?.close();
  });

  it('stores the last ping under the versioned prefix, in a key that ends in last_ping, with a PX ttl', async function () {
    await cache.set(LAST_PING_KEY, entry, 30_000);
    const key = `${redis.prefix}last_ping`;
    expect(await redis.inspector.exists(key)).to.equal(1);
    expect(await redis.inspector.pttl(key)).to.be.within(25_000, 30_000);
    expect(JSON.parse((await redis.inspector.get(key))!)).to.deep.equal({
      ping: { id: 12, createdAt: '2026-03-01T12:00:00.250Z', note: 'n' },
      freshUntil: entry.freshUntil,
    });
  });

  const unreadable: Array<[string, string]> = [
    ['not JSON', 'definitely not json'],
    ['truncated JSON', '{"ping":{"id":1,"createdAt":"2026-'],
    ['an empty object', '{}'],
    ['JSON null', 'null'],
    ['a string id', '{"ping":{"id":"1","createdAt":"2026-03-01T12:00:00.000Z","note":null},"freshUntil":1}'],
    ['a bad date', '{"ping":{"id":1,"createdAt":"yesterday","note":null},"freshUntil":1}'],
    ['a missing freshUntil', '{"ping":{"id":1,"createdAt":"2026-03-01T12:00:00.000Z","note":null}}'],
    ['an older format (flat row)', '{"id":1,"created_at":"2026-03-01 12:00:00","note":null}'],
    ["the Flask app's plain timestamp", '2026-03-01 12:00:00.123456'],
  ];
  for (const [what, raw] of unreadable) {
    it(`reads ${what} as a miss, and the next set replaces it`, async function () {
      const key = `unreadable:${what}`;
      await redis.inspector.set(redis.prefix + key, raw);
      expect(await cache.get(key)).to.equal(null);
      await cache.set(key, entry, 30_000);
      expect(await cache.get(key)).to.deep.equal(entry);
    });
  }

  it('reads a key of another Redis type (a hash) as a miss, and the next set replaces it', async function () {
    await redis.inspector.hset(`${redis.prefix}hash`, 'ping', '1');
    expect(await cache.get('hash')).to.equal(null);
    await cache.set('hash', entry, 30_000);
    expect(await cache.get('hash')).to.deep.equal(entry);
  });

  it('uses the database index of REDIS_URI', async function () {
    const url = new URL(testRedisUri);
    url.pathname = '/5';
    const client = createRedisClient(
      { uri: url.toString(), connectTimeoutMs: 1_000, commandTimeoutMs: 1_000 },
      silentLogger,
    );
    const db5 = await connectTestRedis(url.toString());
    try {
      await client.connect();
      await new RedisPingCache(client, redis.prefix).set('in-db-5', entry, 30_000);
      expect(await db5.exists(`${redis.prefix}in-db-5`), 'written to database 5').to.equal(1);
      expect(await redis.inspector.exists(`${redis.prefix}in-db-5`), 'not to the default database').to.equal(0);
    } finally {
      await db5.del(`${redis.prefix}in-db-5`);
      db5.disconnect();
      client.disconnect();
    }
  });

  it('fails with CacheUnavailableError, without crashing the process, when Redis is not there', async function () {
    const client = createRedisClient(
      { uri: `redis://127.0.0.1:${await freePort()}`, connectTimeoutMs: 200, commandTimeoutMs: 200 },
      silentLogger,
    );
    await client.connect().catch(() => {});
    try {
      const dead = new RedisPingCache(client, redis.prefix);
      let failure: unknown;
      await dead.get(LAST_PING_KEY).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(CacheUnavailableError);
      failure = undefined;
      await dead.set(LAST_PING_KEY, entry, 1_000).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(CacheUnavailableError);
    } finally {
      client.disconnect();
    }
  });
});
