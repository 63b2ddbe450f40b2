import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * buildah on its own storage (vfs: no overlay mounts needed) under the project's cache, so the
 * stand-in base survives between runs and nothing touches the machine's default storage.
 */
const cacheDir = process.env.PING_SERVICE_CACHE || join(homedir(), '.cache', 'ping-service');
export const storageEnv = {
  BUILDAH_ROOT: join(cacheDir, 'buildah', 'root'),
  BUILDAH_RUNROOT: join(cacheDir, 'buildah', 'runroot'),
};
const storageFlags = [
  '--root',
  storageEnv.BUILDAH_ROOT,
  '--runroot',
  storageEnv.BUILDAH_RUNROOT,
  '--storage-driver',
  'vfs',
];

/** The image test needs these programs; it fails, never skips, without them. */
export function requirePrograms(names: string[]): void {
  const missing = names.filter((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0);
  if (missing.length > 0) {
    throw new Error(`missing ${missing.join(', ')}: install the Debian packages (bash .ci/install-system-packages.sh)`);
  }
}

/** Runs a command to completion; its stdout, or an error with the end of its output. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(command, args, {
    ...options,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.error?.message}):\n${output}`);
  }
  return result.stdout;
}

export function buildah(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return run('buildah', [...storageFlags, ...args], options).trim();
}

/** `buildah run` left running (a server): the caller signals it and awaits its exit. */
export function spawnBuildah(args: string[]): ChildProcess {
  return spawn('buildah', [...storageFlags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The parts of an image's OCI configuration and history that the tests read. */
export interface ImageInspection {
  config: { User?: string; Env?: string[]; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string };
  labels: Record<string, string>;
  history: string[];
}

export function inspectImage(image: string): ImageInspection {
  const raw = JSON.parse(buildah(['inspect', '--type', 'image', image]));
  const config = raw.OCIv1.config ?? {};
  return {
    config,
    labels: config.Labels ?? {},
    history: ((raw.History ?? []) as Array<{ created_by?: string }>).map((entry) => entry.created_by ?? ''),
  };
}

/** Every process below `pid` (chroot isolation has no PID namespace: these are host PIDs). */
export function descendants(pid: number): Array<{ pid: number; argv: string[] }> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: Array<{ pid: number; argv: string[] }> = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    try {
      const argv = readFileSync(`/proc/${next}/cmdline`, 'utf8').split('\0').filter(Boolean);
      found.push({ pid: next, argv });
    } catch {
      // gone meanwhile
    }
    queue.push(...(children.get(next) ?? []));
  }
  return found;
}
