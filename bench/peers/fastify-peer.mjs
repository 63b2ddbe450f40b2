// The peer of `npm run bench`: the cache-aside /ping a user would otherwise write with Fastify 5,
// ioredis and pg, kept as plain and minimal as such a service is (no breakers, no single-flight,
// no metrics, no error reporting), to show where ping-service stands against it. Plain JavaScript
// run by node itself, like the service's compiled output. Development dependency only.
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';

const TTL_MS = Number(process.env.CACHE_TTL_SECONDS ?? 60) * 1000;
const key = `${process.env.REDIS_KEY_PREFIX ?? 'fastify-peer:'}last_ping`;
const redis = new Redis(process.env.REDIS_URI ?? 'redis://127.0.0.1:6379');
const pool = new pg.Pool({ connectionString: process.env.POSTGRES_URI, max: 10 });
await pool.query(
  'create table if not exists pings (id bigserial primary key, created_at timestamptz not null default now(), note text)',
);

const app = Fastify({ logger: false });
app.get('/ping', async (request, reply) => {
  const cached = await redis.get(key);
  if (cached) {
    reply.header('x-cache', 'HIT');
    return { message: 'Ping received and processed.', source: 'cache', ping: JSON.parse(cached) };
  }
  const { rows } = await pool.query('insert into pings default values returning id, created_at, note');
  const ping = { id: Number(rows[0].id), createdAt: rows[0].created_at.toISOString(), note: rows[0].note };
  await redis.set(key, JSON.stringify(ping), 'PX', TTL_MS);
  reply.header('x-cache', 'MISS');
  return { message: 'Ping received and processed.', source: 'database', ping };
});
await app.listen({ port: Number(process.env.PORT ?? 5200), host: '127.0.0.1' });
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => Promise.all([redis.quit(), pool.end()]))
    .finally(() => process.exit(0));
});
