import { expect } from 'chai';
import { dockerfileStages, readText, readYaml } from '../support/delivery-files.js';
import { jobsOf } from '../support/gitlab-rules.js';

interface PackageRule {
  matchDepNames?: string[];
  matchManagers?: string[];
  matchDatasources?: string[];
  matchUpdateTypes?: string[];
  groupName?: string;
  pinDigests?: boolean;
}
interface CustomManager {
  customType: string;
  managerFilePatterns: string[];
  matchStrings: string[];
  datasourceTemplate?: string;
}
const config = JSON.parse(readText('renovate.json')) as {
  $schema: string;
  extends?: string[];
  packageRules: PackageRule[];
  customManagers?: CustomManager[];
};
const rules = config.packageRules;
/** Renovate applies every matching rule in order: the last one to set a field wins. */
const lastRule = (applies: (rule: PackageRule) => boolean, field: keyof PackageRule) =>
  rules.filter((rule) => applies(rule) && rule[field] !== undefined).at(-1);

/** `/regex/` patterns are regular expressions; others are globs, of which only exact names are used here. */
const matchesFile = (pattern: string, file: string) =>
  pattern.startsWith('/') ? new RegExp(pattern.slice(1, pattern.lastIndexOf('/'))).test(file) : pattern === file;

/** The images .gitlab-ci.yml names outside `image:` and `services:` (the gitlabci manager reads those). */
function imagesInVariables(): string[] {
  return Object.values(jobsOf(readYaml('.gitlab-ci.yml'))).flatMap((job) =>
    Object.entries((job.variables ?? {}) as Record<string, string>)
      .filter(([name, value]) => /_IMAGE$/.test(name) && /^[a-z0-9][\w./-]*:[\w.-]+/.test(String(value)))
      .map(([, value]) => String(value)),
  );
}

describe('renovate.json (the update bot, checked offline: no Renovate run here)', () => {
  it("extends Renovate's recommended settings and names its schema", () => {
    expect(config.$schema).to.equal('https://docs.renovatebot.com/renovate-schema.json');
    expect(config.extends).to.include('config:recommended');
  });

  it('groups the minor and patch updates of every dependency, and leaves majors alone', () => {
    const grouping = rules.find(
      (rule) =>
        rule.groupName &&
        rule.matchUpdateTypes?.includes('minor') &&
        rule.matchUpdateTypes.includes('patch') &&
        !rule.matchUpdateTypes.includes('major') &&
        !rule.matchDepNames &&
        !rule.matchManagers &&
        !rule.matchDatasources,
    );
    expect(grouping, 'a packageRule grouping every minor and patch update').to.not.equal(undefined);
  });

  it('pins every image to its digest (the Node image included)', () => {
    const forDocker = lastRule(
      (rule) => !rule.matchDatasources || rule.matchDatasources.includes('docker'),
      'pinDigests',
    );
    expect(forDocker?.pinDigests).to.equal(true);
  });

  it("moves Node.js in one group in .nvmrc, the Dockerfile and the pipeline's images", () => {
    // The places that name the Node version, and the manager that reads each.
    expect(readText('.nvmrc').trim()).to.match(/^\d+\.\d+\.\d+$/);
    expect(dockerfileStages().some((stage) => stage.from.getImageName() === 'node')).to.equal(true);
    expect(readText('.gitlab-ci.yml')).to.match(/image: node:\d/);
    const groups = ['nvm', 'dockerfile', 'gitlabci'].map(
      (manager) =>
        lastRule(
          (rule) =>
            rule.matchDepNames?.includes('node') === true && (rule.matchManagers ?? [manager]).includes(manager),
          'groupName',
        )?.groupName,
    );
    expect(groups[0], 'a group for node').to.be.a('string');
    expect(groups, 'nvm, dockerfile, gitlabci').to.deep.equal([groups[0], groups[0], groups[0]]);
  });

  it('finds the images the pipeline names in variables (the gitlabci manager reads only image: and services:)', () => {
    const named = imagesInVariables();
    expect(named.length, 'images in variables').to.be.greaterThan(0);
    const text = readText('.gitlab-ci.yml');
    const found = (config.customManagers ?? [])
      .filter((manager) => manager.managerFilePatterns.some((pattern) => matchesFile(pattern, '.gitlab-ci.yml')))
      .flatMap((manager) => {
        expect(manager.datasourceTemplate).to.equal('docker');
        return manager.matchStrings.flatMap((pattern) =>
          [...text.matchAll(new RegExp(pattern, 'g'))].map(
            ({ groups }) => `${groups!.depName}:${groups!.currentValue}`,
          ),
        );
      });
    expect(found).to.include.members(named);
    expect(
      found.filter((image) => !named.includes(image)),
      'nothing else',
    ).to.deep.equal([]);
  });
});
