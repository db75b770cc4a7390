import type { z } from 'zod';
import { TroupeError } from '../domain/errors.js';
import { toFieldIssues } from '../domain/validation.js';

/** What a stored value is, for the message of a `STORE_CORRUPT` error: `plan 01J…`, `decision 01J… of plan 01J…`. */
export interface StoredValueSubject {
  /** Words naming the value in the message. */
  readonly what: string;
  /** The full key as stored, e.g. `!plans!01J…`. */
  readonly key: string;
  readonly planId?: string;
}

/**
 * Parse the JSON text of a stored value and check it against `schema`.
 * Anything else than a valid value is a `STORE_CORRUPT` error naming the
 * value, its key and the first field that is wrong.
 */
export function decodeStoredValue<S extends z.ZodType>(
  schema: S,
  text: string,
  subject: StoredValueSubject,
): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw storeCorruptError(subject, 'not JSON', error);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toFieldIssues(result.error.issues, value);
  const problems = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  throw storeCorruptError(subject, problems.join('; ') || 'does not match its schema');
}

/** A `STORE_CORRUPT` error for a value that cannot be read. */
export function storeCorruptError(subject: StoredValueSubject, problem: string, cause?: unknown): TroupeError {
  return new TroupeError('STORE_CORRUPT', `stored ${subject.what} is corrupt: ${problem}`, {
    hint: 'the entry was damaged outside troupe; other plans are unaffected. Restore .troupe/db from a backup, or report it if troupe wrote it',
    details: { key: subject.key, ...(subject.planId === undefined ? {} : { planId: subject.planId }) },
    ...(cause === undefined ? {} : { cause }),
  });
}
