import { expect } from 'chai';
import { noteProblem, PAGE_LIMIT_MAX, pageQueryProblem } from '../../domain/ping.js';

describe('the bounds of a ping and of a page (domain/ping.ts)', () => {
  it('takes a page limit from 1 to 100', () => {
    expect(PAGE_LIMIT_MAX).to.equal(100);
    for (const limit of [1, 20, 100]) expect(pageQueryProblem({ limit }), String(limit)).to.equal(null);
    for (const limit of [0, 101, 1.5, -1, Number.NaN]) {
      expect(pageQueryProblem({ limit }), String(limit)).to.equal('limit must be an integer from 1 to 100');
    }
  });

  it('takes a cursor that is a positive safe integer', () => {
    for (const before of [1, Number.MAX_SAFE_INTEGER]) {
      expect(pageQueryProblem({ limit: 1, before }), String(before)).to.equal(null);
    }
    for (const before of [0, -1, 2.5, Number.MAX_SAFE_INTEGER + 1]) {
      expect(pageQueryProblem({ limit: 1, before }), String(before)).to.equal(
        'before must be an integer from 1 to 9007199254740991',
      );
    }
  });

  it('names what is wrong with a note, or nothing', () => {
    expect(noteProblem('hello 👋')).to.equal(null);
    expect(noteProblem('x'.repeat(281))).to.equal('note must be at most 280 characters (Unicode code points)');
    expect(noteProblem('a\u0000b')).to.equal('note must be valid Unicode text without NUL characters');
  });
});
