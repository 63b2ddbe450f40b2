import { z } from 'zod';
import { isNoteWithinLimit, NOTE_TOO_LONG } from '../../domain/ping.js';

/** POST /pings: no body, or `{"note": string|null}` and nothing else (a typo in a key is an error, not silence). */
export const recordPingBody = z
  .object({
    // The domain's bound (code points), so the schema and PingService cannot disagree.
    note: z.string().refine(isNoteWithinLimit, NOTE_TOO_LONG).nullable().optional(),
  })
  .strict()
  .optional();

const positiveInt = (name: string, max: number) => {
  const range = `${name} must be an integer from 1 to ${max}`;
  return (
    z
      .string()
      .regex(/^\d+$/, `${name} must be a positive integer`)
      // Past 16 digits Number() rounds: the range message is the honest answer, not zod's "Too big".
      .refine((digits) => digits.length <= 16 && Number.isSafeInteger(Number(digits)), range)
      .transform(Number)
      .pipe(z.number().min(1, range).max(max, range))
  );
};

/** GET /pings query string. */
export const listPingsQuery = z.object({
  limit: positiveInt('limit', 100).optional().default(20),
  before: positiveInt('before', Number.MAX_SAFE_INTEGER).optional(),
});

/** The first problem, phrased for a person: "note: note must be at most 280 characters (Unicode code points)". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type') {
    return where ? `${where} has the wrong type (${issue.message})` : 'the body must be a JSON object';
  }
  return issue.message;
}
