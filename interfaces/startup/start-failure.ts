import type { Config } from '../../infrastructure/config/config.js';
import { SecretMasker } from '../../infrastructure/logging/secret-masker.js';

/**
 * The last words of an entry point that could not do its job: one line on stderr, masked like
 * the logs (an ENOENT on `sslrootcert=...` or a driver's message can carry a URI's secrets),
 * then exit code 1. (A configuration that cannot be read never gets here: loadConfigOrExit
 * has already printed its one line.)
 */
export function exitWithStartFailure(prefix: string, error: unknown, config: Config): never {
  const masker = SecretMasker.fromConfig(config);
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${masker.mask(`${prefix}: ${reason}`)}\n`);
  process.exit(1);
}
