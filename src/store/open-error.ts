import { TroupeError } from '../domain/errors.js';

/**
 * The error to throw when the database at `location` fails to open.
 * abstract-level reports the reason as a `code` on the error or on one of
 * its causes (`LEVEL_DATABASE_NOT_OPEN` wrapping `LEVEL_LOCKED`), so the
 * chain is searched. A lock held elsewhere is `STORE_LOCKED`: the runtime
 * relies on that code to talk to the owning process instead (DESIGN §4).
 */
export function openError(error: unknown, location: string): unknown {
  const codes = causeCodes(error);
  if (codes.includes('LEVEL_LOCKED')) {
    return new TroupeError('STORE_LOCKED', `the store at ${location} is open in another process`, {
      hint: 'another troupe command owns it; wait for it to finish, or run your command again to go through it',
      details: { location },
      cause: error,
    });
  }
  if (codes.includes('LEVEL_CORRUPTION')) {
    return new TroupeError('STORE_CORRUPT', `the store at ${location} is damaged and cannot be opened`, {
      hint: 'restore .troupe/db from a backup, or move it away to start an empty store',
      details: { location },
      cause: error,
    });
  }
  return error;
}

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  // bounded: a cause chain is short, and a cyclic one must not hang open()
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 10; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}
