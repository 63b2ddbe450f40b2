import * as Sentry from '@sentry/node';
import type { Config } from '../config/config.js';
import { SecretMasker } from '../logging/secret-masker.js';
import { scrub } from './event-scrubber.js';

/** @sentry/node does not re-export the type by name. */
type Integration = Extract<NonNullable<Sentry.NodeOptions['integrations']>, readonly unknown[]>[number];

export type SentryConfig = Pick<Config, 'sentry' | 'postgres' | 'redis' | 'tracing' | 'writes'>;

/**
 * Error capture only, chosen one by one instead of the SDK's defaults. The defaults wrap every
 * request in an isolation scope and instrument http, fetch and console: a large share of a cache
 * hit's cost even with tracing off (bench/observability-cost.ts measures it).
 * - linkedErrors: the `cause` chain (a StoreUnavailableError and the driver error under it);
 * - onUncaughtException: nothing else catches those; it reports, flushes and exits;
 * - contextLines, nodeContext, systemError: enrich an event when it is sent, cost nothing per request.
 * Not onUnhandledRejection: the entry point owns that handler (interfaces/startup/report-unhandled-
 * rejections.ts) and reports through the ErrorReporter port, so each rejection is reported once,
 * logged, and tagged like the rest.
 * Not dedupe: each report is made once by construction, and dedupe would drop the second of two
 * identical failures from different requests, falsifying counts in Sentry.
 */
function errorIntegrations(masker: SecretMasker): Integration[] {
  return [
    Sentry.linkedErrorsIntegration(),
    Sentry.onUncaughtExceptionIntegration({ onFatalError: exitOnFatalError(masker) }),
    Sentry.contextLinesIntegration(),
    Sentry.nodeContextIntegration(),
    Sentry.systemErrorIntegration(),
  ];
}

/**
 * No tracing of Sentry's own: the service has one tracing setup, OpenTelemetry's
 * (infrastructure/tracing/), exported over OTLP. With it on, Sentry's documented way to live
 * beside an existing OpenTelemetry setup (@sentry/node 11): the SDK sets up no tracer provider of
 * its own (enableOpenTelemetrySetup false), no traces sample rate (Sentry tracing off, so no span
 * is made twice), and openTelemetryIntegration, which stamps each error with the trace and span
 * active when it happened, so an event in Sentry leads to its trace and back. The tracer provider
 * is registered first (instrument.ts starts tracing, then Sentry), as that documentation asks.
 */
export function sentryOptions(config: SentryConfig): Sentry.NodeOptions {
  const { dsn, environment, release } = config.sentry;
  const masker = SecretMasker.fromConfig(config);
  const integrations = errorIntegrations(masker);
  if (config.tracing) integrations.push(Sentry.openTelemetryIntegration());
  return {
    dsn: dsn ?? undefined,
    environment,
    release: release ?? undefined,
    defaultIntegrations: false,
    integrations,
    enableOpenTelemetrySetup: false,
    // null, not undefined: with undefined the SDK falls back to a SENTRY_TRACES_SAMPLE_RATE
    // variable of the environment itself, and would record spans of its own.
    tracesSampleRate: null as unknown as undefined,
    // Module hooks that emit the diagnostics channels Sentry's tracing listens to: unused here.
    enableRuntimeChannelInjection: false,
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: { allow: ['limit', 'before'] },
      databaseQueryData: false,
      stackFrameVariables: false,
    },
    beforeSend: (event) => scrub(event, masker),
    beforeBreadcrumb: (breadcrumb) => scrub(breadcrumb, masker),
  };
}

/**
 * After an uncaught exception has been captured: one JSON line on stderr, masked like the logs
 * (the SDK's default prints the raw error, passwords included), then the queue is flushed and
 * the process exits 1, as Node itself would.
 */
function exitOnFatalError(masker: SecretMasker): (error: Error) => void {
  let exiting = false;
  return (error) => {
    if (exiting) return;
    exiting = true;
    const line = JSON.stringify({
      level: 60,
      time: new Date().toISOString(),
      service: 'ping-service',
      err: { type: error?.name, message: error?.message, stack: error?.stack },
      msg: 'uncaught exception: exiting',
    });
    process.stderr.write(`${masker.mask(line)}\n`);
    void Sentry.close(2_000).finally(() => process.exit(1));
  };
}

/** How reporting came up: off, loaded by instrument.ts before the app, or only now (a fallback). */
export type SentryStart = 'off' | 'preloaded' | 'late';

/**
 * Initialises the SDK once, when a DSN is configured. instrument.ts calls it before the app is
 * imported (as the SDK prescribes for ESM); the composition root calls it again as a fallback,
 * so errors are still reported if the process was started without `--import`.
 */
export function initSentry(config: SentryConfig): SentryStart {
  if (!config.sentry.dsn) return 'off';
  if (Sentry.isInitialized()) return 'preloaded';
  Sentry.init(sentryOptions(config));
  return 'late';
}
