/** Where the monitoring sources live and where their copies go (scripts/monitoring-generate.ts). */
export const MONITORING_FILES = {
  alerts: 'deploy/monitoring/alerts.rules.yaml',
  alertTests: 'deploy/monitoring/tests',
  dashboard: 'deploy/monitoring/grafana-dashboard.json',
  pack: 'deploy/kubit/pack.yaml',
  k8sPrometheusRule: 'deploy/k8s/monitoring/prometheusrule.yaml',
  k8sDashboard: 'deploy/k8s/monitoring/grafana-dashboard.yaml',
  packDashboard: 'deploy/kubit/grafana-dashboard.yaml',
} as const;

/**
 * The dashboard as Grafana's sidecar (kiwigrid/k8s-sidecar, as shipped by the Grafana and
 * kube-prometheus-stack charts) picks it up: any ConfigMap labelled `grafana_dashboard: "1"`,
 * each data key a dashboard file.
 */
export function dashboardConfigMap(dashboardJson: string) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'ping-service-grafana-dashboard',
      labels: { 'app.kubernetes.io/name': 'ping-service', grafana_dashboard: '1' },
    },
    data: { 'ping-service.json': dashboardJson },
  };
}
