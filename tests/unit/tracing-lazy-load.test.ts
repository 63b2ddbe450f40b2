import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

interface Probe {
  tracing: string;
  status: number;
  traceparent: string | null;
  /** `package <- who asked`, each once. */
  packages: string[];
}

/** The probe in a fresh process, started like the service (the instrumentation preloaded). */
function probe(env: Record<string, string>): Probe {
  const dir = mkdtempSync(join(tmpdir(), 'otel-imports-'));
  try {
    const args = ['--import', './tests/support/record-otel-imports.mjs', '--import', 'tsx'];
    args.push('--import', './infrastructure/sentry/instrument.ts', 'tests/support/tracing-load-probe.ts');
    const out = execFileSync(process.execPath, args, {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        OTEL_IMPORTS_FILE: join(dir, 'imports'),
        ...env,
      },
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as Probe;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;
/** Nothing listens there: spans are queued, never sent, and the probe exits first. */
const ENDPOINT = 'http://127.0.0.1:9';

describe('OpenTelemetry loading (child processes)', function () {
  this.timeout(60_000);

  it('resolves no OpenTelemetry package of its own without an OTLP endpoint: only the API that prom-client requires for itself', () => {
    const environments: Array<Record<string, string>> = [
      { OTEL_EXPORTER_OTLP_ENDPOINT: '' },
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    ];
    for (const env of environments) {
      const result = probe(env);
      expect(result).to.deep.include({ tracing: 'off', status: 200, traceparent: null });
      // prom-client 15 requires @opentelemetry/api at load (for exemplars), tracing or not: the
      // API alone, which registers nothing and starts no SDK.
      expect(result.packages).to.deep.equal(['@opentelemetry/api <- prom-client']);
    }
  });

  it('with Sentry on and no endpoint, loads the API Sentry depends on, and still no SDK', () => {
    const { packages, traceparent } = probe({ SENTRY_DSN: 'http://publickey@127.0.0.1:9/1' });
    expect(traceparent).to.equal(null);
    expect(packages.every((entry) => entry.startsWith('@opentelemetry/api <- '))).to.equal(true, packages.join(', '));
    expect(packages).to.include('@opentelemetry/api <- @sentry/node');
  });

  it('with an endpoint, loads the SDK and only the chosen protocol’s exporter, and answers with a traceparent', () => {
    const json = probe({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    // Started by the preloaded instrumentation, before the application was imported.
    expect(json.tracing).to.equal('running');
    expect(json.traceparent).to.match(TRACEPARENT);
    expect(json.packages).to.include.members([
      '@opentelemetry/sdk-trace <- ping-service',
      '@opentelemetry/exporter-trace-otlp-http <- ping-service',
    ]);
    expect(json.packages.join('\n')).to.not.include('exporter-trace-otlp-proto');

    const proto = probe({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT });
    expect(proto.packages).to.include('@opentelemetry/exporter-trace-otlp-proto <- ping-service');
    expect(proto.packages.join('\n')).to.not.include('exporter-trace-otlp-http');
  });
});
