import type { Config } from '../config/config.js';
import type { Tracing } from './tracing.js';

/**
 * The one door to OpenTelemetry, opened only when an OTLP endpoint is configured: the SDK, its
 * exporter and their dependencies are modules and memory that a process tracing nowhere should
 * not carry. Everything behind it is imported dynamically; the static imports here are types
 * only and vanish at compile time.
 */
let starting: Promise<Tracing> | null = null;
let started: Tracing | null = null;

/** How tracing came up: off, started now, or already running (instrument.ts started it first). */
export type TracingStart = 'off' | 'started' | 'running';

/**
 * Sets up tracing once, when an endpoint is configured. instrument.ts calls it before Sentry (whose
 * documentation asks for the tracer provider first); the entry point calls it again as a
 * fallback, for a process started without `--import`.
 */
export async function startTracing(
  config: Pick<Config, 'tracing' | 'postgres' | 'redis' | 'sentry'>,
): Promise<TracingStart> {
  if (!config.tracing) return 'off';
  if (starting) {
    await starting;
    return 'running';
  }
  starting = import('./tracing-setup.js').then(({ setUpTracing }) => setUpTracing(config));
  started = await starting;
  return 'started';
}

/** The running tracing, or null when it is off in this process. */
export function activeTracing(): Tracing | null {
  return started;
}
