/**
 * What tracing costs a cache hit: the service as the image runs it, tracing off and on
 * (OpenTelemetry, `parentbased_traceidratio` at 1.0 and at 0.01, exporting OTLP/HTTP protobuf to
 * a local collector that answers without decoding), loaded in turn by the HIT rounds; req/s,
 * CPU and peak RSS side by side, each on-row's req/s paired round by round with tracing off.
 */
import { FakeOtlpCollector } from '../harness/fake-otlp-collector.js';
import { hitRounds, hitRow, pairedRatio, type HitSettings } from './hit-rounds.js';
import type { ScenarioResult } from './report.js';
import type { BenchServers } from './servers.js';

const VARIANTS = [
  { name: 'GET /ping HIT, tracing off', ratio: null },
  { name: 'GET /ping HIT, tracing 1.0', ratio: '1.0' },
  { name: 'GET /ping HIT, tracing 0.01', ratio: '0.01' },
] as const;

export async function tracingCost(servers: BenchServers, settings: HitSettings): Promise<ScenarioResult[]> {
  const collector = await FakeOtlpCollector.start({ keep: false });
  const started = [];
  try {
    for (const [index, variant] of VARIANTS.entries()) {
      const env: Record<string, string> = variant.ratio
        ? {
            OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
            OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
            OTEL_TRACES_SAMPLER_ARG: variant.ratio,
          }
        : {};
      const process = await servers.service(variant.name, `tracing${index}`, { sentry: false, env });
      started.push(process);
    }
    const hit = await hitRounds(
      started.map((process) => ({ name: process.name, process, path: '/ping' })),
      settings,
    );
    const off = hit[0]!;
    return hit.map((result, index) => {
      const variant = VARIANTS[index]!;
      if (!variant.ratio) return { ...hitRow(result, off, 'Sentry off, as the image runs it'), ratioToBaseline: null };
      const ratio = pairedRatio(result, off).median.toFixed(2);
      const note = `OTLP/HTTP protobuf to a local collector (${collector.exports} exports in all); ${ratio} x tracing off`;
      return { ...hitRow(result, off, note), ratioToBaseline: null };
    });
  } finally {
    for (const process of started) await process.stop();
    await collector.close();
  }
}
