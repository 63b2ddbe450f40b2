import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { expect } from 'chai';
import Koa from 'koa';
import { toErrorAnswer } from '../../interfaces/http/http-errors.js';
import { readJsonBody } from '../../interfaces/http/json-body.js';

/** A request whose client went away before its body was read: its stream is already destroyed. */
function abortedRequest() {
  const request = new IncomingMessage(new Socket());
  request.headers = { 'content-type': 'application/json', 'content-length': '16', host: 'localhost' };
  request.method = 'POST';
  request.url = '/pings';
  request.destroy();
  return new Koa().createContext(request, new ServerResponse(request));
}

describe('a request body the client abandoned', () => {
  it('is a 400 of the client, never a 500 reported as our defect', async () => {
    const failure = await readJsonBody(abortedRequest()).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure, 'readJsonBody rejects').to.be.instanceOf(Error);
    expect(toErrorAnswer(failure)).to.include({
      status: 400,
      code: 'bad_request',
      message: 'the request ended before its body was read',
      unexpected: false,
    });
  });
});
