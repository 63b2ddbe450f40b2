import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { expect } from 'chai';
import { readText, readYaml, root } from '../support/delivery-files.js';
import { jobsOf } from '../support/gitlab-rules.js';

interface Component {
  name: string;
  group?: string;
  version: string;
  purl?: string;
  licenses?: Array<{ license?: { id?: string; name?: string }; expression?: string }>;
  components?: Component[];
}
interface NpmNode {
  version?: string;
  license?: unknown;
  dependencies?: Record<string, NpmNode>;
}

/** name@version -> the license its package.json declares, over the whole production tree. */
function productionTree(): Map<string, string> {
  const tree = JSON.parse(
    execFileSync('npm', ['ls', '--omit=dev', '--all', '--json', '--long'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  ) as NpmNode;
  const packages = new Map<string, string>();
  const walk = (dependencies: Record<string, NpmNode> = {}) => {
    for (const [name, node] of Object.entries(dependencies)) {
      if (!node.version) continue; // a deduped entry names a package listed elsewhere
      const license = node.license;
      const key = `${name}@${node.version}`;
      if (!packages.has(key) || license)
        packages.set(key, typeof license === 'string' ? license : JSON.stringify(license));
      walk(node.dependencies);
    }
  };
  walk(tree.dependencies);
  return packages;
}

/** Every component, nested ones included (a package installed inside another's node_modules). */
function allComponents(components: Component[] = []): Component[] {
  return components.flatMap((component) => [component, ...allComponents(component.components)]);
}

const licenseOf = (component: Component) =>
  (component.licenses ?? []).map((entry) => entry.expression ?? entry.license?.id ?? entry.license?.name).join(' OR ');

describe('npm run sbom (the CycloneDX SBOM of the production dependencies)', function () {
  this.timeout(120_000);
  let folder = '';
  let text = '';
  let bom: { bomFormat: string; specVersion: string; metadata: { component: Component }; components: Component[] };

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'ping-service-sbom-'));
    // The pipeline's command; SBOM_FILE only moves its output out of the work tree.
    execFileSync('npm', ['run', '--silent', 'sbom'], {
      cwd: root,
      env: { ...process.env, SBOM_FILE: join(folder, 'sbom.cdx.json') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    text = readFileSync(join(folder, 'sbom.cdx.json'), 'utf8');
    bom = JSON.parse(text);
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('is CycloneDX 1.6 JSON, valid against the CycloneDX schema (shipped by @cyclonedx/cyclonedx-library)', async () => {
    expect(bom.bomFormat).to.equal('CycloneDX');
    expect(bom.specVersion).to.equal('1.6');
    const errors = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text);
    expect(errors, JSON.stringify(errors)).to.equal(null);
  });

  it('describes this application, at its version', () => {
    const manifest = JSON.parse(readText('package.json')) as { name: string; version: string };
    expect(bom.metadata.component).to.include({ type: 'application', name: manifest.name, version: manifest.version });
  });

  it('lists every package of `npm ls --omit=dev --all`, with its version, license and purl, and no other', () => {
    const expected = productionTree();
    expect(expected.size, 'production packages').to.be.greaterThan(50);
    const listed = new Map(
      allComponents(bom.components).map((component) => [
        `${component.group ? `${component.group}/` : ''}${component.name}@${component.version}`,
        component,
      ]),
    );
    expect([...listed.keys()].sort()).to.deep.equal([...expected.keys()].sort());
    for (const [key, license] of expected) {
      const component = listed.get(key)!;
      expect(licenseOf(component), `${key}: the license of its package.json`).to.equal(license);
      const [, name, version] = /^(.+)@([^@]+)$/.exec(key)!;
      expect(component.purl, key).to.equal(`pkg:npm/${name!.replace('@', '%40')}@${version}`);
    }
  });

  it('is produced by the pipeline and kept as an artifact', () => {
    const job = jobsOf(readYaml('.gitlab-ci.yml')).sbom;
    expect(job, 'an sbom job').to.not.equal(undefined);
    expect(job.script).to.include('npm run sbom');
    expect(job.artifacts.paths).to.include(/\$\{SBOM_FILE:-([^}]+)\}/.exec(readText('package.json'))![1]);
  });
});
