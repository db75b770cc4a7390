import { monotonicFactory } from 'ulid';

/** Crockford base32 ULID: 26 characters, no I, L, O or U. */
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const nextUlid = monotonicFactory();

/**
 * A new ULID. Monotonic within a process, so ids made in the same millisecond
 * still sort in creation order (store keys rely on it).
 *
 * @example
 * const id = newId(); // '01JD4Y3V8Q6ZK4M1T9E2XW0R5N'
 */
export function newId(now: number = Date.now()): string {
  return nextUlid(now);
}

/** Whether `value` is a well-formed ULID. */
export function isUlid(value: unknown): value is string {
  return typeof value === 'string' && ULID_PATTERN.test(value);
}
