import { expect } from 'chai';
import type { Context } from 'koa';
import { loadConfig } from '../../infrastructure/config/config.js';
import { HashedWriteTokens } from '../../infrastructure/edge/hashed-write-tokens.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { clientAddress, clientKey } from '../../interfaces/http/client-address.js';
import { makeHttpHarness } from '../support/http-harness.js';
import { parsePrometheusText, sampleValue } from '../../harness/prometheus-text.js';

const TOKEN = 'writer-one-token-0123456789abcdef';
const OTHER_TOKEN = 'writer-two-token-fedcba9876543210';
const json = { 'content-type': 'application/json' };

function makeSut(env: NodeJS.ProcessEnv = {}) {
  const harness = makeHttpHarness({}, env);
  const post = (headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') =>
    harness.request({ method: 'POST', url: '/pings', headers: { ...json, ...headers }, payload: '{}', remoteAddress });
  const stored = async () => (await harness.request({ method: 'GET', url: '/pings?limit=100' })).body.items.length;
  const metric = async (name: string) =>
    sampleValue(parsePrometheusText(await harness.scrape()), name, { limiter: 'writes' });
  return { ...harness, post, stored, metric };
}

describe('write tokens (WRITE_TOKENS)', () => {
  it('HashedWriteTokens accepts every configured token and nothing else', () => {
    const tokens = new HashedWriteTokens([TOKEN, OTHER_TOKEN]);
    expect(tokens.accepts(TOKEN)).to.equal(true);
    expect(tokens.accepts(OTHER_TOKEN)).to.equal(true);
    for (const guess of ['', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), ` ${TOKEN}`, 'x'.repeat(10_000)]) {
      expect(tokens.accepts(guess), JSON.stringify(guess.slice(0, 40))).to.equal(false);
    }
  });

  it('POST /pings without a token: 401 with a bare Bearer challenge, nothing stored', async () => {
    const { post, stored } = makeSut({ WRITE_TOKENS: TOKEN });
    for (const authorization of [undefined, `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, 'Bearer']) {
      const answer = await post(authorization === undefined ? {} : { authorization });
      expect(answer.status, authorization).to.equal(401);
      expect(answer.headers['www-authenticate']).to.equal('Bearer realm="ping-service"');
      expect(answer.body.error.code).to.equal('missing_token');
    }
    expect(await stored()).to.equal(0);
  });

  it('POST /pings with a wrong token: 401 error="invalid_token", nothing stored', async () => {
    const { post, stored } = makeSut({ WRITE_TOKENS: TOKEN });
    for (const token of [OTHER_TOKEN, `${TOKEN}0`, TOKEN.slice(1)]) {
      const answer = await post({ authorization: `Bearer ${token}` });
      expect(answer.status).to.equal(401);
      expect(answer.headers['www-authenticate']).to.equal('Bearer realm="ping-service", error="invalid_token"');
      expect(answer.body.error.code).to.equal('invalid_token');
    }
    expect(await stored()).to.equal(0);
  });

  it('POST /pings with any configured token: 201 (the scheme is case-insensitive); reads need none', async () => {
    const { post, stored, request } = makeSut({ WRITE_TOKENS: `${TOKEN},${OTHER_TOKEN}` });
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).to.equal(201);
    expect((await post({ authorization: `bearer ${OTHER_TOKEN}` })).status).to.equal(201);
    expect(await stored()).to.equal(2);
    for (const url of ['/ping', '/pings', '/healthz', '/readyz', '/openapi.json']) {
      expect((await request({ method: 'GET', url })).status, url).to.equal(200);
    }
  });

  it('never logs a token: not the right one, not a wrong one, not in a field or a message', async () => {
    const config = loadConfig({ WRITE_TOKENS: TOKEN, LOG_LEVEL: 'debug' });
    const lines: string[] = [];
    const logger = createLogger(config, { write: (line: string) => void lines.push(line) });
    const { request } = makeHttpHarness({ Logger: logger }, { WRITE_TOKENS: TOKEN, LOG_LEVEL: 'debug' });
    for (const token of [TOKEN, `${TOKEN}x`]) {
      await request({ method: 'POST', url: '/pings', headers: { authorization: `Bearer ${token}` } });
    }
    logger.info({ authorization: `Bearer ${TOKEN}`, WRITE_TOKENS: TOKEN }, `a message that quotes ${TOKEN}`);
    expect(lines.length).to.be.greaterThan(2);
    for (const line of lines) expect(line).to.not.include(TOKEN);
  });
});

describe('the write rate limit (WRITE_RATE_LIMIT_PER_MINUTE), in memory without Redis', () => {
  it('admits the limit per client, then 429 with Retry-After and the RateLimit fields; another client is unaffected', async () => {
    const { post, stored, metric } = makeSut({ WRITE_RATE_LIMIT_PER_MINUTE: '3' });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post()).status);
    expect(statuses).to.deep.equal([201, 201, 201, 429, 429]);
    const refused = await post();
    expect(refused.body.error.code).to.equal('rate_limited');
    expect(Number(refused.headers['retry-after'])).to.be.within(1, 60);
    expect(refused.headers['ratelimit-policy']).to.equal('"writes";q=3;w=60');
    expect(refused.headers['ratelimit']).to.equal(`"writes";r=0;t=${refused.headers['retry-after']}`);
    expect((await post({}, '10.0.0.2')).status, 'another address').to.equal(201);
    expect(await stored()).to.equal(4);
    expect(await metric('ping_rate_limited_total')).to.equal(3);
    expect(await metric('ping_rate_limiter_shared'), 'no Redis: this instance counts alone').to.equal(0);
  });

  it('counts only writes that passed the token check: anonymous 401s spend nobody’s allowance', async () => {
    const { post } = makeSut({ WRITE_TOKENS: TOKEN, WRITE_RATE_LIMIT_PER_MINUTE: '1' });
    for (let i = 0; i < 5; i++) expect((await post()).status).to.equal(401);
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).to.equal(201);
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).to.equal(429);
  });

  it('limits writes only: reads are never counted', async () => {
    const { post, request } = makeSut({ WRITE_RATE_LIMIT_PER_MINUTE: '1' });
    for (let i = 0; i < 10; i++) expect((await request({ method: 'GET', url: '/pings' })).status).to.equal(200);
    expect((await post()).status).to.equal(201);
  });

  it('0 turns the limit off: no refusal and no RateLimit fields', async () => {
    const { post } = makeSut({ WRITE_RATE_LIMIT_PER_MINUTE: '0' });
    for (let i = 0; i < 70; i++) {
      const answer = await post();
      expect(answer.status).to.equal(201);
      expect(answer.headers).to.not.have.property('ratelimit');
    }
  });

  it('ignores X-Forwarded-For unless TRUSTED_PROXY_HOPS says a proxy wrote it', async () => {
    const forged = (i: number) => ({ 'x-forwarded-for': `203.0.113.${i}` });
    const direct = makeSut({ WRITE_RATE_LIMIT_PER_MINUTE: '2' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await direct.post(forged(i))).status);
    expect(statuses, 'a client that forges a new address each time is still one client').to.deep.equal([
      201, 201, 429, 429,
    ]);
    const proxied = makeSut({ WRITE_RATE_LIMIT_PER_MINUTE: '2', TRUSTED_PROXY_HOPS: '1' });
    for (let i = 0; i < 4; i++) expect((await proxied.post(forged(i), '10.0.0.9')).status).to.equal(201);
  });
});

describe('clientAddress: who a write counts against', () => {
  const ctx = (remoteAddress: string, forwardedFor?: string) =>
    ({
      req: { socket: { remoteAddress } },
      get: (name: string) => (name.toLowerCase() === 'x-forwarded-for' ? (forwardedFor ?? '') : ''),
    }) as unknown as Context;

  it('is the socket address with no trusted proxy, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(ctx('192.0.2.7', '203.0.113.1'), 0)).to.equal('192.0.2.7');
    expect(clientAddress(ctx('::ffff:192.0.2.7'), 0), 'IPv4-mapped').to.equal('192.0.2.7');
  });

  it('behind N proxies, is the Nth entry from the right: what the client wrote to its left is ignored', () => {
    // client 198.51.100.4 -> balancer (appends it) -> ingress (appends the balancer) -> pod
    const chain = 'forged-by-client, 203.0.113.9, 198.51.100.4, 10.1.0.5';
    expect(clientAddress(ctx('10.2.0.3', chain), 1)).to.equal('10.1.0.5');
    expect(clientAddress(ctx('10.2.0.3', chain), 2)).to.equal('198.51.100.4');
    expect(clientAddress(ctx('10.2.0.3', '198.51.100.4'), 2), 'fewer entries than hops: the leftmost').to.equal(
      '198.51.100.4',
    );
    expect(clientAddress(ctx('10.2.0.3'), 1), 'no header: the socket').to.equal('10.2.0.3');
  });

  it('counts an IPv6 client by its /64, so one host cannot rotate through its addresses', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).to.equal('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).to.equal('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0000:0002::1')).to.equal('2001:db8:0:2::/64');
    expect(clientKey('::1')).to.equal('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).to.equal('fe80:0:0:0::/64');
    expect(clientKey('64:ff9b::192.0.2.1')).to.equal('64:ff9b:0:0::/64');
  });

  it('keeps an entry that is no address, bounded', () => {
    expect(clientKey('unknown')).to.equal('unknown');
    expect(clientKey('x'.repeat(500))).to.have.length(64);
  });
});
