import { PingUseCases } from '../../application/ping-use-cases.js';
import { Readiness } from '../../application/readiness.js';
import { STALE_FALLBACK } from '../../domain/ping-policy.js';
import { PingService } from '../../domain/ping-service.js';
import { LEASE_TIMINGS } from '../../domain/refresh-lease.js';
import type { Config } from '../config/config.js';
import type { Bind } from './binding.js';

/** The policy, the use cases and readiness, on the ports bound by the other bindings. */
export function bindApplication(bind: Bind, config: Config): void {
  bind('ReadinessChecks', (get) => {
    const database = get('PingDatabase');
    const connection = get('RedisConnection');
    return [
      { name: 'store', check: () => database.check() },
      { name: 'cache', check: async () => connection?.check() },
    ];
  });
  bind('Readiness', (get) => new Readiness(get('ReadinessChecks')));
  bind('PingService', (get) => {
    const ports = {
      sharedCache: get('SharedPingCache'),
      localCache: get('LocalPingCache'),
      store: get('PingStore'),
      clock: get('Clock'),
      lease: get('RecordLease'),
      monitor: get('DependencyMonitor'),
      stepTracer: get('Tracing')?.steps,
    };
    return new PingService(ports, { ...config.cache, ...LEASE_TIMINGS, ...STALE_FALLBACK });
  });
  bind('PingUseCases', (get) => new PingUseCases(get('PingService'), get('Metrics')));
}
