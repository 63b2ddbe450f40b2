/**
 * The layer rule of the hexagon, as a failing check in `npm test` (test:layers, over the production
 * folders): domain <- application <- interfaces; infrastructure -> application, domain.
 * `npm run lint` (lint:deps) runs the same rules over every folder, which adds the guards that keep
 * dead code and test code out: no orphans, no devDependency at run time, and the fences between
 * production code, tests/, bench/ and the harness/ they share.
 */
const PRODUCTION = '^(domain|application|infrastructure|interfaces)/';

/**
 * devDependencies that production code loads at run time on purpose, each from one file: the image
 * installs dependencies only (npm ci --omit=dev) and never takes these paths. (create-pglite-knex.ts
 * loads PGlite and knex-pglite the same way, through a loader function this check does not see.)
 */
const DEV_DEPENDENCIES_LOADED_ON_PURPOSE = [
  // The embedded store's initdb child process: spawned only when PGlite is installed.
  { from: 'infrastructure/postgres/pglite-initdb-child.ts', to: '@electric-sql/pglite' },
];

const literal = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Production code never imports a devDependency at run time. Type-only imports are erased by the
 * compiler and allowed (pglite-settings.ts, create-pglite-knex.ts import PGlite types only).
 */
function notToDevDep() {
  const comment = 'production code imports a devDependency, absent from the image (npm ci --omit=dev)';
  const runtimeDevDependency = { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] };
  return [
    {
      name: 'not-to-dev-dep',
      comment,
      severity: 'error',
      from: { path: PRODUCTION, pathNot: DEV_DEPENDENCIES_LOADED_ON_PURPOSE.map((e) => `^${literal(e.from)}$`) },
      to: runtimeDevDependency,
    },
    ...DEV_DEPENDENCIES_LOADED_ON_PURPOSE.map((exemption) => ({
      name: 'not-to-dev-dep',
      comment: `${comment}; this file may load ${exemption.to} only`,
      severity: 'error',
      from: { path: `^${literal(exemption.from)}$` },
      to: { ...runtimeDevDependency, pathNot: `node_modules/${literal(exemption.to)}/` },
    })),
  ];
}

/** Code under `from` never imports code under `to` (both path patterns). */
const fence = (name, from, to, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ imports only domain/: no framework, no node: module, no npm package.',
      severity: 'error',
      from: { path: '^domain/' },
      to: { pathNot: '^domain/' },
    },
    {
      name: 'application-depends-on-domain-only',
      comment: 'application/ imports only domain/ and itself.',
      severity: 'error',
      from: { path: '^application/' },
      to: { pathNot: '^(application|domain)/' },
    },
    fence(
      'infrastructure-not-on-interfaces',
      '^infrastructure/',
      '^interfaces/',
      'adapters never reach into the HTTP layer.',
    ),
    fence(
      'http-not-on-infrastructure',
      '^interfaces/http/',
      '^infrastructure/',
      'the HTTP layer talks to use cases; only start-up code (interfaces/startup/) composes adapters.',
    ),
    fence(
      'http-not-on-startup',
      '^interfaces/http/',
      '^interfaces/startup/',
      'start-up code assembles the HTTP adapter, never the other way round.',
    ),
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    fence(
      'no-tests-in-production-code',
      PRODUCTION,
      '^(tests|bench|harness)/',
      'production code never imports tests/, bench/ or the harness/ they share.',
    ),
    fence(
      'bench-not-on-tests',
      '^bench/',
      '^tests/',
      'bench/ takes what it shares with tests from harness/, never from tests/.',
    ),
    fence(
      'tests-not-on-bench',
      '^tests/',
      '^bench/',
      'tests/ take what they share with bench/ from harness/, never from bench/.',
    ),
    fence(
      'harness-stands-alone',
      '^harness/',
      '^(tests|bench)/',
      'harness/ is shared by tests/ and bench/, so it imports neither.',
    ),
    {
      name: 'no-orphans',
      comment:
        'A module nothing imports and that imports nothing is dead: use it or remove it. Entry points ' +
        'are not orphans (they import); TypeScript declaration files are exempt.',
      severity: 'error',
      from: {
        orphan: true,
        path: '^(domain|application|infrastructure|interfaces|harness|bench|scripts)/',
        pathNot: '\\.d\\.ts$',
      },
      to: {},
    },
    ...notToDevDep(),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
