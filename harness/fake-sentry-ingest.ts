import { createServer } from 'node:http';
import { once } from 'node:events';
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';

export interface IngestRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body as sent, decompressed when the SDK compressed it. */
  readonly body: string;
}

export interface EnvelopeItem {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, any>;
}

/**
 * A local HTTP server playing Sentry's ingest: it keeps every request and answers 200, as the
 * real one does. The SDK compresses large envelopes, so bodies are decompressed before keeping.
 */
export class FakeSentryIngest {
  readonly requests: IngestRequest[] = [];
  private readonly server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = decode(req.headers['content-encoding'], Buffer.concat(chunks));
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  static async start(): Promise<FakeSentryIngest> {
    const ingest = new FakeSentryIngest();
    ingest.server.listen(0, '127.0.0.1');
    await once(ingest.server, 'listening');
    return ingest;
  }

  get port(): number {
    const address = this.server.address();
    if (typeof address !== 'object' || !address) throw new Error('not listening');
    return address.port;
  }

  /** A DSN for project 1 with this server as the ingest host. */
  get dsn(): string {
    return `http://publickey@127.0.0.1:${this.port}/1`;
  }

  /** Every envelope item received so far, in order. */
  items(): EnvelopeItem[] {
    return this.requests.flatMap((request) => parseEnvelope(request.body));
  }

  /** Error events (not client reports, sessions or spans). */
  events(): Array<Record<string, any>> {
    return this.items()
      .filter((item) => item.header.type === 'event')
      .map((item) => item.payload);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function decode(encoding: string | undefined, body: Buffer): string {
  if (encoding === 'gzip') return gunzipSync(body).toString('utf8');
  if (encoding === 'deflate') return inflateSync(body).toString('utf8');
  if (encoding === 'br') return brotliDecompressSync(body).toString('utf8');
  return body.toString('utf8');
}

/** Envelope: a header line, then for each item a header line and a JSON payload line. */
function parseEnvelope(body: string): EnvelopeItem[] {
  const lines = body.split('\n').filter((line) => line.length > 0);
  const items: EnvelopeItem[] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    items.push({ header: JSON.parse(lines[i]!), payload: JSON.parse(lines[i + 1]!) });
  }
  return items;
}
