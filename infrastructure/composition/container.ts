import 'reflect-metadata';
import { Container } from 'inversify';
import type { Config } from '../config/config.js';
import { bindApplication } from './application-bindings.js';
import { makeBind } from './binding.js';
import { bindCache } from './cache-bindings.js';
import { bindEdge } from './edge-bindings.js';
import { bindObservability } from './observability-bindings.js';
import { bindStore } from './store-bindings.js';
import { Lifecycle } from './lifecycle.js';
import type { ContainerOverrides } from './tokens.js';

export type { ContainerOverrides };

/**
 * The composition root: the one place that knows which adapter stands behind each port,
 * chosen from the validated configuration. Everything is a singleton for the process, made
 * when first resolved. What the process opens and closes, and in which order, is the explicit
 * list of the Lifecycle below, not whatever happened to be resolved. Building it starts
 * nothing: Sentry and the process handlers are steps of the start-up sequence.
 */
export function buildContainer(config: Config, overrides: ContainerOverrides = {}): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const bind = makeBind(container, overrides);
  bindObservability(bind, config);
  bindStore(bind, config);
  bindCache(bind, config);
  bindApplication(bind, config);
  bindEdge(bind, config);
  // Started in this order, closed in reverse: migrations run before Redis is connected (none
  // without Redis). Tracing is closed last, so the spans of the last requests and of the closes
  // are sent. The breakers hold nothing (no timer) and are not listed.
  bind('Lifecycle', (get) => {
    const redis = get('RedisConnection');
    const tracing = get('Tracing');
    return new Lifecycle([tracing && { name: 'tracing', close: () => tracing.close() }, get('PingDatabase'), redis]);
  });
  return container;
}
