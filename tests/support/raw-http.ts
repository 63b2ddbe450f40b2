import { connect, type Socket } from 'node:net';

export interface RawExchange {
  /** Everything the server sent before closing. */
  readonly text: string;
  /** Milliseconds from connecting to the server's close (or the bound). */
  readonly closedAfterMs: number;
  /** False when the bound passed with the socket still open. */
  readonly closedByServer: boolean;
  readonly error?: string;
}

/**
 * Speaks HTTP/1.1 by hand, for what a client library refuses to send (a malformed request line,
 * header bytes that trickle in): writes `chunks` `intervalMs` apart, keeps writing `trickle` (if
 * given) until the server closes, and collects what comes back until then or `boundMs`.
 */
export function rawExchange(
  port: number,
  options: { chunks: ReadonlyArray<string | Buffer>; intervalMs?: number; trickle?: string; boundMs: number },
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = performance.now();
    const received: Buffer[] = [];
    let socket: Socket | undefined = undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean, error?: string) => {
      clearInterval(timer);
      clearTimeout(bound);
      socket?.destroy();
      resolve({
        text: Buffer.concat(received).toString('utf8'),
        closedAfterMs: performance.now() - started,
        closedByServer,
        ...(error ? { error } : {}),
      });
    };
    const bound = setTimeout(() => finish(false), options.boundMs);
    socket = connect(port, '127.0.0.1', () => {
      const pending = [...options.chunks];
      const writeNext = () => {
        const next = pending.shift() ?? options.trickle;
        if (next === undefined) return clearInterval(timer);
        if (socket?.writable) socket.write(next);
      };
      writeNext();
      timer = setInterval(writeNext, options.intervalMs ?? 100);
    });
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(true, error.code ?? String(error)));
    socket.on('close', () => finish(true));
  });
}

/** The status line, headers (lower-cased names) and parsed JSON body of a raw answer. */
export function parseRawAnswer(text: string) {
  const [head = '', body = ''] = text.split('\r\n\r\n', 2);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body, json };
}
