/** A recorded ping: one row of the durable store. */
export interface Ping {
  readonly id: number;
  readonly createdAt: Date;
  readonly note: string | null;
}

/**
 * Notes are short by design: they are echoed in every cached answer. The bound counts Unicode
 * code points, as a person counts characters: an emoji is one, not the two UTF-16 units that
 * JavaScript's `length` sees.
 */
export const NOTE_MAX_LENGTH = 280;
export const NOTE_TOO_LONG = `note must be at most ${NOTE_MAX_LENGTH} characters (Unicode code points)`;

export function isNoteWithinLimit(note: string): boolean {
  // A code point is one or two UTF-16 units: most notes are decided without counting.
  if (note.length <= NOTE_MAX_LENGTH) return true;
  if (note.length > 2 * NOTE_MAX_LENGTH) return false;
  let codePoints = 0;
  for (const _ of note) codePoints++;
  return codePoints <= NOTE_MAX_LENGTH;
}

/** A UTF-16 surrogate without its pair: not a character, and not encodable as UTF-8. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text that PostgreSQL keeps exactly as given. It refuses NUL in text (an error that would
 * otherwise look like an outage) and would silently turn a lone surrogate into U+FFFD.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

const NOTE_NOT_STORABLE = 'note must be valid Unicode text without NUL characters';

/** Why a note cannot be recorded, or null when it can. */
export function noteProblem(note: string): string | null {
  if (!isNoteWithinLimit(note)) return NOTE_TOO_LONG;
  if (!isStorableText(note)) return NOTE_NOT_STORABLE;
  return null;
}

/** A page of pings is bounded: one request must not read the whole table. */
export const PAGE_LIMIT_MAX = 100;
export const PAGE_LIMIT_OUT_OF_RANGE = `limit must be an integer from 1 to ${PAGE_LIMIT_MAX}`;

export function isPageLimit(limit: number): boolean {
  return Number.isInteger(limit) && limit >= 1 && limit <= PAGE_LIMIT_MAX;
}

/** The keyset cursor `before` is a ping id: ids start at 1 and stay exact (safe integers). */
export const BEFORE_OUT_OF_RANGE = `before must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}`;

export function isPageCursor(before: number): boolean {
  return Number.isSafeInteger(before) && before >= 1;
}

/** Why a page query cannot be answered, or null when it can. */
export function pageQueryProblem(query: { readonly limit: number; readonly before?: number }): string | null {
  if (!isPageLimit(query.limit)) return PAGE_LIMIT_OUT_OF_RANGE;
  if (query.before !== undefined && !isPageCursor(query.before)) return BEFORE_OUT_OF_RANGE;
  return null;
}
