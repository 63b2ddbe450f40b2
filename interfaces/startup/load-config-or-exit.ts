import { ConfigError, loadConfig, type Config } from '../../infrastructure/config/config.js';

/**
 * For entry points: the validated configuration, or exit code 1 with the one line that names
 * the bad variable (values are never printed: some hold passwords).
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
