import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/** The probe in a fresh process, with or without the instrumentation preloaded. */
function probe(env: Record<string, string>, preload = true): { start: string; reporter: string; sdkLoaded: boolean } {
  const args = ['--import', 'tsx', '--import', './tests/support/record-sentry-imports.mjs'];
  if (preload) args.push('--import', './infrastructure/sentry/instrument.ts');
  const dir = mkdtempSync(join(tmpdir(), 'sentry-imports-'));
  try {
    const out = execFileSync(process.execPath, [...args, 'tests/support/sentry-load-probe.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        SENTRY_IMPORTS_FILE: join(dir, 'imports'),
        ...env,
      },
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').at(-1)!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Sentry SDK loading (child processes)', function () {
  this.timeout(60_000);
  const DSN = 'http://publickey@127.0.0.1:9/1';

  it('never imports @sentry/node when SENTRY_DSN is unset or empty, and reports to the logs', () => {
    for (const env of [{}, { SENTRY_DSN: '' }] as Array<Record<string, string>>) {
      expect(probe(env)).to.deep.equal({ start: 'off', reporter: 'LogErrorReporter', sdkLoaded: false });
    }
  });

  it('loads and starts the SDK in the preloaded instrumentation when SENTRY_DSN is set', () => {
    expect(probe({ SENTRY_DSN: DSN })).to.deep.equal({
      start: 'preloaded',
      reporter: 'SentryErrorReporter',
      sdkLoaded: true,
    });
  });

  it('still starts it, late, when the process was started without the instrumentation', () => {
    expect(probe({ SENTRY_DSN: DSN }, false)).to.deep.equal({
      start: 'late',
      reporter: 'SentryErrorReporter',
      sdkLoaded: true,
    });
  });
});
