import { SpanKind, type Tracer } from '@opentelemetry/api';
import type { PolicyStep, StepTracer } from '../../domain/step-tracer.port.js';
import type { SecretMasker } from '../logging/secret-masker.js';
import { inSpan } from './span-run.js';

/** What a step came to (`held`, `taken`, `found`, `released`, ...): the service's own attribute. */
const ATTR_STEP_OUTCOME = 'ping_service.step.outcome';

/** The policy's steps (the refresh lease's) as internal spans, the Redis calls nested under them. */
export class OtelStepTracer implements StepTracer {
  constructor(
    private readonly tracer: Tracer,
    private readonly masker: SecretMasker,
  ) {}

  step<T>(name: PolicyStep, work: () => Promise<T>, outcome: (result: T) => string): Promise<T> {
    return inSpan(this.tracer, this.masker, name, { kind: SpanKind.INTERNAL, attributes: {} }, async (span) => {
      const result = await work();
      span.setAttribute(ATTR_STEP_OUTCOME, outcome(result));
      return result;
    });
  }
}
