import type { Readable } from 'node:stream';
import { createBrotliDecompress, createUnzip } from 'node:zlib';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { exposedHttpError } from './http-errors.js';

/** Pings carry one short note (NOTE_MAX_LENGTH, domain/ping.ts); anything much larger is a mistake or an attack. */
const BODY_LIMIT = '16kb';

/**
 * The content codings Node's zlib undoes (`createUnzip` reads gzip and zlib-wrapped deflate);
 * the size limit applies to the decoded bytes, so a small compressed bomb is still a 413.
 */
const DECODERS: Readonly<Record<string, ((body: Readable) => Readable) | undefined>> = {
  identity: (body) => body,
  gzip: (body) => body.pipe(createUnzip()),
  deflate: (body) => body.pipe(createUnzip()),
  br: (body) => body.pipe(createBrotliDecompress()),
};
const UTF8_CHARSETS = new Set(['utf-8', 'utf8']);
/** Strict: bytes that are not UTF-8 throw instead of becoming U+FFFD. Stateless, so shared. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Header values are echoed in messages: bounded. */
const MAX_ECHOED = 64;

/**
 * The request body: nothing, or a UTF-8 JSON object. Anything else is refused rather than guessed
 * at: another media type, charset or content coding is a 415, bytes that are not UTF-8 are a 400
 * (decoding them with replacement characters would store text the client never sent).
 */
export async function readJsonBody(ctx: Context): Promise<Record<string, unknown> | undefined> {
  if (ctx.request.length === 0 || (!ctx.request.length && !ctx.get('transfer-encoding'))) return undefined;
  if (!ctx.is('application/json', '+json')) {
    throw exposedHttpError(415, 'the body must be application/json');
  }
  const charset = ctx.request.charset;
  if (charset && !UTF8_CHARSETS.has(charset.toLowerCase())) {
    throw exposedHttpError(415, `the body must be UTF-8 JSON, not ${charset.slice(0, MAX_ECHOED)}`);
  }
  const coding = (ctx.get('content-encoding') || 'identity').trim().toLowerCase();
  const decode = Object.hasOwn(DECODERS, coding) ? DECODERS[coding] : undefined;
  if (!decode) {
    const named = ctx.get('content-encoding').slice(0, MAX_ECHOED);
    throw exposedHttpError(415, `Content-Encoding ${named} is not supported (use identity, gzip, deflate or br)`);
  }
  return parseJsonObject(await readBody(ctx, coding, decode));
}

async function readBody(ctx: Context, coding: string, decode: (body: Readable) => Readable): Promise<Buffer> {
  try {
    return await getRawBody(decode(ctx.req), {
      limit: BODY_LIMIT,
      // Content-Length counts the encoded bytes: it bounds the decoded ones only without a coding.
      length: coding === 'identity' ? ctx.request.length : undefined,
    });
  } catch (error) {
    const failure = error as { type?: string };
    if (failure.type === 'entity.too.large') throw exposedHttpError(413, `the body must be at most ${BODY_LIMIT}`);
    // The client went away before its body was read (an aborted request, a closed connection):
    // its mistake or its choice, answered like one, never reported as a defect of ours.
    if (failure.type === 'request.aborted' || failure.type === 'stream.not.readable') {
      throw exposedHttpError(400, 'the request ended before its body was read');
    }
    if (failure.type === 'request.size.invalid') {
      throw exposedHttpError(400, 'the body does not match its Content-Length');
    }
    // raw-body types its own errors; an untyped one comes from the decompression stream.
    if (failure.type === undefined && coding !== 'identity') {
      throw exposedHttpError(400, `the body is not valid ${coding} data`);
    }
    throw error;
  }
}

/** The bytes of a JSON object, strictly UTF-8 (a UTF-8 byte order mark is ignored, as RFC 8259 allows). */
function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  if (looksLikeUtf16(bytes)) throw exposedHttpError(415, 'the body must be UTF-8 JSON (it looks like UTF-16)');
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    throw exposedHttpError(400, 'the body is not valid UTF-8');
  }
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw exposedHttpError(400, 'the body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw exposedHttpError(400, 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * A UTF-16 (or UTF-32) byte order mark, or a NUL among the first two bytes: JSON text starts with
 * two ASCII characters, and UTF-8 JSON never holds a NUL byte (RFC 4627's encoding detection).
 */
function looksLikeUtf16(bytes: Buffer): boolean {
  const [first, second] = bytes;
  if ((first === 0xff && second === 0xfe) || (first === 0xfe && second === 0xff)) return true;
  return first === 0 || (bytes.length > 1 && second === 0);
}
