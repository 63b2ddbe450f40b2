import * as v from 'valibot';
import { InvalidInputError } from '../../domain/errors.js';
import {
  BEFORE_OUT_OF_RANGE,
  isNoteWithinLimit,
  isPageCursor,
  isPageLimit,
  NOTE_TOO_LONG,
  PAGE_LIMIT_OUT_OF_RANGE,
} from '../../domain/ping.js';

// The bounds and their messages are the domain's (ping.ts), so the schema and PingService cannot
// disagree. valibot rather than zod: it loads only the schema functions used, a fraction of
// zod's heap and start-up cost.

/** POST /pings: no body, or `{"note": string|null}` and nothing else (a typo in a key is an error, not silence). */
const recordPingBody = v.optional(
  v.strictObject({
    note: v.optional(
      v.nullable(v.pipe(v.string('note must be a string or null'), v.check(isNoteWithinLimit, NOTE_TOO_LONG))),
    ),
  }),
);

/** A query parameter of decimal digits, checked by the domain's `isValid` once it is a number. */
const digitsParameter = (name: string, isValid: (value: number) => boolean, outOfRange: string) =>
  v.pipe(
    // A repeated parameter (`?limit=1&limit=2`) arrives as an array.
    v.string(`${name} must be given once, as a positive integer`),
    v.regex(/^\d+$/, `${name} must be a positive integer`),
    // Past 16 digits Number() rounds: the range message is the honest answer.
    v.check((digits) => digits.length <= 16 && Number.isSafeInteger(Number(digits)), outOfRange),
    v.transform(Number),
    v.check(isValid, outOfRange),
  );

/** GET /pings query string. */
const listPingsQuery = v.object({
  limit: v.optional(digitsParameter('limit', isPageLimit, PAGE_LIMIT_OUT_OF_RANGE), '20'),
  before: v.optional(digitsParameter('before', isPageCursor, BEFORE_OUT_OF_RANGE)),
});

/** The note of a POST /pings body (null when absent); InvalidInputError says what is wrong. */
export function parseRecordPingBody(body: unknown): string | null {
  const parsed = v.safeParse(recordPingBody, body);
  if (!parsed.success) throw new InvalidInputError(describeIssues(parsed.issues));
  return parsed.output?.note ?? null;
}

/** The page a GET /pings query asks for; InvalidInputError says what is wrong. */
export function parseListPingsQuery(query: unknown): { limit: number; before?: number } {
  const parsed = v.safeParse(listPingsQuery, query);
  if (!parsed.success) throw new InvalidInputError(describeIssues(parsed.issues));
  const { limit, before } = parsed.output;
  return before === undefined ? { limit } : { limit, before };
}

/** The first problem, phrased for a person: "note must be at most … characters (Unicode code points)". */
function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const unknownKeys = issues.filter((issue) => issue.type === 'strict_object' && issue.path);
  if (unknownKeys.length > 0) {
    return `unknown field(s): ${unknownKeys.map((issue) => String(issue.path!.at(-1)!.key)).join(', ')}`;
  }
  const issue = issues[0]!;
  // Every field's schema carries its own message; only the body itself can be of the wrong type.
  return issue.path ? issue.message : 'the body must be a JSON object';
}
