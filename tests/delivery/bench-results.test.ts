/**
 * bench/results/ keeps every full run of `npm run bench`: one report per run in runs/ (markdown and
 * JSON), each listed in history.md with its checks met and missed. The bench writes all of it;
 * these tests catch a run removed, added or edited by hand without the rest.
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { readText, root } from '../support/delivery-files.js';

interface KeptRun {
  readonly date: string;
  readonly checks: Array<{ check: string; pass: boolean; detail: string }>;
  readonly code?: { commit: string; changes: string[] } | null;
  readonly trialBecause?: string[];
  readonly imported?: { committedIn: string };
}

const runFiles = readdirSync(resolve(root, 'bench/results/runs'));
const runs = runFiles
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({
    name: file.slice(0, -'.json'.length),
    run: JSON.parse(readText(`bench/results/runs/${file}`)) as KeptRun,
  }));
const historyRows = readText('bench/results/history.md')
  .split('\n')
  .filter((line) => line.startsWith('| ['));

describe('bench/results: every full run kept', () => {
  it('has a markdown and a JSON report of each run, and nothing else in runs/', () => {
    expect(runs.length).to.be.greaterThan(0);
    const names = runs.map(({ name }) => name);
    expect([...runFiles].sort()).to.deep.equal(names.flatMap((name) => [`${name}.json`, `${name}.md`]).sort());
  });

  it('lists each run in history.md, newest first, with its checks met and missed', () => {
    const newestFirst = [...runs].sort((a, b) => b.run.date.localeCompare(a.run.date));
    expect(historyRows.length, 'one row per run').to.equal(runs.length);
    newestFirst.forEach(({ name, run }, index) => {
      const row = historyRows[index]!;
      const missed = run.checks.filter((c) => !c.pass);
      expect(row, name).to.include(`(runs/${name}.md)`);
      expect(row, name).to.include(`| ${run.checks.length - missed.length} met`);
      if (missed.length > 0) expect(row, name).to.include(`**${missed.length} missed**`);
      else expect(row, name).not.to.include('missed');
      for (const check of missed) expect(row, name).to.include(`${check.check}: ${check.detail}`);
    });
  });

  it('shows each check as met or **missed** in the run markdown, as its JSON records it', () => {
    for (const { name, run } of runs) {
      const markdown = readText(`bench/results/runs/${name}.md`);
      for (const check of run.checks)
        expect(markdown, name).to.include(
          `| ${check.check} | ${check.pass ? 'met' : '**missed**'} | ${check.detail} |`,
        );
    }
  });

  it('keeps only full runs, each naming the code it measured (runs from git history say so)', () => {
    for (const { name, run } of runs) {
      if (run.imported) {
        expect(name, 'an imported run is named after the commit that held it').to.include(
          `-imported-${run.imported.committedIn.slice(0, 7)}`,
        );
        continue;
      }
      expect(run.trialBecause, `${name}: a trial belongs in bench/results/trials/`).to.deep.equal([]);
      expect(run.code?.commit, name).to.match(/^[0-9a-f]{40}$/);
      expect(name, name).to.include(`-${run.code!.commit.slice(0, 7)}${run.code!.changes.length > 0 ? '-dirty' : ''}`);
    }
  });
});
