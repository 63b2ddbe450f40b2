import { expect } from 'chai';
import { alertRules, dashboardQueries } from '../support/monitoring.js';
import { metricNamesIn, promtool } from '../support/promtool.js';
import { ServiceProcess } from '../support/service-process.js';
import {
  createScratchDatabase,
  scratchRedisPrefix,
  testRedisUri,
  type ScratchDatabase,
  type ScratchRedisPrefix,
} from '../support/test-servers.js';

/** Names Prometheus generates itself, never exposed by a target. */
const PROMETHEUS_OWN = new Set(['up']);

describe('/metrics of the running service (its metrics listener), against promtool and the monitoring files', function () {
  this.timeout(60_000);
  let database: ScratchDatabase;
  let redis: ScratchRedisPrefix;
  let service: ServiceProcess;
  let exposition: string;

  before(async () => {
    database = await createScratchDatabase('ping_monitoring');
    redis = await scratchRedisPrefix('ping-monitoring');
    service = await ServiceProcess.start({
      POSTGRES_URI: database.uri,
      REDIS_URI: testRedisUri,
      REDIS_KEY_PREFIX: redis.prefix,
    });
    // Traffic of every kind, so every labelled series the dashboard reads exists.
    const json = { 'content-type': 'application/json' };
    await fetch(`${service.url}/ping`);
    await fetch(`${service.url}/ping`);
    await fetch(`${service.url}/pings`, { method: 'POST', headers: json, body: '{"note":"hi"}' });
    await fetch(`${service.url}/pings?limit=0`);
    await fetch(`${service.url}/nowhere`);
    const scrape = await fetch(`${service.metricsUrl}/metrics`);
    expect(scrape.status).to.equal(200);
    exposition = await scrape.text();
  });

  it('serves /metrics on METRICS_PORT only: the API port answers 404, the metrics port 404s everything else', async () => {
    const onApi = await fetch(`${service.url}/metrics`);
    expect(onApi.status).to.equal(404);
    expect(await onApi.json()).to.deep.equal({ error: { code: 'not_found', message: 'no route for GET /metrics' } });
    for (const path of ['/ping', '/healthz', '/readyz', '/openapi.json', '/']) {
      const answer = await fetch(`${service.metricsUrl}${path}`);
      expect(answer.status, path).to.equal(404);
      expect(((await answer.json()) as { error: { code: string } }).error.code, path).to.equal('not_found');
    }
  });

  after(async () => {
    await service?.stop('SIGKILL');
    await redis?.clear();
    await database?.drop();
  });

  it('passes promtool check metrics without a single problem', () => {
    expect(exposition.split('\n').filter((line) => line && !line.startsWith('#')).length).to.be.greaterThan(50);
    const result = promtool(['check', 'metrics'], exposition);
    expect(result.output.trim(), 'promtool check metrics').to.equal('');
    expect(result.status).to.equal(0);
  });

  it('keeps the active handles, requests and resources by type (their totals were misnamed gauges)', () => {
    for (const name of ['nodejs_active_handles', 'nodejs_active_requests', 'nodejs_active_resources']) {
      expect(exposition, name).to.include(`# TYPE ${name} gauge`);
      expect(exposition, name).to.not.include(`${name}_total`);
    }
    expect(exposition).to.match(/^nodejs_active_handles\{type="\w+"\} [1-9]/m);
  });

  it('exposes every metric that the dashboard and the alerts name', () => {
    const exposed = new Set(
      exposition
        .split('\n')
        .filter((line) => line && !line.startsWith('#'))
        .map((line) => /^[a-zA-Z_:][\w:]*/.exec(line)![0]),
    );
    const named = [
      ...dashboardQueries().flatMap((query) => metricNamesIn(query.expr).map((name) => ({ name, where: query.panel }))),
      ...alertRules().flatMap((rule) => metricNamesIn(rule.expr).map((name) => ({ name, where: rule.alert }))),
    ];
    expect(named.length).to.be.greaterThan(20);
    for (const { name, where } of named) {
      if (!PROMETHEUS_OWN.has(name)) expect(exposed.has(name), `${where}: ${name}`).to.equal(true);
    }
  });
});
