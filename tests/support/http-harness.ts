import { inject, type InjectOptions } from 'light-my-request';
import { TOKENS } from '../../application/tokens.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { buildContainer, type ContainerOverrides } from '../../infrastructure/container.js';
import { createApp } from '../../interfaces/http/app.js';
import { httpDependencies } from '../../interfaces/http-server.js';
import { silentLogger } from './test-doubles.js';

/**
 * The app built by the real composition root (in-memory adapters by default), driven in-process
 * through `app.callback()`: no port is bound.
 */
export function makeHttpHarness(overrides: ContainerOverrides = {}, env: NodeJS.ProcessEnv = {}) {
  const container = buildContainer(loadConfig(env), { [TOKENS.Logger]: silentLogger, ...overrides });
  const app = createApp(httpDependencies(container));
  const handler = app.callback();
  const request = async (options: InjectOptions) => {
    const response = await inject(handler, options);
    const isJson = String(response.headers['content-type'] ?? '').includes('application/json');
    return { status: response.statusCode, headers: response.headers, body: isJson ? response.json() : response.body };
  };
  return { container, app, request };
}
