import { expect } from 'chai';
import type {
  AnsweredRequest,
  RequestTracing,
  ServerSpan,
  TracedRequest,
} from '../../application/request-tracing.port.js';
import { PingUseCases } from '../../application/ping-use-cases.js';
import { makeHttpHarness } from '../support/http-harness.js';
import { withMethods } from '../support/test-doubles.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Records what the envelope hands the server span. */
class RecordingTracing implements RequestTracing {
  readonly started: TracedRequest[] = [];
  readonly answered: AnsweredRequest[] = [];

  async trace<T>(request: TracedRequest, handle: (span: ServerSpan) => Promise<T>): Promise<T> {
    this.started.push(request);
    const span: ServerSpan = { traceparent: TRACEPARENT, answered: (answer) => void this.answered.push(answer) };
    return handle(span);
  }
}

/** The in-process app, with `tracing` handed to the HTTP layer as start-up does with tracing on. */
function makeSut(http: { tracing?: RequestTracing; pings?: PingUseCases } = {}) {
  return makeHttpHarness({}, {}, { http });
}

describe('the request envelope and the server span (HTTP layer, a recording tracer)', () => {
  it('adds nothing with tracing off: no traceparent in the answer', async () => {
    const answer = await makeSut().request({ url: '/ping' });
    expect(answer.status).to.equal(200);
    expect(answer.headers).to.not.have.property('traceparent');
  });

  it('answers the span’s traceparent, and ends the span with the route, status, request id and X-Cache', async () => {
    const tracing = new RecordingTracing();
    const answer = await makeSut({ tracing }).request({ url: '/ping', headers: { traceparent: 'from-the-caller' } });
    expect(answer.headers.traceparent).to.equal(TRACEPARENT);
    expect(tracing.started).to.have.length(1);
    expect(tracing.started[0]).to.deep.include({ method: 'GET', path: '/ping' });
    expect(tracing.started[0]!.headers.traceparent).to.equal('from-the-caller');
    expect(tracing.answered).to.deep.equal([
      {
        status: 200,
        route: '/ping',
        requestId: answer.headers['x-request-id'],
        xCache: 'MISS',
        error: undefined,
      },
    ]);
  });

  it('hands the span what a 500 was made of, and no route for an unrouted path', async () => {
    const defect = new TypeError('a defect');
    const pings = withMethods(PingUseCases, {
      getLastPing: () => Promise.reject(defect),
    });
    const tracing = new RecordingTracing();
    const { request } = makeSut({ tracing, pings });
    expect((await request({ url: '/ping' })).status).to.equal(500);
    expect((await request({ url: '/nowhere' })).status).to.equal(404);
    expect(tracing.answered.map(({ status, route }) => ({ status, route }))).to.deep.equal([
      { status: 500, route: '/ping' },
      { status: 404, route: null },
    ]);
    expect(tracing.answered[0]!.error).to.equal(defect);
  });
});
