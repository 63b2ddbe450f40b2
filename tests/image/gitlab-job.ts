/**
 * Runs a job of .gitlab-ci.yml (`test` unless named) as GitLab's Docker executor would, on this
 * machine, which cannot pull images:
 *   npm run test:gitlab-job [-- <job>]
 * - a fresh container (buildah, chroot isolation) of a stand-in for the job's image, assembled by
 *   tests/image/stand-in-base.sh under the image's own name (node:<version>-bookworm);
 * - the job's services reachable under their aliases (--add-host): each stands for the local
 *   server of its kind, the one the suites use here (PostgreSQL on 5432, Redis on 6379);
 * - the repository at the commit (uncommitted changes committed on top, in a clone) in
 *   /builds/<namespace>/<project>, GitLab's predefined variables for a push to main, the
 *   pipeline's and the job's variables;
 * - its before_script and script in one bash, as the runner runs them (set -eo pipefail, each
 *   command echoed), and nothing else.
 * The job's log streams to stdout; the exit code is the job's.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildah, storageEnv } from '../support/buildah.js';
import { readYaml, root, type Yaml } from '../support/delivery-files.js';
import { expandVariables, jobsOf, planPipeline } from '../support/gitlab-rules.js';
import { requireTool } from '../support/system-tools.js';

const PROJECT = 'ping/ping-service';
const BUILDS_DIR = '/builds';
/** The local server each kind of service image stands for (127.0.0.1, as the suites use them here). */
const LOCAL_SERVERS: Record<string, { port: number; what: string }> = {
  postgres: { port: 5432, what: 'PostgreSQL (bash .ci/ensure-services.sh starts it)' },
  redis: { port: 6379, what: 'Redis (bash .ci/ensure-services.sh starts it)' },
};

class JobError extends Error {}

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * The stand-in to assemble for the job's image: node:<version>-bookworm[-slim]. A pinned digest
 * names the official image's bytes, which no stand-in has: the tag is what it stands for.
 */
function standInFor(image: string): { version: string; variant: 'slim' | 'full' } {
  const match = /^(?:docker\.io\/(?:library\/)?)?node:(\d+\.\d+\.\d+)-bookworm(-slim)?(?:@sha256:[0-9a-f]{64})?$/.exec(
    image,
  );
  if (!match) throw new JobError(`no stand-in can be assembled here for ${image}: only node:<version>-bookworm[-slim]`);
  return { version: match[1]!, variant: match[2] ? 'slim' : 'full' };
}

async function answers(port: number): Promise<boolean> {
  const socket = connect({ host: '127.0.0.1', port });
  const result = await Promise.race([
    once(socket, 'connect').then(() => true),
    once(socket, 'error').then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3_000)),
  ]);
  socket.destroy();
  return result;
}

/**
 * Docker gives a container a soft limit of 1024 open files and a high hard one (524288 since
 * containerd 2.1, 1048576 before), and Node raises its soft limit to the hard one; buildah's
 * chroot gives 1024 for both, which the fault tests' 1000 concurrent requests exceed. So: 1024,
 * and the highest hard limit this machine lets a process keep.
 */
function hardOpenFilesLimit(): string {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((candidate) => candidate.startsWith('Max open files'));
  return line!.split(/\s{2,}/)[2]!;
}

/** The commit to run: HEAD, with the work tree's changes committed on top in a clone. */
function checkout(folder: string): { sha: string; note: string } {
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', root, folder]);
  const changed = git(['status', '--porcelain', '--untracked-files=all'], root);
  if (changed === '') return { sha: git(['rev-parse', 'HEAD'], folder), note: 'the commit' };
  const files = git(['ls-files', '--cached', '--others', '--exclude-standard', '-z'], root).split('\0');
  execFileSync('tar', ['-C', root, '--null', '--ignore-failed-read', '-cf', join(folder, '.changes.tar'), '-T', '-'], {
    input: files.filter(Boolean).join('\0'),
  });
  execFileSync('tar', ['-C', folder, '-xf', join(folder, '.changes.tar')]);
  rmSync(join(folder, '.changes.tar'));
  for (const deleted of git(['ls-files', '--deleted', '-z'], root).split('\0').filter(Boolean)) {
    rmSync(join(folder, deleted), { force: true });
  }
  git(['add', '--all'], folder);
  git(
    [
      '-c',
      'user.name=gitlab-job',
      '-c',
      'user.email=gitlab-job@localhost',
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      'work tree',
    ],
    folder,
  );
  return { sha: git(['rev-parse', 'HEAD'], folder), note: 'HEAD plus the uncommitted changes of the work tree' };
}

/** GitLab Runner's bash script: errexit and pipefail, each command echoed before it runs. */
function jobScript(directory: string, commands: string[]): string {
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  return [
    'set -eo pipefail',
    'set +o noclobber',
    `cd ${quote(directory)}`,
    ...commands.flatMap((command) => [`printf '\\033[32;1m$ %s\\033[0;m\\n' ${quote(command)}`, command]),
  ].join('\n');
}

async function runJob(jobName: string): Promise<number> {
  requireTool('buildah');
  requireTool('mmdebstrap');
  const pipeline = readYaml('.gitlab-ci.yml');
  const job = jobsOf(pipeline)[jobName] as Yaml;
  if (!job) throw new JobError(`.gitlab-ci.yml has no job "${jobName}"`);
  if (!job.image || !job.script || job.extends) {
    throw new JobError(`${jobName}: only a job with its own image and script can run here`);
  }
  const push = {
    variables: { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main' },
    changedFiles: git(['ls-files'], root).split('\n'),
  };
  const planned = planPipeline(pipeline, push)?.find((candidate) => candidate.name === jobName);
  if (!planned) throw new JobError(`${jobName} does not run in a pipeline of a push to main`);

  const image = standInFor(typeof job.image === 'string' ? job.image : job.image.name);
  const hosts: string[] = [];
  for (const service of (job.services ?? []) as Yaml[]) {
    const name = typeof service === 'string' ? service : service.name;
    const alias = (typeof service === 'string' ? undefined : service.alias) ?? name.split(':')[0]!.split('/').at(-1)!;
    const kind = Object.keys(LOCAL_SERVERS).find((candidate) => name.split(':')[0]!.endsWith(candidate));
    if (!kind) throw new JobError(`service ${name}: no local server stands for it here`);
    const server = LOCAL_SERVERS[kind]!;
    if (!(await answers(server.port))) {
      throw new JobError(
        `service ${name} stands for ${server.what} on 127.0.0.1:${server.port}, which does not answer`,
      );
    }
    hosts.push(alias);
    console.log(`service ${name} as ${alias}: the local ${server.what.split(' ')[0]} on 127.0.0.1:${server.port}`);
  }

  const env = { ...process.env, ...storageEnv };
  const base = execFileSync('bash', [join(root, 'tests/image/stand-in-base.sh'), image.version, image.variant], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const folder = mkdtempSync(join(tmpdir(), 'ping-service-gitlab-job-'));
  const container = buildah([
    'from',
    '--pull=never',
    ...hosts.flatMap((host) => ['--add-host', `${host}:127.0.0.1`]),
    ...['--ulimit', `nofile=1024:${hardOpenFilesLimit()}`],
    base,
  ]);
  try {
    const projectDir = `${BUILDS_DIR}/${PROJECT}`;
    const { sha, note } = checkout(join(folder, 'project'));
    buildah(['copy', container, join(folder, 'project'), projectDir]);
    const predefined: Record<string, string> = {
      CI: 'true',
      GITLAB_CI: 'true',
      CI_SERVER: 'yes',
      CI_BUILDS_DIR: BUILDS_DIR,
      CI_PROJECT_DIR: projectDir,
      CI_PROJECT_PATH: PROJECT,
      CI_PROJECT_NAME: PROJECT.split('/')[1]!,
      CI_COMMIT_SHA: sha,
      CI_COMMIT_SHORT_SHA: sha.slice(0, 8),
      CI_COMMIT_REF_NAME: 'main',
      CI_JOB_NAME: jobName,
      CI_JOB_STAGE: job.stage ?? 'test',
      ...(push.variables as Record<string, string>),
    };
    const defined = { ...(pipeline.variables ?? {}), ...planned.variables } as Record<string, string>;
    const all: Record<string, string> = { ...predefined };
    for (const [name, value] of Object.entries(defined))
      all[name] = expandVariables(String(value), { ...all, ...defined });
    const commands = [...(job.before_script ?? []), ...job.script] as string[];
    console.log(`job ${jobName} in ${base} (stand-in), at ${sha.slice(0, 8)} (${note})`);

    const child = spawn(
      'buildah',
      [
        ...['--root', storageEnv.BUILDAH_ROOT, '--runroot', storageEnv.BUILDAH_RUNROOT, '--storage-driver', 'vfs'],
        ...['run', '--isolation', 'chroot', '--workingdir', projectDir],
        // As Docker runs the image's default user (root): with root's HOME.
        ...Object.entries({ HOME: '/root', ...all }).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
        container,
        '--',
        'bash',
        '-c',
        jobScript(projectDir, commands),
      ],
      { stdio: ['ignore', 'inherit', 'inherit'], detached: true },
    );
    // chroot isolation has no PID namespace: the job's processes are this machine's, in the
    // process group of the buildah started here, which is ended when the job ends or is stopped.
    const stop = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    stop();
    console.log(code === 0 ? `job ${jobName} succeeded` : `job ${jobName} failed: ${code ?? signal}`);
    return code ?? 1;
  } finally {
    buildah(['rm', container]);
    rmSync(folder, { recursive: true, force: true });
  }
}

runJob(process.argv[2] ?? 'test').then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error instanceof JobError ? error.message : error);
    process.exit(1);
  },
);
