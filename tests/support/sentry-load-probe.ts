/**
 * Started like the service (`--import …/instrument.ts` first) by tests/unit/sentry-lazy-load.test.ts:
 * composes the real container on in-memory backends, as the entry point does, and prints which
 * reporter it got and whether any @sentry/* module was imported (recorded in SENTRY_IMPORTS_FILE
 * by the preloaded tests/support/record-sentry-imports.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '../../infrastructure/config/config.js';
import { buildContainer } from '../../infrastructure/composition/container.js';
import { resolve } from '../../infrastructure/composition/tokens.js';
import { startSentry } from '../../infrastructure/sentry/sentry-runtime.js';

const imports = process.env.SENTRY_IMPORTS_FILE ?? '';
const config = loadConfig(process.env);
const start = await startSentry(config);
const reporter = resolve(buildContainer(config), 'ErrorReporter');
process.stdout.write(
  JSON.stringify({
    start,
    reporter: reporter.constructor.name,
    sdkLoaded: existsSync(imports) && readFileSync(imports, 'utf8').length > 0,
  }) + '\n',
);
await reporter.flush(100);
process.exit(0);
