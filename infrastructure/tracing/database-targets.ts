import type { Config } from '../config/config.js';
import { parsePostgresUri } from '../postgres/postgres-hosts.js';
import type { DatabaseTarget } from './database-spans.js';

/**
 * Where the Redis calls go, for their spans: the host, port and index of REDIS_URI. In Sentinel
 * mode the master moves, so no server is named (the index still is).
 */
export function redisTarget({ uri, sentinel }: Config['redis']): DatabaseTarget {
  if (sentinel || !uri) return { system: 'redis', namespace: String(sentinel?.db ?? 0) };
  const url = new URL(uri);
  return {
    system: 'redis',
    namespace: url.pathname.replace('/', '') || '0',
    serverAddress: url.hostname,
    serverPort: Number(url.port || 6379),
  };
}

/**
 * Where the store's queries go: the database of POSTGRES_URI, and its server when there is one
 * host (with several, whichever answers is chosen per connection). The embedded engine is
 * PostgreSQL too, with no server.
 */
export function postgresTarget({ uri }: Config['postgres']): DatabaseTarget & { poolName: string } {
  if (!uri) return { system: 'postgresql', collection: 'pings', poolName: 'embedded' };
  const { hosts, singleUri, description } = parsePostgresUri(uri);
  const database = databaseName(singleUri);
  const single = hosts.length === 1 ? hosts[0] : undefined;
  return {
    system: 'postgresql',
    collection: 'pings',
    ...(database ? { namespace: database } : {}),
    ...(single ? { serverAddress: single.host, serverPort: single.port } : {}),
    poolName: description,
  };
}

function databaseName(singleUri: string): string | undefined {
  try {
    return decodeURIComponent(new URL(singleUri).pathname.slice(1)) || undefined;
  } catch {
    return undefined;
  }
}
