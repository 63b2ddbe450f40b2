import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');

/** Runs the project's layer rule on a small tree of files and returns depcruise's exit status. */
function cruise(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
    );
    const run = spawnSync(
      depcruise,
      ['domain', 'application', 'infrastructure', 'interfaces', '--config', join(root, '.dependency-cruiser.cjs')],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the layer rule (dependency-cruiser, as run by npm test)', function () {
  this.timeout(20_000); // each case starts depcruise: seconds on a busy machine
  const clean = {
    'domain/ping.ts': 'export const a = 1;\n',
    'application/use.ts': "import { a } from '../domain/ping.js';\nexport const b = a;\n",
    'infrastructure/adapter.ts': "import { b } from '../application/use.js';\nexport const c = b;\n",
    'interfaces/startup/main.ts': "import { c } from '../../infrastructure/adapter.js';\nexport const d = c;\n",
  };

  it('passes a tree that points inward', () => {
    expect(cruise(clean).status).to.equal(0);
  });

  const violations: Array<[string, Record<string, string>, string]> = [
    [
      'domain importing infrastructure',
      { 'domain/bad.ts': "import { c } from '../infrastructure/adapter.js';\nexport const e = c;\n" },
      'domain-is-pure',
    ],
    [
      'domain importing a node: module',
      { 'domain/bad.ts': "import { randomUUID } from 'node:crypto';\nexport const e = randomUUID;\n" },
      'domain-is-pure',
    ],
    [
      'application importing infrastructure',
      { 'application/bad.ts': "import { c } from '../infrastructure/adapter.js';\nexport const e = c;\n" },
      'application-depends-on-domain-only',
    ],
    [
      'the HTTP layer importing an adapter',
      { 'interfaces/http/bad.ts': "import { c } from '../../infrastructure/adapter.js';\nexport const e = c;\n" },
      'http-not-on-infrastructure',
    ],
    [
      'the HTTP layer importing start-up code',
      { 'interfaces/http/bad.ts': "import { d } from '../startup/main.js';\nexport const e = d;\n" },
      'http-not-on-startup',
    ],
    [
      'a module nothing imports and that imports nothing (an orphan)',
      { 'infrastructure/forgotten.ts': 'export const unused = 1;\n' },
      'no-orphans',
    ],
    [
      'production code importing the harness tests and bench share',
      {
        'interfaces/bad.ts': "import { h } from '../harness/helper.js';\nexport const e = h;\n",
        'harness/helper.ts': 'export const h = 1;\n',
      },
      'no-tests-in-production-code',
    ],
  ];
  for (const [what, extra, rule] of violations) {
    it(`fails on ${what}`, () => {
      const result = cruise({ ...clean, ...extra });
      expect(result.status).to.not.equal(0);
      expect(result.output).to.include(rule);
    });
  }
});
