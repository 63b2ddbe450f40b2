// The hook of record-sentry-imports.mjs (runs on Node's module-hooks thread).
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (resolved.url.includes('/node_modules/@sentry/') && process.env.SENTRY_IMPORTS_FILE) {
    appendFileSync(process.env.SENTRY_IMPORTS_FILE, `${resolved.url}\n`);
  }
  return resolved;
}
