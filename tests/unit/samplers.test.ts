import { expect } from 'chai';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import { SAMPLERS } from '../../infrastructure/config/tracing-env.js';
import { configuredSampler, ProbeSkippingSampler } from '../../infrastructure/tracing/samplers.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
/** A caller's sampled span, as a W3C traceparent brings it. */
const sampledParent = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: TRACE_ID,
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
});

const decide = (sampler: ReturnType<typeof configuredSampler>, parent = ROOT_CONTEXT, path = '/ping') =>
  sampler.shouldSample(parent, TRACE_ID, 'GET', SpanKind.SERVER, { 'url.path': path }, []).decision;

describe('samplers (OTEL_TRACES_SAMPLER, as the specification defines each)', () => {
  it('makes every sampler the specification names and the SDK ships', () => {
    for (const sampler of SAMPLERS)
      expect(configuredSampler({ sampler, samplerRatio: 0.5 }).toString()).to.be.a('string');
  });

  it('follows a sampled caller with the parent-based samplers, whatever the ratio; not with the plain ones', () => {
    const parentBased = configuredSampler({ sampler: 'parentbased_traceidratio', samplerRatio: 0 });
    expect(decide(parentBased, sampledParent)).to.equal(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(parentBased)).to.equal(SamplingDecision.NOT_RECORD);
    const plain = configuredSampler({ sampler: 'traceidratio', samplerRatio: 0 });
    expect(decide(plain, sampledParent)).to.equal(SamplingDecision.NOT_RECORD);
    expect(decide(configuredSampler({ sampler: 'parentbased_always_off', samplerRatio: 1 }))).to.equal(
      SamplingDecision.NOT_RECORD,
    );
  });

  it('never records a probe or a scrape, even at always_on, and leaves every other request to the sampler', () => {
    const sampler = new ProbeSkippingSampler(configuredSampler({ sampler: 'always_on', samplerRatio: 1 }));
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect(decide(sampler, sampledParent, path), path).to.equal(SamplingDecision.NOT_RECORD);
    }
    expect(decide(sampler, ROOT_CONTEXT, '/ping')).to.equal(SamplingDecision.RECORD_AND_SAMPLED);
    // Only server spans are judged by their path.
    expect(
      sampler.shouldSample(ROOT_CONTEXT, TRACE_ID, 'GET', SpanKind.CLIENT, { 'url.path': '/readyz' }, []).decision,
    ).to.equal(SamplingDecision.RECORD_AND_SAMPLED);
  });
});
