import { expect } from 'chai';
import { isNoteWithinLimit, isStorableText, NOTE_MAX_LENGTH } from '../../domain/ping.js';
import { InvalidInputError } from '../../domain/errors.js';
import { makePingService } from '../support/make-ping-service.js';
import { makeHttpHarness } from '../support/http-harness.js';

const json = { 'content-type': 'application/json' };

describe('notes the durable store can keep exactly', () => {
  it('accepts any well-formed text, emoji and combining marks included', () => {
    for (const text of ['', 'plain', 'héllo 👋🏽 世界', 'e\u0301', '👨‍👩‍👧']) {
      expect(isStorableText(text), JSON.stringify(text)).to.equal(true);
    }
  });

  it('counts the note limit in Unicode code points, not UTF-16 units', () => {
    expect(NOTE_MAX_LENGTH).to.equal(280);
    for (const ok of ['x'.repeat(280), '😀'.repeat(141), '😀'.repeat(280), `${'😀'.repeat(279)}x`]) {
      expect(isNoteWithinLimit(ok), `${[...ok].length} code points`).to.equal(true);
    }
    for (const tooLong of ['x'.repeat(281), '😀'.repeat(281), `${'x'.repeat(280)}😀`, 'x'.repeat(10_000)]) {
      expect(isNoteWithinLimit(tooLong), `${[...tooLong].length} code points`).to.equal(false);
    }
  });

  it('PingService applies the same bound: 280 emoji are recorded, 281 are refused', async () => {
    const { sut, store } = makePingService();
    expect((await sut.recordPing('😀'.repeat(280))).note).to.equal('😀'.repeat(280));
    const refused = await sut.recordPing('😀'.repeat(281)).catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(InvalidInputError);
    expect(store.records).to.equal(1);
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
