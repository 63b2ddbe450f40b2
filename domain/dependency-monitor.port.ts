export type Dependency = 'cache' | 'store';

/**
 * Told of every success and failure of a dependency; the adapter decides what a change of state
 * means (a report once per outage, a metric, readiness), so the policy never reports per request.
 */
export interface DependencyMonitor {
  failed(dependency: Dependency, error: unknown): void;
  succeeded(dependency: Dependency): void;
}
