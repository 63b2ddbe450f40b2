import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../infrastructure/config/config.js';

describe('configuration: HTTP server limits', () => {
  it('defaults to coherent timeouts: headers within the request budget, keep-alive above 60 s load balancers', () => {
    expect(loadConfig({}).http).to.deep.equal({
      port: 5000,
      host: '0.0.0.0',
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 4_096,
    });
  });

  it('reads good values', () => {
    const http = loadConfig({
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '620000',
      HTTP_MAX_CONNECTIONS: '100',
    }).http;
    expect(http).to.include({ headersTimeoutMs: 2_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 620_000 });
    expect(http.maxConnections).to.equal(100);
  });

  for (const [variable, value] of [
    ['HTTP_HEADERS_TIMEOUT_MS', '10'],
    ['HTTP_REQUEST_TIMEOUT_MS', 'slow'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '500'],
    ['HTTP_MAX_CONNECTIONS', '0'],
  ]) {
    it(`refuses ${variable}=${value} naming it`, () => {
      expect(() => loadConfig({ [variable!]: value })).to.throw(ConfigError, variable);
    });
  }

  it('refuses a headers budget larger than the request budget (Node would throw in createServer)', () => {
    const load = () => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '40000', HTTP_REQUEST_TIMEOUT_MS: '30000' });
    expect(load).to.throw(ConfigError, 'HTTP_HEADERS_TIMEOUT_MS must be at most HTTP_REQUEST_TIMEOUT_MS');
  });
});
