import * as Sentry from '@sentry/node';
import type { Config } from '../config/config.js';
import { SecretMasker } from '../logging/secret-masker.js';
import { scrub } from './event-scrubber.js';

/** @sentry/node does not re-export the type by name. */
type Integration = Extract<NonNullable<Sentry.NodeOptions['integrations']>, readonly unknown[]>[number];

export type SentryConfig = Pick<Config, 'sentry' | 'postgres' | 'redis' | 'writes'>;

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
 * Only when SENTRY_TRACES_SAMPLE_RATE > 0: spans for incoming requests, Koa routing, Redis and
 * PostgreSQL. Koa's integration also listens to the app's 'error' event, which never fires here:
 * the error middleware answers every error itself.
 */
function tracingIntegrations(): Integration[] {
  return [
    Sentry.httpIntegration({ breadcrumbs: false }),
    Sentry.koaIntegration(),
    Sentry.redisIntegration(),
    Sentry.postgresIntegration(),
    Sentry.knexIntegration(),
  ];
}

export function sentryOptions(config: SentryConfig): Sentry.NodeOptions {
  const { dsn, environment, release, tracesSampleRate } = config.sentry;
  const tracing = tracesSampleRate > 0;
  const masker = SecretMasker.fromConfig(config);
  return {
    dsn: dsn ?? undefined,
    environment,
    release: release ?? undefined,
    defaultIntegrations: false,
    integrations: tracing ? [...errorIntegrations(masker), ...tracingIntegrations()] : errorIntegrations(masker),
    // null, not undefined: with undefined the SDK falls back to the SENTRY_TRACES_SAMPLE_RATE
    // variable itself, and "0" there would switch span recording on at rate 0, which is the
    // expensive way to trace nothing.
    tracesSampleRate: tracing ? tracesSampleRate : (null as unknown as undefined),
    // Module hooks that emit the diagnostics channels tracing listens to; useless without it.
    enableRuntimeChannelInjection: tracing,
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
    beforeSendSpan: (span) => ({ ...span, name: masker.mask(span.name), attributes: scrub(span.attributes, masker) }),
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
