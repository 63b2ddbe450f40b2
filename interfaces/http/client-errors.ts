import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../application/logger.port.js';

interface ClientErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** A method token (RFC 9110 tchar) at the start of what Node could not parse. */
const METHOD_TOKEN = /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}) /;

/** What a request Node's parser refused gets: the same JSON error shape as the app's answers. */
function describeClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }): ClientErrorAnswer {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'request_header_fields_too_large', message: 'the request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'the request took too long to arrive' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'payload_too_large', message: 'the chunk extensions are too large' };
    case 'HPE_INVALID_METHOD': {
      // A well-formed but unknown method is one this server implements nowhere (RFC 9110 says 501).
      const method = METHOD_TOKEN.exec(error.rawPacket?.toString('latin1') ?? '')?.[1];
      if (method) return notImplemented(method);
      break;
    }
  }
  return { status: 400, code: 'bad_request', message: 'the request could not be parsed as HTTP/1.1' };
}

const notImplemented = (method: string): ClientErrorAnswer => ({
  status: 501,
  code: 'not_implemented',
  message: `${method} is not implemented by this server`,
});

/**
 * Answers, in JSON and with a request id, what Node would otherwise answer by itself with a bare
 * status line (a malformed request, headers too large, a request too slow to arrive) or by
 * dropping the connection (CONNECT): then closes the connection, whose state is unknown.
 */
export function answerClientErrors(server: Server, logger: Logger): void {
  // The last response of each connection: a parse error can arrive while one is being sent (a
  // pipelined request, a request timeout), and a second status line would corrupt it. Kept until
  // the next request replaces it or the socket goes; one finished is no obstacle.
  const lastResponse = new WeakMap<Duplex, ServerResponse>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    lastResponse.set(request.socket, response);
  });
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    // Nothing to answer on a connection the client reset, or while an answer is under way on it.
    const response = lastResponse.get(socket);
    const answerUnderWay = response !== undefined && response.headersSent && !response.writableFinished;
    if (error.code === 'ECONNRESET' || !socket.writable || answerUnderWay) {
      socket.destroy();
      return;
    }
    answerAndClose(socket, describeClientError(error), logger, error.code);
  });
  server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    answerAndClose(socket, notImplemented('CONNECT'), logger, request.method);
  });
}

function answerAndClose(socket: Duplex, answer: ClientErrorAnswer, logger: Logger, cause: string | undefined): void {
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
  const head = [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
  ].join('\r\n');
  // Destroyed once written: a client still trickling bytes must not keep the socket open.
  socket.end(`${head}\r\n\r\n${body}`, () => socket.destroy());
  // Like any 4xx (info), but never the raw request: it is the client's and may hold anything.
  logger.info({ requestId, status: answer.status, code: answer.code, cause }, 'client error');
}
