import { expect } from 'chai';
import { EmbeddedStoreMissingError, loadPgliteModules } from '../../infrastructure/postgres/create-pglite-knex.js';

/** What Node's require throws for a package that is not installed. */
function notInstalled(specifier: string): Error {
  return Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' });
}

describe('loading the embedded store (PGlite, a development dependency)', () => {
  it('loads PGlite and its knex dialect when they are installed', () => {
    const { PGlite, ClientPgLite } = loadPgliteModules();
    expect(PGlite).to.be.a('function');
    expect(ClientPgLite).to.be.a('function');
  });

  for (const missing of ['@electric-sql/pglite', 'knex-pglite']) {
    it(`says in one line what is missing and what to do when ${missing} is not installed`, () => {
      const load = (specifier: string) => {
        if (specifier === missing) throw notInstalled(specifier);
        return {};
      };
      let error: unknown;
      try {
        loadPgliteModules(load);
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(EmbeddedStoreMissingError);
      const message = (error as Error).message;
      expect(message).to.not.include('\n');
      for (const part of ['POSTGRES_URI', '@electric-sql/pglite', 'knex-pglite', 'npm ci']) {
        expect(message).to.include(part);
      }
    });
  }

  it('passes on any other failure to load as it is', () => {
    const broken = new SyntaxError('Unexpected token');
    expect(() =>
      loadPgliteModules(() => {
        throw broken;
      }),
    ).to.throw(broken);
  });
});
