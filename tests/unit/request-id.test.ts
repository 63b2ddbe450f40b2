import { expect } from 'chai';
import { PingUseCases } from '../../application/ping-use-cases.js';
import { makeHttpHarness } from '../support/http-harness.js';
import { RecordingReporter, withMethods } from '../support/test-doubles.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  it('gives each request a new UUID when none is sent, on success and error answers alike', async () => {
    const { request } = makeHttpHarness();
    const ids = [];
    for (const url of ['/ping', '/ping', '/nope', '/pings?limit=0']) {
      const answer = await request({ method: 'GET', url });
      expect(answer.headers['x-request-id'], url).to.match(UUID);
      ids.push(answer.headers['x-request-id']);
    }
    expect(new Set(ids).size).to.equal(ids.length);
  });

  for (const incoming of [
    '3f2a9c1e-7b4d-4e0f-9a55-2c1d8e6f0b31',
    'req-42',
    'Root=1-5759e988-bd862e3fe1be46a994272793',
    'a.b:c_d-e',
  ]) {
    it(`honours and returns a sane incoming id (${incoming})`, async () => {
      const { request } = makeHttpHarness();
      const answer = await request({ method: 'GET', url: '/ping', headers: { 'x-request-id': incoming } });
      expect(answer.headers['x-request-id']).to.equal(incoming);
    });
  }

  const insane: Array<[string, string]> = [
    ['too long', 'x'.repeat(129)],
    ['with spaces', 'a b'],
    ['with quotes and markup', '"><script>alert(1)</script>'],
    ['with a JSON breaker', 'id","level":"fatal'],
    ['with non-ASCII', 'idé'],
    ['empty', ''],
  ];
  for (const [what, incoming] of insane) {
    it(`replaces an incoming id ${what} with a new UUID`, async () => {
      const { request } = makeHttpHarness();
      const answer = await request({ method: 'GET', url: '/ping', headers: { 'x-request-id': incoming } });
      expect(answer.status).to.equal(200);
      expect(answer.headers['x-request-id']).to.match(UUID);
    });
  }

  it('replaces two conflicting ids (a repeated header) with a new one', async () => {
    const { request } = makeHttpHarness();
    const answer = await request({ method: 'GET', url: '/ping', headers: { 'x-request-id': ['one', 'two'] } });
    expect(answer.headers['x-request-id']).to.match(UUID);
  });

  it('tags the report of an unexpected error with the request id and the route template', async () => {
    const reporter = new RecordingReporter();
    const broken = withMethods(PingUseCases, { getLastPing: () => Promise.reject(new TypeError('boom')) });
    const { request } = makeHttpHarness({ PingUseCases: broken, ErrorReporter: reporter });
    const answer = await request({ method: 'GET', url: '/ping', headers: { 'x-request-id': 'trace-me-1' } });
    expect(answer.status).to.equal(500);
    expect(answer.headers['x-request-id']).to.equal('trace-me-1');
    expect(reporter.reports).to.have.length(1);
    expect(reporter.reports[0]!.context).to.deep.equal({ route: '/ping', method: 'GET', requestId: 'trace-me-1' });
  });

  it('reports no 4xx answer', async () => {
    const reporter = new RecordingReporter();
    const { request } = makeHttpHarness({ ErrorReporter: reporter });
    const json = { 'content-type': 'application/json' };
    await request({ method: 'GET', url: '/nope' });
    await request({ method: 'DELETE', url: '/ping' });
    await request({ method: 'GET', url: '/pings?limit=0' });
    await request({ method: 'POST', url: '/pings', headers: json, payload: '{"note":' });
    await request({
      method: 'POST',
      url: '/pings',
      headers: json,
      payload: JSON.stringify({ note: 'x'.repeat(20_000) }),
    });
    expect(reporter.reports).to.deep.equal([]);
  });
});
