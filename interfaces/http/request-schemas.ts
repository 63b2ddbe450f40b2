import { z } from 'zod';
import {
  BEFORE_OUT_OF_RANGE,
  isNoteWithinLimit,
  isPageCursor,
  isPageLimit,
  NOTE_TOO_LONG,
  PAGE_LIMIT_OUT_OF_RANGE,
} from '../../domain/ping.js';

// The bounds and their messages are the domain's (ping.ts), so the schema and PingService cannot disagree.

/** POST /pings: no body, or `{"note": string|null}` and nothing else (a typo in a key is an error, not silence). */
export const recordPingBody = z
  .object({
    note: z.string().refine(isNoteWithinLimit, NOTE_TOO_LONG).nullable().optional(),
  })
  .strict()
  .optional();

/** A query parameter of decimal digits, checked by the domain's `isValid` once it is a number. */
const digitsParameter = (name: string, isValid: (value: number) => boolean, outOfRange: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a positive integer`)
    // Past 16 digits Number() rounds: the range message is the honest answer, not zod's "Too big".
    .refine((digits) => digits.length <= 16 && Number.isSafeInteger(Number(digits)), outOfRange)
    .transform(Number)
    .refine(isValid, outOfRange);

/** GET /pings query string. */
export const listPingsQuery = z.object({
  limit: digitsParameter('limit', isPageLimit, PAGE_LIMIT_OUT_OF_RANGE).optional().default(20),
  before: digitsParameter('before', isPageCursor, BEFORE_OUT_OF_RANGE).optional(),
});

/** The first problem, phrased for a person: "note: note must be at most … characters (Unicode code points)". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type') {
    return where ? `${where} has the wrong type (${issue.message})` : 'the body must be a JSON object';
  }
  return issue.message;
}
