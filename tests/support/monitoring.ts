import { MONITORING_FILES } from '../../scripts/monitoring-files.js';
import { readText, readYaml, type Yaml } from './delivery-files.js';

export const dashboard: Yaml = JSON.parse(readText(MONITORING_FILES.dashboard));

/** The alert rules of the source of truth (deploy/monitoring/alerts.rules.yaml). */
export function alertRules(): Yaml[] {
  return readYaml(MONITORING_FILES.alerts).groups.flatMap((group: Yaml) => group.rules);
}

/** The panels' queries with Grafana's variables replaced by values PromQL accepts. */
export function dashboardQueries(): Array<{ panel: string; expr: string }> {
  const panels: Yaml[] = dashboard.panels.filter((panel: Yaml) => panel.type !== 'row');
  return panels.flatMap((panel) =>
    (panel.targets as Yaml[]).map((target) => ({
      panel: panel.title,
      expr: String(target.expr)
        .replaceAll('$__rate_interval', '5m')
        .replaceAll('$__range', '1h')
        .replaceAll('$job', '.+'),
    })),
  );
}
