/** One dependency's answer to "can you serve?", shown in the readiness body. */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency answers, optionally to which server did (`host:port`); rejects otherwise. */
  check(): Promise<string | undefined | void>;
}

export interface CheckResult {
  readonly status: 'up' | 'down';
  readonly latencyMs: number;
  /** The server that answered, when the check knows (the Redis master behind sentinels). */
  readonly target?: string;
  readonly error?: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly status: 'ready' | 'shutting_down';
  readonly checks: Record<string, CheckResult>;
}

/** Each check's budget: a dependency slower than this to answer a trivial query counts as down. */
export const CHECK_TIMEOUT_MS = 1_000;
/**
 * How old the checks shown may be before a probe starts new ones. The probe itself never waits
 * for them (but the very first): a balancer checks readiness with a short timeout, and a probe
 * that waited on a slow store under load would take a healthy instance out.
 */
const CHECKS_MAX_AGE_MS = 1_000;

/**
 * Readiness of this instance for the load balancer: ready from the moment it listens (it has
 * migrated the store and tried Redis by then) until it starts draining. It answers at once. The dependencies'
 * checks are reported in the body, never turned into a 503: the store and Redis are shared by
 * every instance, so a readiness that followed them would take the whole fleet out of the
 * balancer at once, and with it the cache hits and stale answers the instances can still give.
 * An outage shows in the body, the metrics and the alerts instead.
 */
export class Readiness {
  private draining = false;
  private last: { readonly at: number; readonly checks: Record<string, CheckResult> } | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    private readonly timeoutMs: number = CHECK_TIMEOUT_MS,
    /** Milliseconds on a monotonic clock; a test's own. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** From now on the process reports not ready, so the load balancer stops sending traffic. */
  startDraining(): void {
    this.draining = true;
  }

  /** At once, with the last checks; new checks start in the background once those are a second old. */
  async report(): Promise<ReadinessReport> {
    if (!this.last) await this.refresh();
    else if (this.now() - this.last.at >= CHECKS_MAX_AGE_MS) void this.refresh();
    const checks = this.last!.checks;
    return this.draining ? { ready: false, status: 'shutting_down', checks } : { ready: true, status: 'ready', checks };
  }

  /** One round of checks at a time, however many probes ask. */
  private refresh(): Promise<void> {
    this.refreshing ??= Promise.all(this.checks.map((c) => this.run(c))).then((results) => {
      const checks: Record<string, CheckResult> = {};
      this.checks.forEach((c, i) => (checks[c.name] = results[i]!));
      this.last = { at: this.now(), checks };
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async run(check: ReadinessCheck): Promise<CheckResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const target = await Promise.race([check.check(), timeout]);
      return typeof target === 'string'
        ? { status: 'up', latencyMs: elapsed(started), target }
        : { status: 'up', latencyMs: elapsed(started) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { status: 'down', latencyMs: elapsed(started), error: message };
    } finally {
      clearTimeout(timer);
    }
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
