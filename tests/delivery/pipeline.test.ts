import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'chai';
import { pinnedNodeVersion, readText, readYaml, root, type Yaml } from '../support/delivery-files.js';
import { expandVariables, globMatches, jobsOf, planPipeline, type Push } from '../support/gitlab-rules.js';

/**
 * GitLab's CI schema: the copy kept with the tests (the pipeline's test job reads it, with no
 * network), the shared one beside the project when it is there (the copy must equal it), and
 * GITLAB_CI_SCHEMA when set (a newer GitLab's, say).
 */
const VENDORED_SCHEMA = resolve(root, 'tests/delivery/schemas/gitlab-ci.json');
const SHARED_SCHEMA = resolve(root, '../shared/schemas/gitlab-ci.json');
const schemaPaths = [VENDORED_SCHEMA, SHARED_SCHEMA, process.env.GITLAB_CI_SCHEMA].filter(
  (path): path is string => Boolean(path) && (path === VENDORED_SCHEMA || existsSync(path!)),
);
const pipeline = readYaml('.gitlab-ci.yml');
const jobs = jobsOf(pipeline);

const mainPush = (changedFiles: string[]): Push => ({
  variables: { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main' },
  changedFiles,
});
const branchPush = (changedFiles: string[]): Push => ({
  variables: { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'feature/x', CI_DEFAULT_BRANCH: 'main' },
  changedFiles,
});
const mergeRequest = (changedFiles: string[]): Push => ({
  variables: {
    CI_PIPELINE_SOURCE: 'merge_request_event',
    CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
    CI_DEFAULT_BRANCH: 'main',
  },
  changedFiles,
});
/** The same push on GitLab Ultimate, whose features include dependency scanning. */
const onUltimate = (push: Push, more: Record<string, string> = {}): Push => ({
  ...push,
  variables: { ...push.variables, GITLAB_FEATURES: 'container_scanning,dependency_scanning,sast', ...more },
});
const jobNames = (push: Push) => (planPipeline(pipeline, push) ?? []).map((job) => job.name);
/** The jobs of the included templates that this file tunes (their image and script are the templates'). */
const TEMPLATE_JOBS = {
  'Jobs/Dependency-Scanning.gitlab-ci.yml': 'gemnasium-dependency_scanning',
  'Jobs/Container-Scanning.gitlab-ci.yml': 'container_scanning',
};
const PACK = 'deploy/kubit/pack.yaml';

/** Every `image:`, service image and `*_IMAGE` variable naming an image, with where it is used. */
function images(): Array<{ where: string; image: string }> {
  const found: Array<{ where: string; image: string }> = [];
  const add = (where: string, image: Yaml) => {
    if (image !== undefined) found.push({ where, image: typeof image === 'string' ? image : image.name });
  };
  for (const [name, job] of Object.entries({ '(top level)': pipeline, default: pipeline.default ?? {}, ...jobs })) {
    add(name, (job as Yaml).image);
    for (const service of ((job as Yaml).services ?? []) as Yaml[]) add(`${name} service`, service);
    for (const [variable, value] of Object.entries(((job as Yaml).variables ?? {}) as Record<string, string>)) {
      // Images this file names itself (`$CI_REGISTRY_IMAGE:...` is the one it builds; PUSH_IMAGE a flag).
      if (/_IMAGE$/.test(variable) && !/\$|^(true|false)$/.test(String(value))) add(`${name} ${variable}`, value);
    }
  }
  return found;
}

describe('.gitlab-ci.yml', () => {
  for (const schemaPath of schemaPaths) {
    it(`is valid against GitLab's CI schema (${relative(root, schemaPath)})`, () => {
      const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
      const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
      const valid = validate(pipeline);
      expect(valid, ajv.errorsText(validate.errors, { separator: '\n' })).to.equal(true);
    });
  }

  if (existsSync(SHARED_SCHEMA)) {
    it('keeps its copy of the schema equal to the shared one (tests/delivery/schemas/gitlab-ci.json)', () => {
      expect(
        JSON.parse(readFileSync(VENDORED_SCHEMA, 'utf8')),
        'copy ../shared/schemas/gitlab-ci.json again',
      ).to.deep.equal(JSON.parse(readFileSync(SHARED_SCHEMA, 'utf8')));
    });
  }

  it('uses current syntax: rules and needs, never only/except', () => {
    for (const [name, job] of Object.entries(jobs)) {
      expect(job, name).to.not.have.any.keys('only', 'except');
    }
  });

  it('has the stages test, build, scan, deploy, and each job needs only jobs of earlier stages', () => {
    expect(pipeline.stages).to.deep.equal(['test', 'build', 'scan', 'deploy']);
    const stageIndex = (name: string) => (pipeline.stages as string[]).indexOf(jobs[name]!.stage);
    expect(Object.keys(jobs)).to.include.members(['test', 'build', 'deploy']);
    for (const [name, job] of Object.entries(jobs)) {
      expect(pipeline.stages, `${name}'s stage`).to.include(job.stage);
      for (const need of (job.needs ?? []) as Array<string | { job: string }>) {
        const needed = typeof need === 'string' ? need : need.job;
        expect(jobs, `${name} needs ${needed}`).to.have.property(needed);
        expect(stageIndex(needed), `${name} needs ${needed} from an earlier stage`).to.be.lessThan(stageIndex(name));
      }
    }
    expect(jobs.deploy!.needs).to.deep.equal(['build']);
  });

  it('creates, for every kind of pipeline, only jobs whose needs are created too', () => {
    const kinds = [mainPush(['interfaces/startup/main.ts']), branchPush(['README.md']), mergeRequest([PACK])];
    for (const push of [
      ...kinds,
      ...kinds.map((push) => onUltimate(push)),
      onUltimate(mergeRequest(['package.json'])),
    ]) {
      const planned = planPipeline(pipeline, push)!;
      const names = new Set(planned.map((job) => job.name));
      for (const job of planned) {
        for (const need of (jobs[job.name]!.needs ?? []) as string[]) {
          expect(names.has(need), `${job.name} needs ${need} (${push.variables.CI_PIPELINE_SOURCE})`).to.equal(true);
        }
      }
    }
  });

  it('pins every image to a version, never `latest`', () => {
    const all = images();
    expect(all.length).to.be.greaterThan(0);
    for (const { where, image } of all) {
      expect(image, where).to.not.match(/:latest\b/);
      expect(image, `${where}: a pinned version tag`).to.match(
        /:\d+\.\d+(\.\d+)?([-.][\w.-]+)?(@sha256:[0-9a-f]{64})?$/,
      );
    }
  });

  it('runs the README commands in the test job, against postgres and redis services', () => {
    const test = jobs.test!;
    expect(test.stage).to.equal('test');
    expect(test.image, 'the Node version of .nvmrc, as in the Dockerfile').to.equal(
      `node:${pinnedNodeVersion}-bookworm`,
    );
    expect(test.script).to.include.members(['npm run lint', 'npm test']);
    expect((test.script as string[]).some((line) => /^npm ci\b/.test(line))).to.equal(true);
    const readme = readText('README.md');
    for (const command of ['npm ci', 'npm run lint', 'npm test'])
      expect(readme, `README: ${command}`).to.include(command);

    const services = test.services as Yaml[];
    const postgres = services.find((service) => /^postgres:/.test(service.name));
    const redis = services.find((service) => /^redis:/.test(service.name));
    expect(postgres, 'a postgres service').to.not.equal(undefined);
    expect(redis, 'a redis service').to.not.equal(undefined);
    const postgresUri = new URL(test.variables.TEST_POSTGRES_URI);
    const redisUri = new URL(test.variables.TEST_REDIS_URI);
    expect(postgresUri.protocol).to.equal('postgres:');
    expect(postgresUri.hostname).to.equal(postgres.alias);
    expect(redisUri.protocol).to.equal('redis:');
    expect(redisUri.hostname).to.equal(redis.alias);
    const trust = postgres.variables?.POSTGRES_HOST_AUTH_METHOD === 'trust';
    const password = postgresUri.password !== '' && postgres.variables?.POSTGRES_PASSWORD === postgresUri.password;
    expect(trust || password, 'the postgres service accepts the URI: trust auth, or the same password').to.equal(true);
  });

  it('builds the image tagged with the commit and pushes it to the project registry (main only)', () => {
    const build = jobs.build!;
    const planned = planPipeline(pipeline, mainPush(['interfaces/startup/main.ts']))!.find(
      (job) => job.name === 'build',
    );
    expect(planned, 'build runs on main').to.not.equal(undefined);
    const variables = { ...pipeline.variables, ...planned!.variables };
    const script = (build.script as string[]).map((line) => expandVariables(line, variables)).join('\n');
    expect(script).to.match(/docker build\b[^\n]*--tag "?\$CI_REGISTRY_IMAGE:\$CI_COMMIT_SHORT_SHA"?/);
    expect(script).to.match(/docker push "?\$CI_REGISTRY_IMAGE:\$CI_COMMIT_SHORT_SHA"?/);
    expect(script).to.not.match(/latest/);
    expect(planned!.variables.PUSH_IMAGE).to.equal('true');

    const inMergeRequest = planPipeline(pipeline, mergeRequest(['Dockerfile']))!.find((job) => job.name === 'build');
    expect(inMergeRequest?.variables.PUSH_IMAGE, 'merge requests build but never push').to.equal('false');
  });

  it('smoke-tests the image in the build job, after building it and before pushing it', () => {
    const script = (jobs.build!.script as string[]).join('\n');
    const built = script.search(/docker build\b/);
    const smoked = script.search(/sh \.ci\/smoke-image\.sh "\$IMAGE"/);
    const pushed = script.search(/docker push\b/);
    expect(built, 'docker build').to.be.greaterThan(-1);
    expect(smoked, 'sh .ci/smoke-image.sh "$IMAGE" after docker build').to.be.greaterThan(built);
    expect(pushed, 'docker push after the smoke test').to.be.greaterThan(smoked);
    // Merge requests build without pushing: the smoke test is the only run their image gets.
    expect(jobNames(mergeRequest(['Dockerfile']))).to.include('build');
    expect(jobs.deploy!.needs, 'no deploy is offered unless build, and so the smoke test, passed').to.include('build');
  });

  it("runs the smoke test against the test job's service images, and asks with the deploy job's curl", () => {
    const variables = jobs.build!.variables as Record<string, string>;
    const services = Object.fromEntries(
      (jobs.test!.services as Yaml[]).map((service) => [service.alias as string, service.name as string]),
    );
    expect(variables.SMOKE_POSTGRES_IMAGE).to.equal(services.postgres);
    expect(variables.SMOKE_REDIS_IMAGE).to.equal(services.redis);
    expect(variables.SMOKE_CURL_IMAGE).to.equal(jobs.deploy!.image.name);
  });

  it('produces the SBOM and checks the signatures of the dependencies before the image is built', () => {
    const sbom = jobs.sbom!;
    expect(sbom.stage).to.equal('test');
    expect(sbom.script).to.include.members(['npm audit signatures', 'npm run sbom']);
    expect(sbom.script.findIndex((line: string) => /^npm ci\b/.test(line))).to.equal(0);
    expect(sbom.allow_failure, 'a failed signature stops the build').to.equal(undefined);
    expect(jobs.build!.needs).to.include.members(['test', 'sbom']);
    for (const push of [mainPush(['Dockerfile']), branchPush(['Dockerfile']), mergeRequest([PACK])]) {
      expect(jobNames(push), push.variables.CI_PIPELINE_SOURCE).to.include('sbom');
    }
  });

  it("includes GitLab's dependency and container scanning templates, and tunes only their jobs", () => {
    const included = ([] as Yaml[]).concat(pipeline.include ?? []).map((item) => item.template ?? item);
    expect(included).to.have.members(Object.keys(TEMPLATE_JOBS));
    // A job without a script of its own must be a template's, or GitLab refuses the file.
    const partial = Object.entries(jobs)
      .filter(([, job]) => job.script === undefined && job.extends === undefined && job.trigger === undefined)
      .map(([name]) => name);
    expect(partial).to.have.members(Object.values(TEMPLATE_JOBS));
  });

  describe('the scans', () => {
    const code = ['interfaces/startup/main.ts'];
    const kinds = { main: mainPush(code), 'a branch': branchPush(code), 'a merge request': mergeRequest(code) };

    it('checks advisories (npm audit) in every pipeline that changes code, as a warning, never a block', () => {
      for (const [kind, push] of Object.entries(kinds)) expect(jobNames(push), kind).to.include('npm-audit');
      expect(jobs['npm-audit']!.allow_failure).to.equal(true);
      expect(jobs['npm-audit']!.script).to.deep.equal(['npm audit --omit=dev --audit-level=high']);
    });

    it('runs dependency scanning on GitLab Ultimate only, in merge requests and branch pipelines', () => {
      for (const [kind, push] of Object.entries(kinds)) {
        expect(jobNames(onUltimate(push)), kind).to.include(TEMPLATE_JOBS['Jobs/Dependency-Scanning.gitlab-ci.yml']);
        expect(jobNames(push), `${kind}, without Ultimate`).to.not.include(
          TEMPLATE_JOBS['Jobs/Dependency-Scanning.gitlab-ci.yml'],
        );
      }
      const disabled = onUltimate(mergeRequest(code), { DEPENDENCY_SCANNING_DISABLED: 'true' });
      expect(jobNames(disabled)).to.not.include(TEMPLATE_JOBS['Jobs/Dependency-Scanning.gitlab-ci.yml']);
    });

    it('scans the image that main pushed, after build, in main pipelines only', () => {
      const job = TEMPLATE_JOBS['Jobs/Container-Scanning.gitlab-ci.yml'];
      expect(jobNames(mainPush(code))).to.include(job);
      expect(jobNames(branchPush(code))).to.not.include(job);
      expect(jobNames(mergeRequest(code)), 'a merge request pushes no image').to.not.include(job);
      const disabled = mainPush(code);
      expect(
        jobNames({ ...disabled, variables: { ...disabled.variables, CONTAINER_SCANNING_DISABLED: 'true' } }),
      ).to.not.include(job);
      expect(jobs[job]!.needs).to.deep.equal(['build']);
      expect(jobs[job]!.variables.CS_IMAGE, 'the tag build pushes').to.equal('$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA');
      expect(jobs.build!.variables.IMAGE).to.equal(jobs[job]!.variables.CS_IMAGE);
    });

    it('scans nothing for a merge request that changes only the Pack (GitOps applies it; no code changed)', () => {
      const names = jobNames(onUltimate(mergeRequest([PACK])));
      expect(names).to.include('test');
      expect(names).to.not.include.members(['npm-audit', ...Object.values(TEMPLATE_JOBS)]);
    });
  });

  it('deploys by hand, on main only, after build', () => {
    const onMain = planPipeline(pipeline, mainPush(['interfaces/startup/main.ts']))!;
    expect(onMain.find((job) => job.name === 'deploy')?.when).to.equal('manual');
    for (const push of [branchPush(['interfaces/startup/main.ts']), mergeRequest(['interfaces/startup/main.ts'])]) {
      const planned = planPipeline(pipeline, push) ?? [];
      expect(
        planned.map((job) => job.name),
        push.variables.CI_PIPELINE_SOURCE,
      ).to.not.include('deploy');
    }
    const deploy = jobs.deploy!;
    expect(deploy.when, 'no job-level `when` overriding the rule').to.equal(undefined);
    const curl = (deploy.script as string[]).find((line) => /\bcurl\b/.test(line))!;
    for (const part of ['-X POST', ' -f ', 'DOCKER_TAG=${CI_COMMIT_SHORT_SHA}', 'Bearer ${KUBIT_WEBHOOK_TOKEN}']) {
      expect(curl).to.include(part);
    }
    expect(curl).to.include('${KUBIT_WEBHOOK_URL}');
  });

  describe('a push that changes only the Pack', () => {
    it('creates no pipeline (so nothing is built or deployed): GitOps applies the Pack', () => {
      expect(planPipeline(pipeline, mainPush([PACK]))).to.equal(null);
      expect(planPipeline(pipeline, branchPush([PACK]))).to.equal(null);
    });

    it('still runs when code changes alongside the Pack, and for merge requests (the Pack is tested)', () => {
      const both = planPipeline(pipeline, mainPush([PACK, 'Dockerfile']))!;
      expect(both.map((job) => job.name)).to.include.members(['test', 'build', 'deploy']);
      const review = planPipeline(pipeline, mergeRequest([PACK]))!;
      expect(review.map((job) => job.name)).to.include('test');
    });

    // Tracked files only: a CI checkout also holds caches (.npm/) that are not part of a push.
    it('leaves every other tracked file able to start a pipeline', () => {
      const files = execFileSync('git', ['ls-files'], {
        cwd: root,
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean);
      expect(files.length).to.be.greaterThan(10);
      const rule = (pipeline.workflow.rules as Yaml[]).find((r) => r.changes !== undefined);
      const patterns: string[] = rule.changes.paths ?? rule.changes;
      const uncovered = files.filter(
        (file) => !file.startsWith('deploy/kubit/') && !patterns.some((pattern) => globMatches(pattern, file)),
      );
      expect(uncovered, 'files outside deploy/kubit/ that would not start a pipeline').to.deep.equal([]);
      for (const file of files.filter((f) => f.startsWith('deploy/kubit/')).concat(PACK)) {
        expect(
          patterns.some((pattern) => globMatches(pattern, file)),
          file,
        ).to.equal(false);
      }
    });
  });
});
