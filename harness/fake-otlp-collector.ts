import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

/** An attribute value as OTLP carries it, flattened: arrays stay arrays, int64 become numbers. */
type AttributeValue = string | number | boolean | AttributeValue[] | null;

/** A span as the collector received it, whichever encoding it came in. */
export interface CollectedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly name: string;
  readonly kind: 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED';
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly status: { readonly code: 'UNSET' | 'OK' | 'ERROR'; readonly message: string };
  readonly events: ReadonlyArray<{
    readonly name: string;
    readonly attributes: Readonly<Record<string, AttributeValue>>;
  }>;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly resource: Readonly<Record<string, AttributeValue>>;
}

export interface ExportRequest {
  readonly path: string;
  readonly contentType: string;
  readonly spans: number;
}

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
const STATUS_CODES = ['UNSET', 'OK', 'ERROR'] as const;

/**
 * The OTLP messages, parsed by protobufjs from harness/otlp-trace.proto (the official protocol's
 * names and field numbers): the OpenTelemetry packages ship an encoder for requests, not a
 * decoder, so the collector decodes with protobufjs, as the protocol's own tooling would.
 */
const exportRequest = protobuf
  .parse(readFileSync(new URL('./otlp-trace.proto', import.meta.url), 'utf8'))
  .root.lookupType('opentelemetry.proto.ExportTraceServiceRequest');

/** OTLP/JSON and protobufjs's plain objects share field names (lowerCamelCase), not id encodings. */
type Json = any;

const hex = (bytes: Json): string =>
  typeof bytes === 'string' ? bytes.toLowerCase() : Buffer.from(bytes ?? []).toString('hex');

function anyValue(value: Json): AttributeValue {
  if (!value) return null;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(anyValue);
  return null;
}

function attributes(list: Json[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));
}

/** One request's spans, from either encoding's plain object (ids hex in JSON, bytes in protobuf). */
function spansOf(request: Json): CollectedSpan[] {
  return (request.resourceSpans ?? []).flatMap((rs: Json) => {
    const resource = attributes(rs.resource?.attributes);
    return (rs.scopeSpans ?? []).flatMap((ss: Json) =>
      (ss.spans ?? []).map((span: Json): CollectedSpan => ({
        traceId: hex(span.traceId),
        spanId: hex(span.spanId),
        parentSpanId: hex(span.parentSpanId),
        traceState: span.traceState ?? '',
        name: span.name,
        kind: KINDS[Number(span.kind ?? 0)] ?? 'UNSPECIFIED',
        attributes: attributes(span.attributes),
        status: {
          code: STATUS_CODES[Number(span.status?.code ?? 0)] ?? 'UNSET',
          message: span.status?.message ?? '',
        },
        events: (span.events ?? []).map((event: Json) => ({
          name: event.name,
          attributes: attributes(event.attributes),
        })),
        startNs: BigInt(span.startTimeUnixNano ?? 0),
        endNs: BigInt(span.endTimeUnixNano ?? 0),
        resource,
      })),
    );
  });
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

/**
 * A local OTLP/HTTP trace receiver, as a collector, Tempo or Jaeger offers on port 4318: it takes
 * `POST /v1/traces` in `application/x-protobuf` or `application/json`, keeps every span, and
 * answers an empty success in the same encoding. Anything else is answered 415 or 404.
 */
export class FakeOtlpCollector {
  readonly requests: ExportRequest[] = [];
  /** Exports answered, whether or not their spans were kept. */
  exports = 0;
  private readonly received: CollectedSpan[] = [];
  private readonly server = createServer((req, res) => {
    void (async () => {
      const contentType = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim();
      const body = await bodyOf(req);
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      this.exports++;
      if (!this.keep) {
        res.writeHead(200, { 'content-type': contentType }).end(contentType === 'application/json' ? '{}' : '');
        return;
      }
      let spans: CollectedSpan[];
      if (contentType === 'application/json') {
        spans = spansOf(JSON.parse(body.toString('utf8')));
      } else if (contentType === 'application/x-protobuf') {
        const message = exportRequest.decode(body);
        spans = spansOf(exportRequest.toObject(message, { longs: String, enums: Number }));
      } else {
        res.writeHead(415).end();
        return;
      }
      this.requests.push({ path: req.url, contentType, spans: spans.length });
      this.received.push(...spans);
      // An empty ExportTraceServiceResponse: zero bytes in protobuf, `{}` in JSON.
      res.writeHead(200, { 'content-type': contentType }).end(contentType === 'application/json' ? '{}' : '');
    })().catch(() => res.writeHead(400).end());
  });

  /** `keep: false` answers every export without decoding or keeping it (the bench's load). */
  private constructor(private readonly keep: boolean) {}

  static async start({ keep = true }: { keep?: boolean } = {}): Promise<FakeOtlpCollector> {
    const collector = new FakeOtlpCollector(keep);
    collector.server.listen(0, '127.0.0.1');
    await once(collector.server, 'listening');
    return collector;
  }

  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it (the exporter appends /v1/traces). */
  get endpoint(): string {
    const address = this.server.address();
    if (typeof address !== 'object' || !address) throw new Error('not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  spans(): CollectedSpan[] {
    return [...this.received];
  }

  /** The spans of one trace. */
  trace(traceId: string): CollectedSpan[] {
    return this.received.filter((span) => span.traceId === traceId);
  }

  /**
   * Waits until `ready` holds for the spans received so far, for at most `timeoutMs`; the batch
   * exporter sends on a schedule, so spans arrive a moment after the answer they belong to.
   */
  async waitFor(
    ready: (spans: CollectedSpan[]) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<CollectedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (!ready(this.spans())) {
      if (Date.now() > deadline) throw new Error(`the collector did not receive ${what} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.spans();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
