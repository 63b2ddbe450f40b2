import type { Container } from 'inversify';
import { TOKENS, type ContainerOverrides, type ServiceName, type Services } from './tokens.js';

/** Resolves another service inside a factory, typed by its name. */
type Get = <K extends ServiceName>(name: K) => Services[K];

/** Binds a service to its factory, unless the overrides replace it. */
export type Bind = <K extends ServiceName>(name: K, factory: (get: Get) => Services[K]) => void;

/** The one bind helper every bindings file uses. Factories run once, when first resolved. */
export function makeBind(container: Container, overrides: ContainerOverrides): Bind {
  return (name, factory) => {
    const token = TOKENS[name];
    if (Object.prototype.hasOwnProperty.call(overrides, name)) {
      container.bind(token).toConstantValue(overrides[name]);
    } else {
      container.bind(token).toDynamicValue((ctx) => factory((other) => ctx.get(TOKENS[other])));
    }
  };
}
