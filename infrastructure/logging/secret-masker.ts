import type { Config } from '../config/config.js';

const MASK = '***';

/**
 * `scheme://user:password@`: the password runs to the last `@` before a space, slash or quote,
 * so a raw `@` inside it (invalid, but common) does not leave its tail visible. Bounded
 * repetitions keep the scan linear on hostile input.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/?#@"'<>]{0,256}):([^\s/"'<>]{0,512})@/gi;
/** `?password=...` and friends in connection strings and query strings. */
const QUERY_SECRET =
  /([?&;](?:password|passwd|pwd|pass|sslpassword|secret|token|access_token|api_key|apikey|sentry_key)=)[^&;\s"'#]*/gi;

/**
 * Query parameters of a configured URI whose values are secret or name a secret: libpq's TLS key
 * and certificate paths can carry a secret's name, and the paths show up in ENOENT messages.
 */
const SECRET_PARAMETER = /pass|secret|token|key|sslcert|sslrootcert|sslcrl/i;

/**
 * Masks credentials in any text (a log line, a Sentry event string): URL passwords of any
 * scheme, secret query parameters, and the literal secrets of this deployment (the Sentry DSN,
 * the PostgreSQL and Redis passwords wherever they show up outside a URL, the write tokens).
 */
export class SecretMasker {
  private readonly literals: readonly string[];

  /**
   * `literals`: this deployment's secrets, masked wherever they appear whatever their length
   * (a 6-character password is as secret as a long one). Only the exact configured values are
   * masked, so a short one costs at worst a masked word elsewhere in a line, never a leak.
   */
  constructor(literals: Iterable<string> = []) {
    const all = new Set<string>();
    for (const literal of literals) {
      if (literal.length === 0) continue;
      all.add(literal);
      // The same secret as it appears inside a JSON string (quotes and backslashes escaped).
      all.add(JSON.stringify(literal).slice(1, -1));
    }
    // Longest first, so a DSN is masked whole before its key alone would be.
    this.literals = [...all].sort((a, b) => b.length - a.length);
  }

  static fromConfig(config: MaskedConfig): SecretMasker {
    return new SecretMasker(configSecrets(config));
  }

  mask(text: string): string {
    let masked = text;
    // Cheap guards first: most log lines contain neither character and skip the regexes.
    if (masked.includes('@')) masked = masked.replace(URL_PASSWORD, `$1:${MASK}@`);
    if (masked.includes('=')) masked = masked.replace(QUERY_SECRET, `$1${MASK}`);
    for (const literal of this.literals) {
      if (masked.includes(literal)) masked = masked.replaceAll(literal, MASK);
    }
    return masked;
  }
}

/** The parts of the configuration that hold secrets. */
export type MaskedConfig = Partial<Pick<Config, 'postgres' | 'redis' | 'sentry' | 'writes'>>;

/** The secrets this deployment was configured with, in every spelling they may show up in. */
function configSecrets(config: MaskedConfig): string[] {
  const secrets: string[] = [];
  for (const uri of [config.postgres?.uri, config.redis?.uri]) {
    if (!uri) continue;
    const { username, password, parameters } = parseCredentials(uri);
    // A password equal to the user name ("postgres:postgres") is no secret, and masking the word
    // everywhere would garble every line that names the database.
    if (password && safeDecode(password) !== username) secrets.push(password, safeDecode(password));
    for (const [name, value] of parameters) if (SECRET_PARAMETER.test(name) && value) secrets.push(value);
  }
  if (config.sentry?.dsn) {
    secrets.push(config.sentry.dsn);
    // The DSN's public key (its user part) identifies the project to anyone who has it.
    const { username } = parseCredentials(config.sentry.dsn);
    if (username) secrets.push(username);
  }
  // Sentinel mode: the passwords come as variables of their own, never in a URL.
  const sentinel = config.redis?.sentinel;
  for (const password of [sentinel?.password, sentinel?.sentinelPassword]) if (password) secrets.push(password);
  // A token pasted into a note, a header echoed in an error: never in a log line or a report.
  secrets.push(...(config.writes?.tokens ?? []));
  return secrets;
}

function parseCredentials(uri: string): { username: string; password: string; parameters: [string, string][] } {
  // The user info of a multi-host URI (`h1:5432,h2:5432`), which WHATWG URL cannot parse.
  const multiHost = /^[a-z][a-z0-9+.-]*:\/\/([^:@/]*):([^@/]*)@[^/]*,/i.exec(uri);
  if (multiHost) {
    const query = uri.includes('?') ? uri.slice(uri.indexOf('?') + 1) : '';
    return {
      username: safeDecode(multiHost[1]!),
      password: multiHost[2]!,
      parameters: [...new URLSearchParams(query)],
    };
  }
  try {
    const url = new URL(uri);
    return { username: safeDecode(url.username), password: url.password, parameters: [...url.searchParams] };
  } catch {
    return { username: '', password: '', parameters: [] };
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
