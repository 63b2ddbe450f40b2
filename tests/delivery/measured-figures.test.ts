/**
 * Measured figures live in bench/results/ and nowhere else: a number in a comment, a manifest or a
 * page is stale the day the code changes, while a run's file is dated and names its commit.
 *
 * A measured figure, as this test finds it: a number (`12`, `0.93`, `~165`, `91-92`, `36,825`)
 * followed by
 * - a unit of memory or size: B, bytes, kB, KB, KiB, MB, MiB, GB, GiB;
 * - a unit of throughput: req/s, requests/s, rps;
 * - a unit of time below the millisecond: µs, us, ns (timeouts and budgets are set in ms or s);
 * - a percentage: %, per cent, percent;
 * - `x` or `×` and what the bench compares with: bare Koa, the (Fastify) peer, the baseline;
 * or a duration with a fraction or a range (`0.3 ms`, `78-84 ms`, `1.3 s`): a setting is a whole
 * number of ms or s.
 * Not a figure, because it states a setting or a limit rather than a measurement:
 * - a number bound to a setting's name (`shared_buffers=16MB`, `--max-old-space-size=96`;
 *   Kubernetes quantities such as `256Mi` carry no unit above);
 * - a bound: the number follows `at most`, `at least`, `up to`, `over`, `above`, `under`, `below`,
 *   `<=`, `>=`, `≤`, `≥`, `<` or `>` (a limit, a target or an alert's threshold).
 * Words (`a fifth`, `half`) are not caught: the rule is for review, this test for what a pattern sees.
 *
 * Where: the comments of production code (domain/, application/, infrastructure/, interfaces/) and
 * of bench/'s code; the Dockerfile, docker-compose.yml and deploy/ whole (promtool's test
 * fixtures, deploy/monitoring/tests/, are test inputs); docs/ and README.md whole; the names of
 * tests (`describe`, `it`).
 */
import { expect } from 'chai';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { readText, root } from '../support/delivery-files.js';

const DIGITS = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`;
const NUMBER = String.raw`~?${DIGITS}(?:\s?[-–]\s?~?${DIGITS})?`;
const UNIT = String.raw`B|bytes|[kK]B|KiB|MB|MiB|GB|GiB|req/s|requests/s|rps|µs|us|ns|%|per ?cent`;
const COMPARED = String.raw`[x×] (?:bare Koa|the (?:Fastify )?peer|the baseline)`;
const FRACTIONAL_DURATION = String.raw`~?(?:\d+\.\d+|\d+(?:\.\d+)?\s?[-–]\s?\d+(?:\.\d+)?)\s?(?:ms|s)`;
const FIGURE = new RegExp(
  String.raw`(?<![\w.=/~-])(?:(?:${NUMBER})\s?(?:(?:${UNIT})(?![\w/])|${COMPARED})|${FRACTIONAL_DURATION}(?![\w/]))`,
  'g',
);
const BOUND = /(?:at most|at least|up to|over|above|under|below|default|<=|>=|≤|≥|<|>|\b[a-z]+_[a-z_]+)\s*$/i;

interface Found {
  readonly where: string;
  readonly figure: string;
}

/** The measured figures in `text` (see the rule above), each with its line. */
function figuresIn(text: string, offset = 0, lineOf: (at: number) => number = () => 0): Found[] {
  return [...text.matchAll(FIGURE)]
    .filter((match) => !BOUND.test(text.slice(Math.max(0, match.index - 12), match.index)))
    .map((match) => ({ where: String(lineOf(offset + match.index)), figure: match[0] }));
}

function lineFinder(text: string): (at: number) => number {
  return (at) => text.slice(0, at).split('\n').length;
}

/** Every comment of a TypeScript or JavaScript file, by the compiler's own reading. */
function commentsOf(path: string, text: string): Array<{ pos: number; text: string }> {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false);
  const seen = new Map<number, string>();
  const visit = (node: ts.Node) => {
    for (const range of [
      ...(ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []),
      ...(ts.getTrailingCommentRanges(text, node.getEnd()) ?? []),
    ])
      seen.set(range.pos, text.slice(range.pos, range.end));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...seen].map(([pos, comment]) => ({ pos, text: comment }));
}

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  const absolute = resolve(root, dir);
  return readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .map((file) => relative(root, join(absolute, file)))
    .filter((path) => statSync(resolve(root, path)).isFile() && keep(path));
}

function inCode(path: string): Found[] {
  const text = readText(path);
  const lineOf = lineFinder(text);
  const comments = path.endsWith('.lua')
    ? [...text.matchAll(/--.*$/gm)].map((m) => ({ pos: m.index, text: m[0] }))
    : commentsOf(path, text);
  return comments.flatMap((comment) => figuresIn(comment.text, comment.pos, lineOf));
}

function inWhole(path: string): Found[] {
  const text = readText(path);
  return figuresIn(text, 0, lineFinder(text));
}

/** The names given to `describe` and `it` in a test file. */
function inTestNames(path: string): Found[] {
  const text = readText(path);
  const lineOf = lineFinder(text);
  return [...text.matchAll(/\b(?:describe|it)\(\s*(['`"])(.*?)\1/g)].flatMap((m) => figuresIn(m[2]!, m.index, lineOf));
}

const CODE = /\.(?:ts|mts|js|mjs|cjs|lua)$/;
const scanned: Array<[string, (path: string) => Found[]]> = [
  ...['domain', 'application', 'infrastructure', 'interfaces', 'bench']
    .flatMap((dir) => filesUnder(dir, (path) => CODE.test(path) && !path.startsWith('bench/results/')))
    .map((path) => [path, inCode] as [string, (path: string) => Found[]]),
  ...['Dockerfile', 'docker-compose.yml', 'README.md'].map((path) => [path, inWhole] as [string, typeof inWhole]),
  ...filesUnder('deploy', (path) => !path.startsWith('deploy/monitoring/tests/')).map(
    (path) => [path, inWhole] as [string, typeof inWhole],
  ),
  ...filesUnder('docs', (path) => path.endsWith('.md')).map((path) => [path, inWhole] as [string, typeof inWhole]),
  ...filesUnder('tests', (path) => path.endsWith('.test.ts')).map(
    (path) => [path, inTestNames] as [string, typeof inTestNames],
  ),
];

describe('measured figures: in bench/results/ only', () => {
  const found = (text: string) => figuresIn(text).map((f) => f.figure);

  it('calls a measured value with a unit of memory, throughput, CPU time or share a figure', () => {
    const figures = [
      ['about 2 MiB of heap', '2 MiB'],
      ['idle from ~165 to ~280 MiB', '~280 MiB'],
      ['13.5 KiB per request', '13.5 KiB'],
      ['600 bytes of garbage per id', '600 bytes'],
      ['36,825 req/s in a round', '36,825 req/s'],
      ['25.8 µs of CPU per request', '25.8 µs'],
      ['about 5 % more cache hits', '5 %'],
      ['2-3% more', '2-3%'],
      ['HIT at 0.93 x bare Koa', '0.93 x bare Koa'],
      ['1.08 × the Fastify peer', '1.08 × the Fastify peer'],
      ['p99 78-84 ms on a fresh process', '78-84 ms'],
      ['a scavenge of about 0.3 ms', '0.3 ms'],
    ];
    for (const [text, figure] of figures) expect(found(text!), text).to.deep.equal([figure]);
  });

  it('leaves settings, defaults, limits and targets alone', () => {
    const settings = [
      'ENV NODE_OPTIONS="--max-old-space-size=96 --max-semi-space-size=2"',
      'memory: 256Mi',
      "['-c', 'shared_buffers=16MB']",
      'starts with shared_buffers 16MB',
      "PostgreSQL's default 128MB",
      'peak RSS at most 130 MiB with Sentry on',
      'a body over 16 kB is refused',
      'fires above 5% for 5 minutes',
      'under 80% of GET /ping are hits',
      'HIT req/s >= 0.9 x bare Koa',
      'REDIS_BUDGETS (250 ms), then 5 s, timeout: 3s',
      'node 24.21.0 on 2 cores',
    ];
    for (const text of settings) expect(found(text), text).to.deep.equal([]);
  });

  it('has none in production code comments, bench code, the Dockerfile, manifests, docs, README or test names', () => {
    const unexpected: string[] = [];
    for (const [path, scan] of scanned)
      for (const { where, figure } of scan(path)) unexpected.push(`${path}:${where}: ${figure}`);
    expect(unexpected, 'measured figures belong in bench/results/: link a run, or state the setting').to.deep.equal([]);
  });
});
