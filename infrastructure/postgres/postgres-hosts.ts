/** libpq's `target_session_attrs` values this service honours (the ones a writer can use). */
const TARGET_SESSION_ATTRS = ['any', 'read-write', 'primary'] as const;
export type TargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number];

export interface PostgresHost {
  readonly host: string;
  readonly port: number;
}

/** A POSTGRES_URI taken apart: one or more hosts, the rest shared by all of them. */
export interface PostgresTargets {
  readonly hosts: readonly PostgresHost[];
  readonly targetSessionAttrs: TargetSessionAttrs;
  /** The URI for pg when there is at most one host (no host: pg's defaults, e.g. a socket in `?host=`). */
  readonly singleUri: string;
  /** A single-host URI for `hosts[i]` (same user, password, database and parameters). */
  uriFor(host: PostgresHost): string;
  /** `host:port,host:port/db` with no credentials: for logs. */
  readonly description: string;
}

/** Why a URI was refused; the message never contains the URI (it may hold a password). */
export class PostgresUriError extends Error {}

const URI_SHAPE = /^(postgres(?:ql)?:)\/\/(?:([^@/?#]*)@)?([^/?#]*)(.*)$/;

/**
 * Parses libpq's URI form, multi-host included: `postgres://u:pw@h1:5432,h2:5433/db?target_session_attrs=read-write`.
 * node-postgres takes one host only (brianc/node-postgres#1470), so each host becomes a
 * single-host URI of its own for pg, and `target_session_attrs` is taken out (pg does not know it).
 */
export function parsePostgresUri(uri: string): PostgresTargets {
  const match = URI_SHAPE.exec(uri);
  if (!match) throw new PostgresUriError('must be a PostgreSQL URL (postgres:// or postgresql://)');
  const [, scheme, userinfo, hostList, rest] = match as unknown as [string, string, string | undefined, string, string];
  const hosts = hostList === '' ? [] : hostList.split(',').map(parseHost);
  let tail: URL;
  try {
    tail = new URL(`${scheme}//placeholder${rest}`);
  } catch {
    throw new PostgresUriError('must be a PostgreSQL URL (postgres:// or postgresql://)');
  }
  const attrs = tail.searchParams.get('target_session_attrs') ?? 'any';
  if (!(TARGET_SESSION_ATTRS as readonly string[]).includes(attrs)) {
    throw new PostgresUriError(`target_session_attrs must be one of ${TARGET_SESSION_ATTRS.join(', ')}`);
  }
  tail.searchParams.delete('target_session_attrs');
  const suffix = `${tail.pathname}${tail.search}`;
  const credentials = userinfo === undefined ? '' : `${userinfo}@`;
  const uriFor = (host: PostgresHost) => `${scheme}//${credentials}${formatHost(host)}${suffix}`;
  return {
    hosts,
    singleUri: hosts[0] ? uriFor(hosts[0]) : `${scheme}//${credentials}${suffix}`,
    targetSessionAttrs: attrs as TargetSessionAttrs,
    uriFor,
    description: `${hosts.map(formatHost).join(',')}${tail.pathname}`,
  };
}

function parseHost(text: string): PostgresHost {
  const match = /^(\[[0-9a-fA-F:.]+\]|[\w.-]+)(?::(\d{1,5}))?$/.exec(text);
  const port = match?.[2] === undefined ? 5432 : Number(match[2]);
  if (!match || port < 1 || port > 65535) throw new PostgresUriError('must list hosts as host[:port],host[:port]');
  return { host: match[1]!, port };
}

function formatHost({ host, port }: PostgresHost): string {
  return `${host}:${port}`;
}
