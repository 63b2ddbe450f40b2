import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { makeHttpHarness } from '../support/http-harness.js';

const json = { 'content-type': 'application/json' };
const utf16le = (text: string) => Buffer.from(text, 'utf16le');

/** What a body must be before its fields are looked at: UTF-8 JSON, an object, not encoded oddly. */
describe('POST /pings request bodies (in-process, app.callback())', () => {
  const post = async (headers: Record<string, string>, payload: string | Buffer) => {
    const { request } = makeHttpHarness();
    const answer = await request({ method: 'POST', url: '/pings', headers, payload });
    const stored = (await request({ method: 'GET', url: '/pings' })).body.items as Array<{ note: string }>;
    return { ...answer, stored };
  };

  it('answers 400 bad_request for invalid UTF-8, and stores nothing (it used to store U+FFFD)', async () => {
    const answer = await post(json, Buffer.from('{"note":"caf\xe9 \xff"}', 'latin1'));
    expect(answer.status).to.equal(400);
    expect(answer.body.error).to.deep.equal({ code: 'bad_request', message: 'the body is not valid UTF-8' });
    expect(answer.stored).to.deep.equal([]);
  });

  for (const charset of ['iso-8859-1', 'latin1', 'utf-16', 'windows-1252']) {
    it(`answers 415 for a declared charset=${charset}`, async () => {
      const answer = await post(
        { 'content-type': `application/json; charset=${charset}` },
        Buffer.from('{"note":"caf\xe9"}', 'latin1'),
      );
      expect(answer.status).to.equal(415);
      expect(answer.body.error.code).to.equal('unsupported_media_type');
      expect(answer.body.error.message).to.equal(`the body must be UTF-8 JSON, not ${charset}`);
      expect(answer.stored).to.deep.equal([]);
    });
  }

  for (const charset of ['utf-8', 'UTF-8', 'utf8']) {
    it(`accepts charset=${charset}`, async () => {
      const answer = await post({ 'content-type': `application/json; charset=${charset}` }, '{"note":"café"}');
      expect(answer.status).to.equal(201);
      expect(answer.body.ping.note).to.equal('café');
    });
  }

  for (const [what, body] of [
    ['UTF-16LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le('{"note":"hi"}')])],
    ['UTF-16BE with a BOM', Buffer.from(utf16le('\ufeff{"note":"hi"}').swap16())],
    ['UTF-16LE without a BOM', utf16le('{"note":"hi"}')],
  ] as const) {
    it(`answers 415 for a ${what} body, not "not valid JSON"`, async () => {
      const answer = await post(json, body);
      expect(answer.status).to.equal(415);
      expect(answer.body.error).to.deep.equal({
        code: 'unsupported_media_type',
        message: 'the body must be UTF-8 JSON (it looks like UTF-16)',
      });
    });
  }

  it('accepts a UTF-8 byte order mark (RFC 8259 lets a parser ignore it)', async () => {
    const answer = await post(json, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"note":"hi"}')]));
    expect(answer.status).to.equal(201);
    expect(answer.body.ping.note).to.equal('hi');
  });

  for (const coding of ['bogus', 'compress', 'gzip, bogus']) {
    it(`answers 415 naming the content coding for Content-Encoding: ${coding}`, async () => {
      const answer = await post({ ...json, 'content-encoding': coding }, '{"note":"hi"}');
      expect(answer.status).to.equal(415);
      expect(answer.body.error).to.deep.equal({
        code: 'unsupported_media_type',
        message: `Content-Encoding ${coding} is not supported (use identity, gzip, deflate or br)`,
      });
    });
  }

  it('accepts a gzip body, and answers 400 for one that is not gzip', async () => {
    const good = await post({ ...json, 'content-encoding': 'gzip' }, gzipSync('{"note":"zipped"}'));
    expect(good.status).to.equal(201);
    expect(good.body.ping.note).to.equal('zipped');
    const corrupt = await post({ ...json, 'content-encoding': 'gzip' }, '{"note":"plain"}');
    expect(corrupt.status).to.equal(400);
    expect(corrupt.body.error).to.deep.equal({ code: 'bad_request', message: 'the body is not valid gzip data' });
  });

  it('applies the size limit to the decoded body (a gzip bomb is a 413)', async () => {
    const bomb = gzipSync(JSON.stringify({ note: 'x'.repeat(1_000_000) }));
    expect(bomb.length).to.be.lessThan(16_000);
    const answer = await post({ ...json, 'content-encoding': 'gzip' }, bomb);
    expect(answer.status).to.equal(413);
    expect(answer.body.error.code).to.equal('payload_too_large');
  });

  for (const payload of ['null', '1', '"x"', 'true', '[1,2]']) {
    it(`answers 400 "the body must be a JSON object" for ${payload}`, async () => {
      const answer = await post(json, payload);
      expect(answer.status).to.equal(400);
      expect(answer.body.error.message).to.equal('the body must be a JSON object');
      expect(answer.body.error.code).to.be.oneOf(['bad_request', 'invalid_input']);
    });
  }

  it('still answers 400 "not valid JSON" for malformed JSON', async () => {
    const answer = await post(json, '{"note": ');
    expect(answer.body.error).to.deep.equal({ code: 'bad_request', message: 'the body is not valid JSON' });
  });

  describe('the 280 limit counts Unicode code points', () => {
    it('accepts 141 emoji (282 UTF-16 units), and 280 of them', async () => {
      for (const note of ['😀'.repeat(141), '😀'.repeat(280)]) {
        const answer = await post(json, JSON.stringify({ note }));
        expect(answer.status, `${[...note].length} emoji`).to.equal(201);
        expect(answer.body.ping.note).to.equal(note);
      }
    });

    it('refuses 281 code points, emoji or not', async () => {
      for (const note of ['😀'.repeat(281), 'x'.repeat(281), `${'x'.repeat(280)}😀`]) {
        const answer = await post(json, JSON.stringify({ note }));
        expect(answer.status).to.equal(400);
        expect(answer.body.error).to.deep.equal({
          code: 'invalid_input',
          message: 'note must be at most 280 characters (Unicode code points)',
        });
      }
    });
  });
});

describe('GET /pings query bounds', () => {
  for (const [query, message] of [
    ['limit=0', 'limit must be an integer from 1 to 100'],
    ['limit=101', 'limit must be an integer from 1 to 100'],
    ['limit=00000000000000001', 'limit must be an integer from 1 to 100'],
    ['limit=abc', 'limit must be a positive integer'],
    ['limit=1.5', 'limit must be a positive integer'],
    ['before=0', 'before must be an integer from 1 to 9007199254740991'],
    ['before=-1', 'before must be a positive integer'],
    ['limit=1&limit=2', 'limit must be given once, as a positive integer'],
  ]) {
    it(`answers 400 "${message}" for ${query}`, async () => {
      const { request } = makeHttpHarness();
      const answer = await request({ method: 'GET', url: `/pings?${query}` });
      expect(answer.status).to.equal(400);
      expect(answer.body.error).to.deep.equal({ code: 'invalid_input', message });
    });
  }

  for (const before of ['9007199254740992', '99999999999999999999']) {
    it(`answers 400 in our words for before=${before}`, async () => {
      const { request } = makeHttpHarness();
      const answer = await request({ method: 'GET', url: `/pings?before=${before}` });
      expect(answer.status).to.equal(400);
      expect(answer.body.error).to.deep.equal({
        code: 'invalid_input',
        message: 'before must be an integer from 1 to 9007199254740991',
      });
    });
  }
});
