import { expect } from 'chai';
import { Copy, User } from 'dockerfile-ast';
import semver from 'semver';
import {
  appDefaultPort,
  appMetricsPort,
  dockerfileStages,
  execFormCmd,
  fileExists,
  pinnedNodeVersion,
  readText,
  runCommands,
  stageEnv,
  type DockerStage,
} from '../support/delivery-files.js';
import { globMatches } from '../support/gitlab-rules.js';

/** `dist/x/y.js` (as the CMD names it) -> `x/y.ts`, the source tsc compiles it from. */
const sourceOf = (distPath: string) => distPath.replace(/^(\.\/)?dist\//, '').replace(/\.js$/, '.ts');

describe('Dockerfile (parsed with dockerfile-ast)', () => {
  const stages = dockerfileStages();
  const finalStage = stages.at(-1) as DockerStage;
  const buildStage = stages[0] as DockerStage;
  const stageNames = new Set(stages.map((stage) => stage.name).filter(Boolean));

  it('is multi-stage: a build stage, then a final stage that is not the build stage', () => {
    expect(stages.length).to.be.at.least(2);
    expect(finalStage.from.getImageName()).to.not.be.oneOf([...stageNames]);
  });

  it('pins every base image to the Node version of .nvmrc (a full version), never `latest`', () => {
    expect(pinnedNodeVersion).to.match(/^\d+\.\d+\.\d+$/);
    for (const stage of stages) {
      const image = stage.from.getImageName();
      if (image && stageNames.has(image)) continue; // FROM <earlier stage>
      const tag = stage.from.getImageTag();
      expect(image, `FROM ${stage.from.getImage()}`).to.equal('node');
      expect(tag, `FROM ${stage.from.getImage()}: pin a tag`).to.be.a('string');
      expect(tag).to.not.match(/latest/);
      expect(tag, `FROM ${stage.from.getImage()}: the version of .nvmrc`).to.match(
        new RegExp(`^${pinnedNodeVersion.replaceAll('.', '\\.')}-[a-z0-9.-]+$`),
      );
    }
  });

  it("runs a Node version that package.json's engines admits, on an LTS line (even major)", () => {
    const engines = (JSON.parse(readText('package.json')) as { engines: { node: string } }).engines.node;
    expect(semver.satisfies(pinnedNodeVersion, engines), `${pinnedNodeVersion} in engines ${engines}`).to.equal(true);
    expect(semver.major(pinnedNodeVersion) % 2, 'odd majors never become LTS').to.equal(0);
    expect(semver.satisfies('20.20.2', engines), 'Node 20 is past its end of life (2026-04-30)').to.equal(false);
  });

  it('holds no registry address, certificate authority or npm credentials (build hosts bring their own)', () => {
    for (const stage of stages) {
      for (const instruction of stage.instructions) {
        const text = instruction.getTextContent();
        expect(text).to.not.match(/NODE_EXTRA_CA_CERTS|cafile|\bregistry\b|npmrc|_authToken|strict-ssl/i);
      }
    }
  });

  it('installs from the lockfile and compiles the TypeScript in the build stage', () => {
    const runs = runCommands(buildStage);
    expect(runs.some((command) => /\bnpm ci\b/.test(command))).to.equal(true, runs.join(' | '));
    expect(runs.some((command) => /\bnpm run build\b/.test(command))).to.equal(true, runs.join(' | '));
    expect(runs.join(' ')).to.not.match(/\bnpm (install|i)\b/);
    const copied = buildStage.instructions
      .filter((i): i is Copy => i instanceof Copy)
      .flatMap((copy) => copy.getArguments().map((a) => a.getValue().replace(/\/$/, '')));
    const buildConfig = JSON.parse(readText('tsconfig.build.json')) as { include: string[] };
    for (const directory of buildConfig.include) expect(copied, `COPY ${directory}`).to.include(directory);
    expect(copied).to.include.members(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']);
  });

  it('installs only production dependencies in the final stage, and copies the compiled output', () => {
    const runs = runCommands(finalStage);
    const install = runs.find((command) => /\bnpm ci\b/.test(command));
    expect(install, 'an `npm ci` in the final stage').to.be.a('string');
    expect(install).to.match(/--omit=dev\b/);
    expect(runs.join(' ')).to.not.match(/\bnpm (install|i|run build)\b/);
    const fromBuild = finalStage.instructions
      .filter((i): i is Copy => i instanceof Copy)
      .filter((copy) => copy.getFromFlag()?.getValue() === buildStage.name);
    expect(fromBuild.map((copy) => copy.getArguments()[0]?.getValue())).to.deep.equal(['/app/dist']);
  });

  it('sets NODE_ENV=production in the final stage', () => {
    expect(stageEnv(finalStage).NODE_ENV).to.equal('production');
  });

  it('runs as a numeric, non-root user', () => {
    const user = finalStage.instructions.filter((i) => i instanceof User).at(-1);
    expect(user, 'a USER instruction in the final stage').to.not.equal(undefined);
    const [uid, gid] = (user!.getArgumentsContent() ?? '').split(':');
    expect(uid, 'numeric, so runAsNonRoot can verify it').to.match(/^\d+$/);
    expect(Number(uid)).to.be.greaterThan(0);
    if (gid !== undefined) expect(gid).to.match(/^\d+$/);
  });

  it("exposes the app's default ports: the API's and the metrics listener's", () => {
    const exposed = finalStage.instructions
      .filter((i) => i.getKeyword() === 'EXPOSE')
      .flatMap((i) => i.getArguments().map((a) => Number(a.getValue().split('/')[0])));
    expect(exposed).to.deep.equal([appDefaultPort, appMetricsPort]);
  });

  it('starts with node itself in exec form, preloading the Sentry instrumentation', () => {
    expect(finalStage.instructions.some((i) => i.getKeyword() === 'ENTRYPOINT')).to.equal(false);
    const argv = execFormCmd(finalStage);
    expect(argv, 'CMD in exec form (JSON array)').to.not.equal(null);
    expect(argv![0]).to.equal('node');
    const importAt = argv!.indexOf('--import');
    expect(importAt, 'node --import <instrument.js>').to.be.greaterThan(0);
    const instrument = argv![importAt + 1]!;
    const entry = argv!.at(-1)!;
    expect(sourceOf(entry)).to.equal('interfaces/startup/main.ts');
    expect(fileExists(sourceOf(entry)), `${sourceOf(entry)} exists`).to.equal(true);
    expect(
      fileExists(sourceOf(instrument)),
      `CMD preloads ${instrument}, compiled from ${sourceOf(instrument)}, which does not exist`,
    ).to.equal(true);
  });

  describe('.dockerignore', () => {
    const patterns = readText('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const ignored = (path: string) => {
      const prefixes = path.split('/').map((_, index, parts) => parts.slice(0, index + 1).join('/'));
      return patterns.some(
        (pattern) => !pattern.startsWith('!') && prefixes.some((p) => globMatches(pattern.replace(/^\//, ''), p)),
      );
    };

    it('keeps every file the Dockerfile copies from the build context', () => {
      const sources = stages.flatMap((stage) =>
        stage.instructions
          .filter((i): i is Copy => i instanceof Copy && i.getFromFlag() === null)
          .flatMap((copy) =>
            copy
              .getArguments()
              .slice(0, -1)
              .map((a) => a.getValue().replace(/\/$/, '')),
          ),
      );
      expect(sources.length).to.be.greaterThan(0);
      for (const source of sources) expect(ignored(source), `${source} is excluded from the context`).to.equal(false);
    });

    it('leaves out local state: node_modules, dist, .git, .env files, the embedded data', () => {
      for (const path of ['node_modules', 'dist', '.git', '.env', '.env.local', '.data']) {
        expect(ignored(path), path).to.equal(true);
      }
    });

    it('leaves out the code that never runs in the image: tests, bench, harness, scripts', () => {
      for (const path of ['tests', 'bench', 'harness', 'scripts']) expect(ignored(path), path).to.equal(true);
    });
  });
});
