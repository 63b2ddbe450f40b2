// Preloaded with --import by tests/unit/sentry-lazy-load.test.ts: registers a module resolve hook
// that appends every @sentry/* module the process resolves to the file named in
// SENTRY_IMPORTS_FILE, synchronously, so the file is complete when an import has returned.
import { register } from 'node:module';

register('./record-sentry-imports-hook.mjs', import.meta.url);
