/** A recorded ping: one row of the durable store. */
export interface Ping {
  readonly id: number;
  readonly createdAt: Date;
  readonly note: string | null;
}

/** Notes are short by design: they are echoed in every cached answer. */
export const NOTE_MAX_LENGTH = 280;

/** A UTF-16 surrogate without its pair: not a character, and not encodable as UTF-8. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text that PostgreSQL keeps exactly as given. It refuses NUL in text (an error that would
 * otherwise look like an outage) and would silently turn a lone surrogate into U+FFFD.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}
