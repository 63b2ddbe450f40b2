/** One answer seen by the load generator. */
export interface Sample {
  readonly status: number; // 0 when the request failed at the network level
  readonly ms: number;
  readonly xCache: string | null;
  readonly body: unknown;
  readonly error?: string;
}

export interface LoadOptions {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  readonly concurrency: number;
  /** Total requests; the run stops by itself. */
  readonly requests: number;
  /** Bound per request, so a hang shows as a failure instead of stalling the test. */
  readonly timeoutMs?: number;
  /** Called before each request; return false to stop sending (e.g. readiness turned 503). */
  readonly shouldContinue?: () => boolean;
  /** Called after each answer with the number of answers so far (to inject a fault mid-run). */
  readonly onSample?: (answered: number, sample: Sample) => void;
}

/** A small closed-loop load generator: `concurrency` workers share a bounded request budget. */
export async function runLoad(options: LoadOptions): Promise<Sample[]> {
  const samples: Sample[] = [];
  let remaining = options.requests;
  const worker = async () => {
    while (remaining > 0 && (options.shouldContinue?.() ?? true)) {
      remaining--;
      const sample = await timedRequest(options);
      samples.push(sample);
      options.onSample?.(samples.length, sample);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return samples;
}

export async function timedRequest(
  options: Pick<LoadOptions, 'url' | 'method' | 'body' | 'timeoutMs'>,
): Promise<Sample> {
  const started = performance.now();
  try {
    const response = await fetch(options.url, {
      method: options.method ?? 'GET',
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text
    }
    return { status: response.status, ms: performance.now() - started, xCache: response.headers.get('x-cache'), body };
  } catch (error) {
    return { status: 0, ms: performance.now() - started, xCache: null, body: null, error: String(error) };
  }
}

export function summarize(samples: readonly Sample[]) {
  const byStatus: Record<string, number> = {};
  const byCache: Record<string, number> = {};
  for (const s of samples) {
    byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
    if (s.xCache) byCache[s.xCache] = (byCache[s.xCache] ?? 0) + 1;
  }
  const worstMs = Math.round(Math.max(0, ...samples.map((s) => s.ms)));
  return { count: samples.length, byStatus, byCache, worstMs };
}

/** An answer of a continuous load, with when it was sent (ms since the load started). */
export interface TimedSample extends Sample {
  readonly at: number;
}

/**
 * Closed-loop load until `stop()`: `concurrency` workers, each sending again as soon as it has its
 * answer. `samples` fills as answers come, so a test can wait on what it has seen so far.
 */
export function startLoad(options: Pick<LoadOptions, 'url' | 'method' | 'body' | 'timeoutMs' | 'concurrency'>) {
  const samples: TimedSample[] = [];
  const started = performance.now();
  let running = true;
  const workers = Array.from({ length: options.concurrency }, async () => {
    while (running) {
      const at = performance.now() - started;
      samples.push({ ...(await timedRequest(options)), at });
    }
  });
  return {
    samples,
    /** Milliseconds since the load started. */
    elapsed: () => performance.now() - started,
    async stop(): Promise<TimedSample[]> {
      running = false;
      await Promise.all(workers);
      return samples;
    },
  };
}
