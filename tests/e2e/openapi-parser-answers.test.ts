import { expect } from 'chai';
import { connect } from 'node:net';
import { loadConfig } from '../../infrastructure/config/config.js';
import { startHttpServer, type RunningServer } from '../../interfaces/startup/http-server.js';
import { makeHttpHarness } from '../support/http-harness.js';
import { contractProblems, isMethod, openApi, type LiveAnswer } from '../support/openapi-contract.js';

/** Sends raw bytes on a fresh connection and parses the one answer (the server closes after it). */
async function rawRequest(port: number, bytes: string): Promise<LiveAnswer> {
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
    socket.end(bytes);
  });
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text: rest.join('\r\n\r\n') };
}

/**
 * The answers that Node's HTTP parser gives before any route runs: the same component on every
 * operation of the document, so one request per operation's path shows the whole contract.
 */
describe("the OpenAPI document against the HTTP parser's answers (a real socket)", () => {
  let server: RunningServer;

  before(async () => {
    server = await startHttpServer(makeHttpHarness().container, {
      http: { ...loadConfig({}).http, port: 0, metricsPort: 0, host: '127.0.0.1' },
      shutdown: { delayMs: 0, timeoutMs: 2_000 },
    });
  });
  after(() => server?.shutdown());

  const paths = Object.keys(openApi.paths);
  const cases = [
    {
      status: 431,
      title: 'headers too large',
      bytes: (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(20_000)}\r\n\r\n`,
    },
    {
      status: 400,
      title: 'a malformed header line',
      bytes: (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n`,
    },
  ];

  for (const c of cases) {
    for (const path of paths) {
      const operation = Object.keys(openApi.paths[path]).find(isMethod)!.toUpperCase();
      // A path with servers of its own (/metrics) is served by the metrics listener.
      const onMetricsListener = openApi.paths[path].servers !== undefined;
      it(`${operation} ${path} -> ${c.status}: ${c.title}`, async () => {
        expect(openApi.paths[path][operation.toLowerCase()].responses[String(c.status)], 'documented').to.be.an(
          'object',
        );
        const answer = await rawRequest(onMetricsListener ? server.metricsPort : server.port, c.bytes(path));
        expect(answer.status).to.equal(c.status);
        const problems = contractProblems(operation, path, answer);
        expect(problems).to.deep.equal([]);
      });
    }
  }
});
