/**
 * Every run `npm run bench` finishes is kept, misses included: its report as
 * runs/<date>-<commit>.{md,json} and a line in history.md, which is rebuilt from the kept files
 * at the end of each run (so it cannot drift from them). A full run (the bench's default
 * settings) is kept in bench/results/, to be committed with the code it measured; a trial run
 * (shorter rounds, other V8 flags, another Redis) in bench/results/trials/, which git ignores:
 * its figures are not comparable with the targets' runs, but it is not thrown away either.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { root } from './processes.js';
import { toMarkdown, type BenchReport, type MeasuredCode } from './report.js';

const RESULTS = resolve(root, 'bench/results');

/** A kept run as read back: runs imported from git before the bench kept every run lack `code`. */
type KeptRun = Pick<BenchReport, 'date' | 'checks'> &
  Partial<Pick<BenchReport, 'code' | 'trialBecause'>> & {
    /** Set on runs recovered from git history (bench/results/latest.json as a commit held it). */
    readonly imported?: { readonly committedIn: string };
  };

/** The commit checked out and the work tree's changes outside bench/results/; null outside git. */
export function measuredCode(): MeasuredCode | null {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  try {
    const commit = git('rev-parse', 'HEAD').trim();
    const status = git('status', '--porcelain', '--untracked-files=all', '--', '.', ':(exclude)bench/results');
    return { commit, changes: status.split('\n').filter(Boolean) };
  } catch {
    return null;
  }
}

/** `2026-11-28T09-15-02Z-1a2b3c4`, `-dirty` when the work tree differed from the commit. */
function runName(report: BenchReport): string {
  const date = report.date.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const code = report.code;
  return `${date}-${code ? `${code.commit.slice(0, 7)}${code.changes.length > 0 ? '-dirty' : ''}` : 'no-git'}`;
}

/** Writes the run's files and rebuilds the history beside them; returns the markdown and where it went. */
export function keepRun(report: BenchReport): { markdown: string; file: string; history: string } {
  const dir = report.trialBecause.length === 0 ? RESULTS : resolve(RESULTS, 'trials');
  mkdirSync(resolve(dir, 'runs'), { recursive: true });
  const name = runName(report);
  const markdown = toMarkdown(report);
  writeFileSync(resolve(dir, 'runs', `${name}.json`), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(resolve(dir, 'runs', `${name}.md`), markdown);
  writeFileSync(resolve(dir, 'history.md'), history(dir));
  return {
    markdown,
    file: relative(root, resolve(dir, 'runs', `${name}.md`)),
    history: relative(root, resolve(dir, 'history.md')),
  };
}

function codeCell(run: KeptRun): string {
  if (run.imported) return `not recorded (imported from git: committed in \`${run.imported.committedIn.slice(0, 7)}\`)`;
  if (!run.code) return 'not a git work tree';
  return `\`${run.code.commit.slice(0, 7)}\`${run.code.changes.length > 0 ? ', **dirty**' : ''}`;
}

function row(name: string, run: KeptRun, trials: boolean): string {
  const missed = run.checks.filter((c) => !c.pass);
  const checks = `${run.checks.length - missed.length} met${missed.length > 0 ? `, **${missed.length} missed**` : ''}`;
  const cells = [
    `[${run.date}](runs/${name}.md)`,
    codeCell(run),
    ...(trials ? [(run.trialBecause ?? []).join(', ')] : []),
    checks,
    missed.map((c) => `${c.check}: ${c.detail}`).join('; '),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** history.md of `dir`: its kept runs, newest first. */
function history(dir: string): string {
  const trials = dir !== RESULTS;
  const guide = relative(dir, resolve(root, 'docs/performance.md'));
  const runs = readdirSync(resolve(dir, 'runs'))
    .filter((file) => file.endsWith('.json'))
    .map((file) => {
      const run = JSON.parse(readFileSync(resolve(dir, 'runs', file), 'utf8')) as KeptRun;
      return { name: file.slice(0, -'.json'.length), run };
    })
    .sort((a, b) => b.run.date.localeCompare(a.run.date));
  const intro = trials
    ? [
        '# Bench trial runs',
        '',
        "Every run of `npm run bench` with other settings than its defaults, newest first, kept on this machine: git ignores this directory, since a trial's figures are not comparable with a full run's.",
      ]
    : [
        '# Bench history',
        '',
        'Every full run of `npm run bench` (its default settings), newest first, as the bench wrote it; a missed check stays in the history. Runs from before the bench kept every run: [README.md](README.md).',
      ];
  return [
    ...intro,
    `Rebuilt from runs/*.json by bench/history.ts at the end of each run: not edited by hand. How to read a run: [docs/performance.md](${guide}).`,
    '',
    `| run | code | ${trials ? 'trial because | ' : ''}checks | missed |`,
    `|---|---|${trials ? '---|' : ''}---|---|`,
    ...runs.map(({ name, run }) => row(name, run, trials)),
    '',
  ].join('\n');
}
