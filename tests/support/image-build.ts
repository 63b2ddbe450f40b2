import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerfileStages, execFormCmd, root, stageEnv } from './delivery-files.js';

/** How the image starts the service: its final stage's CMD (argv) and ENV, read from the Dockerfile. */
export function imageCommand(): { argv: string[]; env: Record<string, string> } {
  const finalStage = dockerfileStages().at(-1)!;
  const argv = execFormCmd(finalStage);
  if (!argv) throw new Error('the Dockerfile has no exec-form CMD to start');
  return { argv, env: stageEnv(finalStage) };
}

let built: { dir: string; remove(): void } | undefined;

/**
 * The build stage's output in a temporary folder laid out like the image's /app (dist/,
 * package.json, node_modules), built once per test process. node_modules is this checkout's own
 * (development packages included): the image test proves the production install; this serves
 * tests that need several processes started exactly as the image starts them.
 */
export function buildLikeTheImage(): string {
  if (!built) {
    const dir = mkdtempSync(join(tmpdir(), 'ping-service-built-'));
    execFileSync('npm', ['run', '--silent', 'build'], {
      cwd: root,
      env: { ...process.env, BUILD_OUT_DIR: join(dir, 'dist') },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    built = { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
    process.once('exit', () => built?.remove());
  }
  return built.dir;
}
