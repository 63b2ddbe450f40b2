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
