import { SpanKind, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import type { SecretMasker } from '../logging/secret-masker.js';
import { inSpan } from './span-run.js';

/** Where an adapter's calls go, as the database conventions name it; fixed for the adapter's life. */
export interface DatabaseTarget {
  /** `db.system.name`: `postgresql` (PGlite too: it is PostgreSQL) or `redis`. */
  readonly system: 'postgresql' | 'redis';
  /** `db.namespace`: the database's name (PostgreSQL), its index (Redis). */
  readonly namespace?: string;
  readonly serverAddress?: string;
  readonly serverPort?: number;
  /** `db.collection.name`: the table every call of the adapter touches. */
  readonly collection?: string;
}

/** PostgreSQL's SQLSTATE: five digits or capitals (57014, 08006, 25006). */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * The SQLSTATE of a failure, wherever it sits in the `cause` chain (the store adapter wraps the
 * driver's error in a StoreUnavailableError): the conventions' `db.response.status_code`.
 */
function sqlState(error: unknown): string | undefined {
  for (let at = error, depth = 0; at instanceof Error && depth < 4; at = at.cause, depth++) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string' && SQLSTATE.test(code)) return code;
  }
  return undefined;
}

/**
 * One client span per call of a database adapter, named and attributed by the OpenTelemetry
 * database conventions: `{operation} {table}` for PostgreSQL (`INSERT pings`), the command alone
 * for Redis (`GET`; the index is left out of Redis span names by its conventions). No statement
 * text and no parameters are recorded: the operation and the table say what ran.
 */
export class DatabaseSpans {
  private readonly byOperation = new Map<string, { name: string; attributes: Attributes }>();

  constructor(
    private readonly tracer: Tracer,
    private readonly masker: SecretMasker,
    private readonly target: DatabaseTarget,
  ) {}

  run<T>(operation: string, work: (span: Span) => Promise<T>): Promise<T> {
    const { name, attributes } = this.describe(operation);
    return inSpan(this.tracer, this.masker, name, { kind: SpanKind.CLIENT, attributes }, work, (error, span) => {
      const code = this.target.system === 'postgresql' ? sqlState(error) : undefined;
      if (code) span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, code);
      return code;
    });
  }

  /** Names and attributes are the same for every call of one operation: made once. */
  private describe(operation: string): { name: string; attributes: Attributes } {
    let described = this.byOperation.get(operation);
    if (!described) {
      const { system, namespace, serverAddress, serverPort, collection } = this.target;
      const name = collection ? `${operation} ${collection}` : operation;
      const attributes: Attributes = { [ATTR_DB_SYSTEM_NAME]: system, [ATTR_DB_OPERATION_NAME]: operation };
      if (collection) {
        attributes[ATTR_DB_COLLECTION_NAME] = collection;
        attributes[ATTR_DB_QUERY_SUMMARY] = name;
      }
      if (namespace !== undefined) attributes[ATTR_DB_NAMESPACE] = namespace;
      if (serverAddress !== undefined) attributes[ATTR_SERVER_ADDRESS] = serverAddress;
      if (serverPort !== undefined) attributes[ATTR_SERVER_PORT] = serverPort;
      described = { name, attributes };
      this.byOperation.set(operation, described);
    }
    return described;
  }
}
