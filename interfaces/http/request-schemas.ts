import { z } from 'zod';
import { NOTE_MAX_LENGTH } from '../../domain/ping.js';

/** POST /pings: no body, or `{"note": string|null}` and nothing else (a typo in a key is an error, not silence). */
export const recordPingBody = z
  .object({
    note: z.string().max(NOTE_MAX_LENGTH, `note must be at most ${NOTE_MAX_LENGTH} characters`).nullable().optional(),
  })
  .strict()
  .optional();

const positiveInt = (name: string, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, `${name} must be a positive integer`)
    .transform(Number)
    .pipe(z.number().int().min(1, `${name} must be at least 1`).max(max, `${name} must be at most ${max}`));

/** GET /pings query string. */
export const listPingsQuery = z.object({
  limit: positiveInt('limit', 100).optional().default(20),
  before: positiveInt('before', Number.MAX_SAFE_INTEGER).optional(),
});

/** The first problem, phrased for a person: "note: note must be at most 280 characters". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type') {
    return where ? `${where} has the wrong type (${issue.message})` : 'the body must be a JSON object';
  }
  return issue.message;
}
