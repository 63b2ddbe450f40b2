/**
 * Writes the copies of deploy/monitoring/ that the deployments carry, so each is made from the one
 * source instead of edited by hand (tests/delivery/monitoring-files.test.ts fails when one is stale):
 * - the alert rules (alerts.rules.yaml) into deploy/k8s/monitoring/prometheusrule.yaml and the
 *   Pack's gonbad.prometheusRule.rules, comments included;
 * - the Grafana dashboard (grafana-dashboard.json) into a ConfigMap labelled for Grafana's sidecar,
 *   in deploy/k8s/monitoring/ and beside the Pack.
 * Run: npm run monitoring:generate
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as prettier from 'prettier';
import { Document, parseDocument, Scalar } from 'yaml';
import { dashboardConfigMap, MONITORING_FILES } from './monitoring-files.js';

const root = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

async function write(path: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(resolve(root, path))) ?? {};
  writeFileSync(resolve(root, path), await prettier.format(text, { ...options, filepath: path }));
  console.log(`wrote ${path}`);
}

const rules = parseDocument(read(MONITORING_FILES.alerts));
const groups = rules.get('groups', true);

const prometheusRule = new Document({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'ping-service', labels: { 'app.kubernetes.io/name': 'ping-service' } },
  spec: {},
});
prometheusRule.commentBefore =
  ` Generated from ${MONITORING_FILES.alerts} by \`npm run monitoring:generate\`: edit that file.\n` +
  ' For clusters with the Prometheus Operator: kubectl -n ping-service apply -f deploy/k8s/monitoring/';
prometheusRule.setIn(['spec', 'groups'], groups);
await write(MONITORING_FILES.k8sPrometheusRule, prometheusRule.toString({ lineWidth: 100 }));

const pack = parseDocument(read(MONITORING_FILES.pack));
pack.setIn(['spec', 'values', 'gonbad', 'prometheusRule', 'rules'], rules.getIn(['groups', 0, 'rules'], true));
await write(MONITORING_FILES.pack, pack.toString({ lineWidth: 100 }));

const dashboard = read(MONITORING_FILES.dashboard);
for (const path of [MONITORING_FILES.k8sDashboard, MONITORING_FILES.packDashboard]) {
  const configMap = new Document(dashboardConfigMap(dashboard));
  // Literal, so the JSON reads (and diffs) line by line in the manifest.
  (configMap.getIn(['data', 'ping-service.json'], true) as Scalar).type = Scalar.BLOCK_LITERAL;
  configMap.commentBefore =
    ` Generated from ${MONITORING_FILES.dashboard} by \`npm run monitoring:generate\`: edit that file.\n` +
    ' Grafana\'s dashboard sidecar loads every ConfigMap labelled grafana_dashboard: "1" (deploy/README.md).';
  await write(path, configMap.toString({ lineWidth: 100 }));
}
