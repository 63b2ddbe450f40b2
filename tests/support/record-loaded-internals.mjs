// Preloaded with --import by tests/delivery/production-smoke.test.ts: on SIGUSR2, writes the Node
// internals the process has loaded so far (process.moduleLoadList) to LOADED_INTERNALS_FILE, so a
// test can see what a serving production process pays for (undici, for one: ~2 MiB of heap).
import { writeFileSync } from 'node:fs';

process.on('SIGUSR2', () => {
  if (process.env.LOADED_INTERNALS_FILE)
    writeFileSync(process.env.LOADED_INTERNALS_FILE, process.moduleLoadList.join('\n'));
});
