// Preloaded with --import by tests/delivery/production-smoke.test.ts: on SIGUSR2, writes what the
// process has loaded so far to LOADED_INTERNALS_FILE, so a test can see what a serving production
// process pays for: the Node internals (process.moduleLoadList; undici, for one, is ~2 MiB of
// heap), then the shared libraries it has mapped (process.report's sharedObjects, native addons
// included), each line prefixed `SharedObject `.
import { writeFileSync } from 'node:fs';

process.on('SIGUSR2', () => {
  if (!process.env.LOADED_INTERNALS_FILE) return;
  const sharedObjects = process.report.getReport().sharedObjects.map((path) => `SharedObject ${path}`);
  writeFileSync(process.env.LOADED_INTERNALS_FILE, [...process.moduleLoadList, ...sharedObjects].join('\n'));
});
