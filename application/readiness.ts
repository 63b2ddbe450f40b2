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
const CHECK_TIMEOUT_MS = 1_000;

/**
 * Readiness of this instance for the load balancer: ready from the moment it listens (it has
 * migrated the store and tried Redis by then) until it starts draining. The dependencies'
 * checks are reported in the body, never turned into a 503: the store and Redis are shared by
 * every instance, so a readiness that followed them would take the whole fleet out of the
 * balancer at once, and with it the cache hits and stale answers the instances can still give.
 * An outage shows in the body, the metrics and the alerts instead.
 */
export class Readiness {
  private draining = false;

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    private readonly timeoutMs: number = CHECK_TIMEOUT_MS,
  ) {}

  /** From now on the process reports not ready, so the load balancer stops sending traffic. */
  startDraining(): void {
    this.draining = true;
  }

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map((c) => this.run(c)));
    const checks: Record<string, CheckResult> = {};
    this.checks.forEach((c, i) => (checks[c.name] = results[i]!));
    return this.draining ? { ready: false, status: 'shutting_down', checks } : { ready: true, status: 'ready', checks };
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
