import { expect } from 'chai';
import { makeHttpHarness } from '../support/http-harness.js';
import { parsePrometheusText, sampleValue } from '../../harness/prometheus-text.js';
import { RecordingReporter } from '../support/test-doubles.js';

/** Methods without a route: a client mistake or a probe, never a 500 and never a Sentry event. */
describe('HTTP methods without a route (in-process, app.callback())', () => {
  const makeSut = () => {
    const reporter = new RecordingReporter();
    return { ...makeHttpHarness({ ErrorReporter: reporter }), reporter };
  };

  for (const method of ['TRACE', 'PROPFIND', 'DELETE', 'PUT', 'MKCOL', 'PURGE']) {
    it(`${method} /ping answers 405 method_not_allowed with a correct Allow, unreported`, async () => {
      const { request, reporter } = makeSut();
      const answer = await request({ method: method as 'GET', url: '/ping' });
      expect(answer.status).to.equal(405);
      expect(answer.body).to.deep.equal({
        error: { code: 'method_not_allowed', message: `${method} is not allowed on /ping` },
      });
      expect(answer.headers['allow']).to.equal('GET, HEAD, OPTIONS');
      expect(reporter.reports).to.deep.equal([]);
    });
  }

  it('GET /pings/ and POST /ping name what is allowed on each path', async () => {
    const { request } = makeSut();
    expect((await request({ method: 'PATCH', url: '/pings' })).headers['allow']).to.equal('GET, HEAD, OPTIONS, POST');
    const answer = await request({ method: 'POST', url: '/ping' });
    expect(answer.status).to.equal(405);
    expect(answer.headers['allow']).to.equal('GET, HEAD, OPTIONS');
  });

  for (const method of ['TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'SEARCH']) {
    it(`${method} on an unknown path answers 501 not_implemented without an Allow header, unreported`, async () => {
      const { request, reporter } = makeSut();
      const answer = await request({ method: method as 'GET', url: '/nope' });
      expect(answer.status).to.equal(501);
      expect(answer.body).to.deep.equal({
        error: { code: 'not_implemented', message: `${method} is not implemented by this server` },
      });
      expect(answer.headers).to.not.have.property('allow');
      expect(reporter.reports).to.deep.equal([]);
    });
  }

  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    it(`${method} on an unknown path answers 404 not_found, never an empty Allow`, async () => {
      const { request } = makeSut();
      const answer = await request({ method: method as 'GET', url: '/nope' });
      expect(answer.status).to.equal(404);
      expect(answer.body).to.deep.equal({ error: { code: 'not_found', message: `no route for ${method} /nope` } });
      expect(answer.headers).to.not.have.property('allow');
    });
  }

  it('OPTIONS on a known path answers 204 with Allow and no body', async () => {
    const { request } = makeSut();
    const answer = await request({ method: 'OPTIONS', url: '/pings' });
    expect(answer.status).to.equal(204);
    expect(answer.headers['allow']).to.equal('GET, HEAD, OPTIONS, POST');
    expect(answer.body).to.equal('');
  });

  it('labels a 405 with its route template in the metrics, and an unknown path as unmatched', async () => {
    const { request, scrape } = makeSut();
    await request({ method: 'TRACE', url: '/ping' });
    await request({ method: 'DELETE', url: '/pings' });
    await request({ method: 'PROPFIND', url: '/nope' });
    const samples = parsePrometheusText(await scrape());
    const count = (method: string, route: string, status: string) =>
      sampleValue(samples, 'http_request_duration_seconds_count', { method, route, status_code: status });
    expect(count('TRACE', '/ping', '405')).to.equal(1);
    expect(count('DELETE', '/pings', '405')).to.equal(1);
    expect(count('PROPFIND', 'unmatched', '501')).to.equal(1);
  });
});
