import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1';
import { stringify } from 'yaml';
import { dashboardConfigMap, MONITORING_FILES } from '../../scripts/monitoring-files.js';
import { readText, readYaml, root, type Yaml } from '../support/delivery-files.js';
import { alertRules, dashboard, dashboardQueries } from '../support/monitoring.js';
import { metricNamesIn, promtool } from '../support/promtool.js';

const source = readYaml(MONITORING_FILES.alerts);
const alerts = alertRules();
const testFiles = readdirSync(resolve(root, MONITORING_FILES.alertTests))
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => `${MONITORING_FILES.alertTests}/${file}`);
const STALE = 'is stale: run `npm run monitoring:generate`';

describe('deploy/monitoring: alert rules (the one source) and their promtool unit tests', () => {
  it('is a valid rule file (promtool check rules)', () => {
    const result = promtool(['check', 'rules', MONITORING_FILES.alerts], undefined, root);
    expect(result.status, result.output).to.equal(0);
    expect(result.output).to.include(`SUCCESS: ${alerts.length} rules found`);
  });

  it('passes its unit tests (promtool test rules deploy/monitoring/tests/*.yaml)', () => {
    expect(testFiles.length).to.be.greaterThan(0);
    const result = promtool(['test', 'rules', ...testFiles], undefined, root);
    expect(result.status, result.output).to.equal(0);
    expect(result.output).to.not.include('FAILED');
  });

  it('tests every alert both firing and staying quiet', () => {
    const cases = testFiles.flatMap((file) =>
      (readYaml(file).tests as Yaml[]).flatMap((test) => test.alert_rule_test as Yaml[]),
    );
    for (const alert of alerts) {
      const own = cases.filter((c) => c.alertname === alert.alert);
      expect(
        own.some((c) => c.exp_alerts?.length > 0),
        `${alert.alert} has a case where it fires`,
      ).to.equal(true);
      expect(
        own.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert.alert} has a case where it stays quiet`,
      ).to.equal(true);
    }
  });

  it('has tests that fail when an alert forgets its `for` (a blip would page)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'ping-alerts-'));
    try {
      const hasty = { groups: source.groups.map((g: Yaml) => ({ ...g, rules: g.rules.map(withoutFor) })) };
      writeFileSync(join(folder, 'alerts.rules.yaml'), stringify(hasty));
      const copies = testFiles.map((file) => {
        const copy = join(folder, file.split('/').pop()!);
        writeFileSync(copy, stringify({ ...readYaml(file), rule_files: [join(folder, 'alerts.rules.yaml')] }));
        return copy;
      });
      const result = promtool(['test', 'rules', ...copies]);
      expect(result.status).to.not.equal(0);
      for (const alert of alerts) expect(result.output, alert.alert).to.include(`alertname: ${alert.alert}`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('relies only on labels every shipped scrape sets (job, instance), never on a namespace', () => {
    for (const alert of alerts) expect(alert.expr, alert.alert).to.not.match(/namespace|kube_/);
  });

  it('is what deploy/k8s/monitoring/prometheusrule.yaml and the Pack carry', () => {
    expect(source.groups, 'one group: the Pack takes a plain list of alerts').to.have.length(1);
    expect(
      readYaml(MONITORING_FILES.k8sPrometheusRule).spec.groups,
      `${MONITORING_FILES.k8sPrometheusRule} ${STALE}`,
    ).to.deep.equal(source.groups);
    expect(
      readYaml(MONITORING_FILES.pack).spec.values.gonbad.prometheusRule.rules,
      `the Pack's prometheusRule ${STALE}`,
    ).to.deep.equal(source.groups[0].rules);
  });

  it('is linked from the README, which shows no rules of its own, and each alert is in deploy/README.md', () => {
    const readme = readText('README.md');
    expect(readme).to.include(MONITORING_FILES.alerts);
    expect(readme).to.not.match(/^\s*- alert:/m);
    const deployReadme = readText('deploy/README.md');
    for (const alert of alerts) expect(deployReadme, alert.alert).to.include(`\`${alert.alert}\``);
  });
});

describe('deploy/monitoring: the Grafana dashboard', () => {
  it('has the rows an operator needs', () => {
    const rows = dashboard.panels.filter((p: Yaml) => p.type === 'row').map((p: Yaml) => p.title);
    expect(rows).to.deep.equal(['Traffic and errors', 'Latency', 'Cache', 'Dependencies', 'Process']);
    const queries = dashboardQueries().map((q) => q.expr);
    for (const metric of [
      'ping_cache_results_total',
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_bucket',
      'ping_dependency_up',
      'ping_circuit_breaker_state',
      'ping_store_pool_connections',
      'nodejs_eventloop_lag_p99_seconds',
      'process_resident_memory_bytes',
    ]) {
      expect(
        queries.some((expr) => metricNamesIn(expr).includes(metric)),
        metric,
      ).to.equal(true);
    }
  });

  it('queries valid PromQL in every panel (promtool check rules, each query a recording rule)', () => {
    const queries = dashboardQueries();
    expect(queries.length).to.be.greaterThan(10);
    for (const { panel, expr } of queries) expect(expr, panel).to.not.include('$');
    const rules = {
      groups: [{ name: 'dashboard', rules: queries.map((q, i) => ({ record: `panel_${i}`, expr: q.expr })) }],
    };
    const folder = mkdtempSync(join(tmpdir(), 'ping-dashboard-'));
    try {
      writeFileSync(join(folder, 'dashboard.rules.yaml'), stringify(rules));
      const result = promtool(['check', 'rules', join(folder, 'dashboard.rules.yaml')]);
      expect(result.status, result.output).to.equal(0);
      expect(result.output).to.include(`SUCCESS: ${queries.length} rules found`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("is shipped as a ConfigMap for Grafana's sidecar, in deploy/k8s/monitoring and beside the Pack", () => {
    for (const path of [MONITORING_FILES.k8sDashboard, MONITORING_FILES.packDashboard]) {
      const configMap = readYaml(path);
      expect(() => new ConfigMap(configMap).validate(), path).to.not.throw();
      expect(configMap.metadata.labels.grafana_dashboard, path).to.equal('1');
      expect(configMap, `${path} ${STALE}`).to.deep.equal(dashboardConfigMap(readText(MONITORING_FILES.dashboard)));
      expect(JSON.parse(configMap.data['ping-service.json'])).to.deep.equal(dashboard);
    }
  });
});

function withoutFor(rule: Yaml): Yaml {
  const { for: _for, ...rest } = rule;
  return rest;
}
