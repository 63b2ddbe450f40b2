import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readText, root } from '../support/delivery-files.js';

const redocly = resolve(root, 'node_modules/.bin/redocly');

/** `redocly lint` with redocly.yaml (recommended rules); no usage report, no update check. */
function lint(file?: string): { errors: number; warnings: number; problems: unknown[] } {
  const run = spawnSync(redocly, ['lint', ...(file ? [file] : []), '--format=json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  if (run.error) throw run.error;
  const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{')));
  return { ...report.totals, problems: report.problems };
}

describe('interfaces/http/openapi.json under @redocly/cli lint (recommended rules)', function () {
  this.timeout(60_000);

  it('has no error and no warning', () => {
    const report = lint();
    expect(report.problems).to.deep.equal([]);
    expect(report.errors + report.warnings).to.equal(0);
  });

  it('finds problems in a broken copy (so the check above can fail)', () => {
    const document = JSON.parse(readText('interfaces/http/openapi.json'));
    delete document.paths['/ping'].get.summary;
    document.paths['/ping'].get.responses['200'].content['application/json'].examples.hit.value.source = 42;
    const folder = mkdtempSync(join(tmpdir(), 'ping-openapi-'));
    try {
      writeFileSync(join(folder, 'openapi.json'), JSON.stringify(document));
      const report = lint(join(folder, 'openapi.json'));
      expect(report.errors + report.warnings).to.be.at.least(2);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('carries the version of package.json', () => {
    const document = JSON.parse(readText('interfaces/http/openapi.json'));
    expect(document.info.version).to.equal(JSON.parse(readText('package.json')).version);
  });
});
