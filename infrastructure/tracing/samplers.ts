import { SpanKind, type Attributes, type Context, type Link } from '@opentelemetry/api';
import { ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace';
import type { TracingConfig } from '../config/config.js';

/**
 * The sampler OTEL_TRACES_SAMPLER names, as the specification defines each (the SDK no longer
 * reads the variable itself: the service does, and refuses an unknown name at start).
 */
export function configuredSampler({ sampler, samplerRatio }: Pick<TracingConfig, 'sampler' | 'samplerRatio'>): Sampler {
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(samplerRatio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplerRatio) });
  }
}

/** Kubernetes' probes and Prometheus' scrape: every few seconds per pod, and nothing to see. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Probes and scrapes are never recorded, whatever the sampler: at `always_on` they would be most
 * of the traces, as they are left out of the access log and the request histogram for the same
 * reason. Their answers still carry a trace id (of a span that is not recorded).
 */
export class ProbeSkippingSampler implements Sampler {
  private readonly skip: SamplingResult = { decision: SamplingDecision.NOT_RECORD };

  constructor(private readonly delegate: Sampler) {}

  shouldSample(
    parent: Context,
    traceId: string,
    name: string,
    kind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (kind === SpanKind.SERVER && UNTRACED_PATHS.has(attributes[ATTR_URL_PATH] as string)) return this.skip;
    return this.delegate.shouldSample(parent, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `ProbeSkipping{${this.delegate.toString()}}`;
  }
}
