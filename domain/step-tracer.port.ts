/** The steps of the policy a trace shows by name: the refresh lease's, which no other port sees whole. */
export type PolicyStep = 'lease take' | 'lease wait' | 'lease release';

/**
 * Watches a step of the policy: how long it took, what it came to (`outcome`), whether it threw.
 * The tracing adapter makes each step a span, under which the ports' own spans (the Redis calls)
 * nest; without tracing, UNTRACED_STEPS runs the step and nothing else. A cache hit takes no step.
 */
export interface StepTracer {
  step<T>(name: PolicyStep, work: () => Promise<T>, outcome: (result: T) => string): Promise<T>;
}

export const UNTRACED_STEPS: StepTracer = { step: (_name, work) => work() };
