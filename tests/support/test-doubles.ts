import type { Dependency, DependencyMonitor } from '../../domain/dependency-monitor.port.js';
import type { ErrorReporter } from '../../application/error-reporter.port.js';
import type { CachedPing, PingCache } from '../../domain/ping-cache.port.js';
import type { Ping } from '../../domain/ping.js';
import type { PingPageQuery, PingStore } from '../../domain/ping-store.port.js';

/** Wraps a store: counts calls, and fails on demand. */
export class SpyStore implements PingStore {
  records = 0;
  lists = 0;
  failWith: Error | null = null;
  /** While set, `record` waits for it before answering: a store that is slow or silent. */
  holdRecords: Promise<void> | null = null;

  constructor(private readonly inner: PingStore) {}

  async record(note: string | null): Promise<Ping> {
    this.records++;
    if (this.holdRecords) await this.holdRecords;
    if (this.failWith) throw this.failWith;
    return this.inner.record(note);
  }

  async list(query: PingPageQuery): Promise<Ping[]> {
    this.lists++;
    if (this.failWith) throw this.failWith;
    return this.inner.list(query);
  }
}

/** Wraps a cache: counts calls, and fails on demand. */
export class SpyCache implements PingCache {
  gets = 0;
  sets = 0;
  failWith: Error | null = null;

  constructor(private readonly inner: PingCache) {}

  async get(key: string): Promise<CachedPing | null> {
    this.gets++;
    if (this.failWith) throw this.failWith;
    return this.inner.get(key);
  }

  async set(key: string, entry: CachedPing, ttlMs: number): Promise<void> {
    this.sets++;
    if (this.failWith) throw this.failWith;
    return this.inner.set(key, entry, ttlMs);
  }
}

export class RecordingMonitor implements DependencyMonitor {
  readonly events: Array<{ dependency: Dependency; ok: boolean }> = [];
  failed(dependency: Dependency): void {
    this.events.push({ dependency, ok: false });
  }
  succeeded(dependency: Dependency): void {
    this.events.push({ dependency, ok: true });
  }
  failures(dependency: Dependency): number {
    return this.events.filter((e) => e.dependency === dependency && !e.ok).length;
  }
}

export class RecordingReporter implements ErrorReporter {
  readonly reports: Array<{ error: unknown; context: Readonly<Record<string, string>> }> = [];
  report(error: unknown, context: Readonly<Record<string, string>> = {}): void {
    this.reports.push({ error, context });
  }
  async flush(): Promise<boolean> {
    return true;
  }
}

/** A logger that keeps nothing: tests assert on behaviour, not on log lines. */
export const silentLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/**
 * An object of class `type` with some methods replaced (a defect to throw): a whole `T`, as a
 * typed container override needs. The methods left alone have no state behind them: not called.
 */
export function withMethods<T extends object>(type: abstract new (...args: never[]) => T, methods: Partial<T>): T {
  return Object.assign(Object.create(type.prototype as object) as T, methods);
}
