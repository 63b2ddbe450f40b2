import type { Logger } from '../../application/logger.port.js';
import type { Dependency, DependencyMonitor } from '../../domain/dependency-monitor.port.js';
import type { ErrorReporter } from '../../application/error-reporter.port.js';

type State = 'up' | 'down';

/**
 * Turns the per-request stream of successes and failures into one report per change of state:
 * an outage is reported when it starts and logged when it ends, never once per request.
 */
export class StateChangeMonitor implements DependencyMonitor {
  private readonly states = new Map<Dependency, State>();
  private readonly listeners: Array<(dependency: Dependency, state: State) => void> = [];

  constructor(
    private readonly reporter: ErrorReporter,
    private readonly logger: Logger,
  ) {}

  failed(dependency: Dependency, error: unknown): void {
    if (this.states.get(dependency) === 'down') return;
    this.transition(dependency, 'down');
    // The reporter logs the error itself (with its stack, and Sentry's event id when on): this
    // line only marks the transition, so an outage is not logged twice at error level.
    this.logger.warn({ dependency }, `${dependency} is failing`);
    this.reporter.report(error, { dependency, event: 'dependency_down' });
  }

  succeeded(dependency: Dependency): void {
    // Unknown counts as up: only a recovery from a known outage is news.
    if (this.states.get(dependency) !== 'down') {
      if (!this.states.has(dependency)) this.states.set(dependency, 'up');
      return;
    }
    this.transition(dependency, 'up');
    this.logger.warn({ dependency }, `${dependency} recovered`);
  }

  state(dependency: Dependency): State {
    return this.states.get(dependency) ?? 'up';
  }

  onChange(listener: (dependency: Dependency, state: State) => void): void {
    this.listeners.push(listener);
  }

  private transition(dependency: Dependency, state: State): void {
    this.states.set(dependency, state);
    for (const listener of this.listeners) listener(dependency, state);
  }
}
