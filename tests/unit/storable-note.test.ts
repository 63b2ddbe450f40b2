import { expect } from 'chai';
import { isStorableText } from '../../domain/ping.js';
import { makeHttpHarness } from '../support/http-harness.js';

const json = { 'content-type': 'application/json' };

describe('notes the durable store can keep exactly', () => {
  it('accepts any well-formed text, emoji and combining marks included', () => {
    for (const text of ['', 'plain', 'héllo 👋🏽 世界', 'e\u0301', '👨‍👩‍👧']) {
      expect(isStorableText(text), JSON.stringify(text)).to.equal(true);
    }
  });

  it('refuses NUL and unpaired surrogates', () => {
    for (const text of ['a\u0000b', 'x\ud800', '\udc00x', 'a\ud83d\ud83db']) {
      expect(isStorableText(text), JSON.stringify(text)).to.equal(false);
    }
  });

  for (const [what, payload] of [
    ['a NUL character', '{"note":"a\\u0000b"}'],
    ['an unpaired surrogate', '{"note":"x\\ud800y"}'],
  ]) {
    it(`POST /pings answers 400 invalid_input, not 503, for a note with ${what}`, async () => {
      const { request } = makeHttpHarness();
      const answer = await request({ method: 'POST', url: '/pings', headers: json, payload });
      expect(answer.status).to.equal(400);
      expect(answer.body.error).to.deep.equal({
        code: 'invalid_input',
        message: 'note must be valid Unicode text without NUL characters',
      });
      expect((await request({ method: 'GET', url: '/pings' })).body.items).to.deep.equal([]);
    });
  }
});
