import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  defaultResource,
  detectResources,
  resourceAttributesEnvDetector,
  resourceFromAttributes,
  type Resource,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Config, TracingConfig } from '../config/config.js';
import { SecretMasker } from '../logging/secret-masker.js';
import { configuredSampler, ProbeSkippingSampler } from './samplers.js';
import { Tracing } from './tracing.js';

/**
 * How often the batch of ended spans is sent when it does not fill first (the SDK's default is
 * 5 s): a trace is in Tempo or Jaeger a second after its request, and under load batches of 512
 * fill and go out long before the delay anyway.
 */
const EXPORT_DELAY_MS = 1_000;

/** Only the chosen protocol's exporter is loaded (each brings its own serializer). */
async function otlpExporter({ protocol, tracesUrl }: TracingConfig): Promise<SpanExporter> {
  const { OTLPTraceExporter } =
    protocol === 'http/json'
      ? await import('@opentelemetry/exporter-trace-otlp-http')
      : await import('@opentelemetry/exporter-trace-otlp-proto');
  // The URL as the service resolved it; headers, timeout, compression and certificates the
  // exporter reads from the OTEL_EXPORTER_OTLP_* variables itself.
  return new OTLPTraceExporter({ url: tracesUrl });
}

/**
 * `service.name` is `ping-service` unless OTEL_RESOURCE_ATTRIBUTES names another, and
 * OTEL_SERVICE_NAME wins over both, as the specification orders them; the SDK's defaults
 * (telemetry.sdk.*) stay under everything.
 */
function serviceResource({ serviceName }: TracingConfig): Resource {
  return defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'ping-service' }))
    .merge(detectResources({ detectors: [resourceAttributesEnvDetector] }))
    .merge(serviceName ? resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }) : null);
}

/**
 * The process's one OpenTelemetry setup, registered globally: the tracer provider (sampler,
 * resource, a batch exporter over OTLP/HTTP), the AsyncLocalStorage context manager that carries
 * the active span through awaits, and the W3C trace-context propagator. Nothing is patched:
 * every span is started by the service's own code (docs/operations.md says why).
 */
export async function setUpTracing(
  config: Pick<Config, 'tracing' | 'postgres' | 'redis' | 'sentry'>,
): Promise<Tracing> {
  const tracing = config.tracing!;
  const provider = new TracerProvider({
    resource: serviceResource(tracing),
    sampler: new ProbeSkippingSampler(configuredSampler(tracing)),
    spanProcessors: [
      new BatchSpanProcessor({ exporter: await otlpExporter(tracing), scheduledDelayMillis: EXPORT_DELAY_MS }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return new Tracing(provider, SecretMasker.fromConfig(config), tracing);
}
