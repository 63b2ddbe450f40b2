/**
 * Started like the service (`--import …/instrument.ts` first) by tests/unit/tracing-load-probe.test.ts:
 * composes the real container on in-memory backends, answers one GET /ping through the app, and
 * prints how tracing started, whether the answer carried a `traceparent`, and every
 * @opentelemetry/* package resolved by name (recorded in OTEL_IMPORTS_FILE by the preloaded
 * tests/support/record-otel-imports.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { inject } from 'light-my-request';
import { loadConfig } from '../../infrastructure/config/config.js';
import { buildContainer } from '../../infrastructure/composition/container.js';
import { Lifecycle } from '../../infrastructure/composition/lifecycle.js';
import { SystemClock } from '../../infrastructure/clock/system-clock.js';
import { MemoryPingStore } from '../../infrastructure/memory/memory-ping-store.js';
import { startSentry } from '../../infrastructure/sentry/sentry-runtime.js';
import { startTracing } from '../../infrastructure/tracing/tracing-runtime.js';
import { createApp } from '../../interfaces/http/app.js';
import { httpDependencies } from '../../interfaces/startup/http-server.js';

const imports = process.env.OTEL_IMPORTS_FILE ?? '';
const config = loadConfig(process.env);
const tracing = await startTracing(config);
await startSentry(config);
const container = buildContainer(config, {
  RawPingStore: new MemoryPingStore(new SystemClock()),
  ReadinessChecks: [],
  Lifecycle: new Lifecycle([]),
});
const answer = await inject(createApp(httpDependencies(container)).callback(), { url: '/ping' });
const resolved = existsSync(imports) ? readFileSync(imports, 'utf8').split('\n').filter(Boolean) : [];
process.stdout.write(
  JSON.stringify({
    tracing,
    status: answer.statusCode,
    traceparent: answer.headers.traceparent ?? null,
    packages: [...new Set(resolved)].sort(),
  }) + '\n',
);
process.exit(0);
