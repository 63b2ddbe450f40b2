/** Why a request was shed: the event loop lagging, or too many requests in progress at once. */
export type ShedReason = 'event_loop_delay' | 'in_flight';

/** The process's own load, read on every request: a cheap look at a state kept up elsewhere. */
export interface LoadSignal {
  /** Why the process counts as overloaded now, or null when it is not. */
  overloaded(): ShedReason | null;
}

/** For an app that sheds nothing by load (an in-process test without the process's sampler). */
export const NEVER_OVERLOADED: LoadSignal = { overloaded: () => null };
