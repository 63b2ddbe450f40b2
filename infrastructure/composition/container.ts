import 'reflect-metadata';
import { Container } from 'inversify';
import type { Config } from '../config/config.js';
import { bindApplication } from './application-bindings.js';
import { makeBind } from './binding.js';
import { bindCache } from './cache-bindings.js';
import { bindObservability } from './observability-bindings.js';
import { bindStore } from './store-bindings.js';
import type { ContainerOverrides } from './tokens.js';

export type { ContainerOverrides };

/**
 * The composition root: the one place that knows which adapter stands behind each port,
 * chosen from the validated configuration. Everything is a singleton for the process, made
 * when first resolved; backends join the Lifecycle then (start: migrations, connect; then close).
 * Building it starts nothing: Sentry and the process handlers are steps of the start-up sequence.
 */
export function buildContainer(config: Config, overrides: ContainerOverrides = {}): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const bind = makeBind(container, overrides);
  bindObservability(bind, config);
  bindStore(bind, config);
  bindCache(bind, config);
  bindApplication(bind, config);
  return container;
}
