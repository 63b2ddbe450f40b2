/**
 * The parts of @sentry/node this service uses, in one module. `npm run build` replaces its
 * compiled output with a bundle of just these (esbuild, tree-shaken: the SDK's own files and its
 * OpenTelemetry packages in one file): imported as hundreds of separate modules the SDK cost
 * ~13.6 MiB of heap, as this bundle ~4.5 MiB (docs/performance.md). Under tsx (tests, `npm run
 * dev`) it is a plain re-export. One module, so the setup and the reporter share one SDK.
 */
export {
  captureException,
  close,
  contextLinesIntegration,
  flush,
  httpIntegration,
  init,
  isInitialized,
  knexIntegration,
  koaIntegration,
  linkedErrorsIntegration,
  nodeContextIntegration,
  onUncaughtExceptionIntegration,
  postgresIntegration,
  redisIntegration,
  systemErrorIntegration,
} from '@sentry/node';
export type { NodeOptions } from '@sentry/node';
