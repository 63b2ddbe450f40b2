import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/** The node flags of `npm start` (between `node` and the first `--import`/script argument). */
function startFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts.start!;
  const words = start.split(/\s+/);
  expect(words[0], 'npm start runs node itself').to.equal('node');
  return words.slice(1).filter((word) => word.startsWith('--') && word !== '--import' && !word.includes('source-maps'));
}

function probe(dataDir: string): { openRss: number; writePeak: number; sharedBuffers: string } {
  const out = execFileSync(
    process.execPath,
    [...startFlags(), '--import', 'tsx', 'tests/support/pglite-memory-probe.ts'],
    { cwd: root, env: { PATH: process.env.PATH, DATA_DIR: dataDir, WRITES: '300' }, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

// Memory, not time: resident sizes barely move with the machine's load. Measured with Node 24:
// ~170 MiB open and ~205 MiB at the peak of the writes, first start or not; before the sizing,
// ~500-650 (first start) or ~320 (later) open and up to ~770 at the peak.
describe('the embedded PGlite store fits a laptop (child process, flags of npm start)', function () {
  this.timeout(180_000);
  let dataDir: string;
  before(() => (dataDir = mkdtempSync(join(tmpdir(), 'pglite-memory-'))));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('idles under 250 MiB once open and peaks under 300 MiB while recording pings', () => {
    // The first start runs initdb (in a child process, whose memory goes with it), later ones do not.
    for (const start of ['first start', 'later start']) {
      const { openRss, writePeak, sharedBuffers } = probe(dataDir);
      expect(sharedBuffers).to.equal('16MB');
      expect(openRss, `${start}: RSS once open, MiB`).to.be.at.most(250);
      expect(writePeak, `${start}: peak RSS during 300 writes, MiB`).to.be.at.most(300);
    }
  });
});
