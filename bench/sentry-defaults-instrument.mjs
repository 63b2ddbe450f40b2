// For bench/observability-cost.ts only: @sentry/node with its default integrations, as its
// quick-start sets it up, to show in the same run what the service's chosen integrations save.
import * as Sentry from '@sentry/node';

const rate = process.env.SENTRY_TRACES_SAMPLE_RATE;
Sentry.init({ dsn: process.env.SENTRY_DSN, ...(rate ? { tracesSampleRate: Number(rate) } : {}) });
