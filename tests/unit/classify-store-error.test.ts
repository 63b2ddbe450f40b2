import { expect } from 'chai';
import knex from 'knex';
import { StoreUnavailableError } from '../../domain/errors.js';
import { classifyStoreError } from '../../infrastructure/postgres/classify-store-error.js';

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('classifyStoreError: the one place that tells an outage from a defect', () => {
  const unavailable: Array<[string, unknown]> = [
    ['connection refused', withCode('ECONNREFUSED')],
    ['pool exhausted', new knex.KnexTimeoutError('Knex: Timeout acquiring a connection')],
    ['read-only node (a standby, or a primary being demoted)', withCode('25006')],
    ['too many connections', withCode('53300')],
    ['admin shutdown', withCode('57P01')],
    ['cannot connect now', withCode('57P03')],
    ['connection exception class', withCode('08006')],
    ['statement timeout', withCode('57014')],
    ['lost connection', new Error('Connection terminated unexpectedly')],
  ];
  for (const [what, error] of unavailable) {
    it(`${what} -> StoreUnavailableError with the cause kept`, () => {
      const classified = classifyStoreError(error);
      expect(classified).to.be.instanceOf(StoreUnavailableError);
      expect((classified as Error).cause).to.equal(error);
    });
  }

  const defects: Array<[string, unknown]> = [
    ['missing table', withCode('42P01', 'relation "pings" does not exist')],
    ['syntax error', withCode('42601')],
    ['constraint bug', withCode('23502')],
    ['anything unknown', new TypeError('cannot read properties of undefined')],
  ];
  for (const [what, error] of defects) {
    it(`${what} -> the error itself (a defect: 500, reported)`, () => {
      expect(classifyStoreError(error)).to.equal(error);
    });
  }
});
