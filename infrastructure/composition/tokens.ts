/**
 * Inversify service identifiers. Typed Symbols rather than strings, so a typo is a compile error
 * and two modules can never collide on a name.
 */
export const TOKENS = {
  Config: Symbol.for('ping-service.Config'),
  Logger: Symbol.for('ping-service.Logger'),
  Clock: Symbol.for('ping-service.Clock'),
  PingStore: Symbol.for('ping-service.PingStore'),
  SharedPingCache: Symbol.for('ping-service.SharedPingCache'),
  LocalPingCache: Symbol.for('ping-service.LocalPingCache'),
  RecordLease: Symbol.for('ping-service.RecordLease'),
  DependencyMonitor: Symbol.for('ping-service.DependencyMonitor'),
  ErrorReporter: Symbol.for('ping-service.ErrorReporter'),
  PingService: Symbol.for('ping-service.PingService'),
  PingUseCases: Symbol.for('ping-service.PingUseCases'),
  Readiness: Symbol.for('ping-service.Readiness'),
  ReadinessChecks: Symbol.for('ping-service.ReadinessChecks'),
  Lifecycle: Symbol.for('ping-service.Lifecycle'),
  Metrics: Symbol.for('ping-service.Metrics'),
} as const;
