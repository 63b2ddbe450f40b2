/**
 * What observability costs on the hot path: `GET /ping` HIT (in-process cache; the store, a fresh
 * database on TEST_POSTGRES_URI, is touched once) as the image runs it, with logging, Sentry and
 * OpenTelemetry tracing in their variants, against a bare Koa endpoint, in one run, each scenario in its own process,
 * rounds in alternating order; the table shows the median of the rounds.
 *   npm run build && npx tsx bench/observability-cost.ts   (BENCH_SECONDS=10 BENCH_CONNECTIONS=50 BENCH_ROUNDS=3)
 */
import { freePort } from '../harness/free-port.js';
import { BenchProcess, imageNodeArgs } from './processes.js';
import { FakeOtlpCollector } from '../harness/fake-otlp-collector.js';
import { FakeSentryIngest } from '../harness/fake-sentry-ingest.js';
import { withDatabase } from './bench-database.js';
import { wrk } from './wrk.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const POSTGRES = process.env.TEST_POSTGRES_URI ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Scenario {
  readonly name: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly readyPath: string;
}

const ingest = await FakeSentryIngest.start();
const collector = await FakeOtlpCollector.start({ keep: false });
const tracing = (ratio: string) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
  OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
  OTEL_TRACES_SAMPLER_ARG: ratio,
});
const service = imageNodeArgs();
const withDefaultsSdk = service.map((arg) =>
  arg.endsWith('sentry/instrument.js') ? './bench/sentry-defaults-instrument.mjs' : arg,
);
const sentry = { SENTRY_DSN: ingest.dsn, SENTRY_RELEASE: 'bench' };
const scenarios: Scenario[] = [
  { name: 'bare Koa (baseline)', args: ['bench/baseline-server.mjs'], env: {}, readyPath: '/' },
  { name: 'service, Sentry off', args: service, env: {}, readyPath: '/readyz' },
  { name: 'service, Sentry on (errors only)', args: service, env: sentry, readyPath: '/readyz' },
  { name: 'service, Sentry off, LOG_LEVEL=warn', args: service, env: { LOG_LEVEL: 'warn' }, readyPath: '/readyz' },
  { name: 'service, Sentry SDK defaults, no tracing', args: withDefaultsSdk, env: sentry, readyPath: '/readyz' },
  { name: 'service, OpenTelemetry tracing 0.01', args: service, env: tracing('0.01'), readyPath: '/readyz' },
  { name: 'service, OpenTelemetry tracing 1.0', args: service, env: tracing('1.0'), readyPath: '/readyz' },
  {
    name: 'service, Sentry on and OpenTelemetry tracing 1.0',
    args: service,
    env: { ...sentry, ...tracing('1.0') },
    readyPath: '/readyz',
  },
];

const results = new Map<string, Array<{ rps: number; p99: number; errors: number; cpuUs: number }>>();
// CPU per request beside req/s: it is what the service costs, and it barely moves when other
// processes share the machine.
await withDatabase(POSTGRES, async ({ uri: postgresUri }) => {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? scenarios : [...scenarios].reverse();
    for (const scenario of order) {
      const port = await freePort();
      const env = { POSTGRES_URI: postgresUri, CACHE_TTL_SECONDS: '3600', ...scenario.env };
      const server = await BenchProcess.start(scenario.name, scenario.args, env, port, scenario.readyPath);
      try {
        const url = `${server.url}${scenario.readyPath === '/' ? '/' : '/ping'}`;
        await fetch(url); // the one MISS: every measured request is a HIT
        await wrk(url, { connections: CONNECTIONS, seconds: 2 }); // warm-up
        const cpuBefore = server.cpuSeconds();
        const run = await wrk(url, { connections: CONNECTIONS, seconds: SECONDS });
        const cpuUs = ((server.cpuSeconds() - cpuBefore) / run.requests) * 1e6;
        const entry = { rps: run.requestsPerSec, p99: run.p99Ms, errors: run.errors + run.non2xx, cpuUs };
        results.set(scenario.name, [...(results.get(scenario.name) ?? []), entry]);
        console.error(
          `round ${round + 1}: ${scenario.name}: ${Math.round(entry.rps)} req/s, p99 ${entry.p99} ms, ${cpuUs.toFixed(1)} µs CPU/request`,
        );
      } finally {
        await server.stop();
      }
    }
  }
});
await ingest.close();
await collector.close();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const baseline = median(results.get(scenarios[0]!.name)!.map((r) => r.rps));
const withoutSentry = median(results.get(scenarios[1]!.name)!.map((r) => r.rps));
const baselineCpu = median(results.get(scenarios[0]!.name)!.map((r) => r.cpuUs));
const withoutSentryCpu = median(results.get(scenarios[1]!.name)!.map((r) => r.cpuUs));
console.log(`GET /ping HIT, ${CONNECTIONS} connections, ${SECONDS} s x ${ROUNDS} rounds, node ${process.version}\n`);
console.log(
  '| scenario | req/s (median) | each round | worst p99 ms | errors | req/s vs bare Koa | req/s vs Sentry off | CPU µs/request | CPU vs bare Koa | CPU vs Sentry off |',
);
console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|');
for (const scenario of scenarios) {
  const runs = results.get(scenario.name)!;
  const rps = median(runs.map((r) => r.rps));
  const p99 = Math.max(...runs.map((r) => r.p99));
  const errors = runs.reduce((sum, r) => sum + r.errors, 0);
  const cpu = median(runs.map((r) => r.cpuUs));
  console.log(
    `| ${scenario.name} | ${Math.round(rps)} | ${runs.map((r) => Math.round(r.rps)).join(' / ')} | ${p99} | ${errors} | ${(rps / baseline).toFixed(2)} | ${(rps / withoutSentry).toFixed(2)} | ${cpu.toFixed(1)} | ${(cpu / baselineCpu).toFixed(2)} | ${(cpu / withoutSentryCpu).toFixed(2)} |`,
  );
}
