// Preloaded with --import by tests/unit/tracing-lazy-load.test.ts: a synchronous module resolve
// hook (module.registerHooks), which sees CommonJS require() calls as well as imports, and appends
// each @opentelemetry/* package the process resolves by name to the file named in
// OTEL_IMPORTS_FILE, as `package <- the package or project file that asked for it`.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

/** The package a URL belongs to (the last node_modules segment), or `ping-service` for our files. */
function packageOf(url) {
  const match = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url ?? '');
  return match ? match[1] : 'ping-service';
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (specifier.startsWith('@opentelemetry/') && process.env.OTEL_IMPORTS_FILE) {
      appendFileSync(process.env.OTEL_IMPORTS_FILE, `${packageOf(resolved.url)} <- ${packageOf(context.parentURL)}\n`);
    }
    return resolved;
  },
});
