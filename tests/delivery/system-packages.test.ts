import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { readText, readYaml, root, type Yaml } from '../support/delivery-files.js';
import { jobsOf } from '../support/gitlab-rules.js';
import { programName, SYSTEM_PACKAGES_FILE, systemTools, type SystemTool } from '../support/system-tools.js';

/**
 * The suite's programs come from Debian packages (.ci/system-packages). The two runners must
 * install them before they run the npm scripts that need them, from that one list: the GitLab
 * test job in its own image, and .ci/run on a fresh machine. The packages a runner installs are
 * read from what it runs (its calls of .ci/install-system-packages.sh, asked with --print, and any
 * `apt-get install`); the packages it needs, from the npm scripts it runs.
 */
const tools = systemTools();
const npmScripts = Object.keys((JSON.parse(readText('package.json')) as { scripts: object }).scripts);

interface Runner {
  readonly name: string;
  /** Its shell commands, in order. */
  readonly commands: readonly string[];
}

const gitlabTestJob = (): Runner => {
  const job = jobsOf(readYaml('.gitlab-ci.yml')).test as Yaml;
  const lines = [...(job.before_script ?? []), ...(job.script ?? [])] as string[];
  return { name: 'the GitLab test job (.gitlab-ci.yml)', commands: lines.flatMap((line) => line.split('\n')) };
};
const ciRun = (): Runner => ({
  name: '.ci/run',
  commands: readText('.ci/run')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line)),
});

/** The npm scripts a command runs: `npm test` is the script `test`. */
function scriptsRunBy(command: string): string[] {
  return [...command.matchAll(/\bnpm\s+(?:run(?:-script)?\s+([\w:.-]+)|(test|t)\b)/g)].map((m) =>
    m[1] ? m[1] : 'test',
  );
}

/** The packages a command installs: through the install script (asked with --print), or apt-get. */
function packagesInstalledBy(command: string): string[] {
  const viaScript = [...command.matchAll(/install-system-packages\.sh((?:[ \t]+[\w:.-]+)*)/g)].flatMap((m) => {
    const args = m[1]!.trim().split(/\s+/).filter(Boolean);
    return execFileSync('bash', ['.ci/install-system-packages.sh', '--print', ...args], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  });
  const viaApt = [...command.matchAll(/apt-get\s+install\b([^;&|>\n]*)/g)].flatMap((m) =>
    m[1]!
      .trim()
      .split(/\s+/)
      .filter((word) => word && !word.startsWith('-')),
  );
  return [...viaScript, ...viaApt];
}

/** What a runner lacks: each package an npm script it runs needs, not installed before that script. */
function missingPackages(runner: Runner): string[] {
  const installed = new Set<string>();
  const missing: string[] = [];
  for (const command of runner.commands) {
    for (const script of scriptsRunBy(command)) {
      for (const tool of tools.filter((t) => t.neededBy.includes(script))) {
        const line = `${tool.package} (${tool.program}, for npm ${script === 'test' ? 'test' : `run ${script}`})`;
        if (!installed.has(tool.package) && !missing.includes(line)) missing.push(line);
      }
    }
    for (const name of packagesInstalledBy(command)) installed.add(name);
  }
  return missing;
}

/** Source files of the checks, relative to the root; this file and the list's reader are left out. */
function sourceFiles(directory: string): string[] {
  const helper = 'tests/support/system-tools.ts';
  const self = relative(root, import.meta.filename);
  return readdirSync(join(root, directory), { recursive: true, encoding: 'utf8' })
    .map((file) => join(directory, file))
    .filter((file) => /\.(ts|mjs)$/.test(file) && file !== helper && file !== self);
}

/** The npm script that runs a file: the image test's own, the bench's, else the suite's. */
function scriptOf(file: string): string {
  if (file.startsWith('tests/image/')) return 'test:image';
  if (file.startsWith('bench/')) return 'bench';
  return 'test';
}

const describeTool = (tool: SystemTool) => `${tool.package} (${tool.program}, needed by ${tool.neededBy.join(', ')})`;

describe(`the Debian packages the checks need (${SYSTEM_PACKAGES_FILE}), installed by both runners`, () => {
  it('lists each package and program once, each needed by npm scripts of package.json', () => {
    expect(tools.length).to.be.greaterThan(3);
    for (const key of [(t: SystemTool) => t.package, programName]) {
      const names = tools.map(key);
      expect(
        names.filter((name, index) => names.indexOf(name) !== index),
        'listed twice',
      ).to.deep.equal([]);
    }
    for (const tool of tools) {
      for (const script of tool.neededBy)
        expect(npmScripts, `${describeTool(tool)}: npm run ${script}`).to.include(script);
    }
  });

  for (const runner of [gitlabTestJob(), ciRun()]) {
    it(`are installed by ${runner.name} before the npm scripts that need them`, () => {
      expect(
        runner.commands.some((command) => scriptsRunBy(command).includes('test')),
        `${runner.name} runs npm test`,
      ).to.equal(true);
      expect(missingPackages(runner), `${runner.name} does not install, before the script that needs it`).to.deep.equal(
        [],
      );
    });
  }

  it('name every program a check asks for with requireTool(), for the npm script that runs the check', () => {
    const unlisted: string[] = [];
    let calls = 0;
    for (const file of ['tests', 'harness', 'bench'].flatMap(sourceFiles)) {
      for (const [, name] of readFileSync(join(root, file), 'utf8').matchAll(/requireTool\(\s*['"`]([\w.+-]+)['"`]/g)) {
        calls++;
        const tool = tools.find((candidate) => programName(candidate) === name);
        if (!tool?.neededBy.includes(scriptOf(file))) unlisted.push(`${file}: ${name} (for npm run ${scriptOf(file)})`);
      }
    }
    expect(calls, 'requireTool() calls found').to.be.greaterThan(0);
    expect(unlisted, `add them to ${SYSTEM_PACKAGES_FILE}`).to.deep.equal([]);
  });

  // Helpers that predate requireTool() name their program's path themselves.
  it('name every Debian program path the suite runs by path', () => {
    const suiteTools = tools.filter((tool) => tool.neededBy.includes('test'));
    const covered = (path: string) =>
      suiteTools.some(
        ({ program }) =>
          program === path ||
          program.startsWith(`${path}/`) ||
          new RegExp(`^${program.replace(/[.+]/g, '\\$&').replace('*', '[^/]+')}$`).test(path),
      );
    const found = ['tests', 'harness']
      .flatMap(sourceFiles)
      .filter((file) => scriptOf(file) === 'test')
      .flatMap((file) =>
        [
          ...readFileSync(join(root, file), 'utf8').matchAll(
            /['"`](\/usr\/(?:s?bin|lib\/postgresql)(?:\/[\w.+-]+)*)['"`]/g,
          ),
        ].map(([, path]) => ({ file, path: path! })),
      );
    expect(found.length, 'program paths found in the suite').to.be.greaterThan(0);
    const uncovered = found.filter(({ path }) => !covered(path)).map(({ file, path }) => `${file}: ${path}`);
    expect(uncovered, `add their packages to ${SYSTEM_PACKAGES_FILE} (needed by test)`).to.deep.equal([]);
  });
});
