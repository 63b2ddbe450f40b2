/**
 * The layer rule of the hexagon, as a failing check in `npm test`:
 * domain <- application <- interfaces; infrastructure -> application, domain.
 */
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
    {
      name: 'infrastructure-not-on-interfaces',
      comment: 'adapters never reach into the HTTP layer.',
      severity: 'error',
      from: { path: '^infrastructure/' },
      to: { path: '^interfaces/' },
    },
    {
      name: 'http-not-on-infrastructure',
      comment: 'the HTTP layer talks to use cases; only start-up code (interfaces/startup/) composes adapters.',
      severity: 'error',
      from: { path: '^interfaces/http/' },
      to: { path: '^infrastructure/' },
    },
    {
      name: 'http-not-on-startup',
      comment: 'start-up code assembles the HTTP adapter, never the other way round.',
      severity: 'error',
      from: { path: '^interfaces/http/' },
      to: { path: '^interfaces/startup/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-tests-in-production-code',
      severity: 'error',
      from: { path: '^(domain|application|infrastructure|interfaces)/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
