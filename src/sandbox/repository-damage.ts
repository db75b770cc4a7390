import { TroupeError } from '../domain/index.js';

/** What to do about a repository a crash left without something troupe's records name. */
export const DAMAGE_HINT =
  'troupe doctor names what is missing; troupe doctor --repair rolls the plan back to its newest checkpoint git can read (asking first), and the steps after it run again — see docs/reference/errors.md#REPOSITORY_DAMAGED';

/**
 * `REPOSITORY_DAMAGED`: a git object, ref or worktree file a record of
 * troupe's names cannot be read — a crash or power cut took it before it
 * reached the disk (troupe's own git now syncs what it writes, `core.fsync`;
 * what another program or an older troupe wrote may still be lost). The
 * message names what is missing; the hint says what troupe can do.
 *
 * @example
 * throw repositoryDamaged(`the step commit ${head} of plan demo/x cannot be read`);
 */
export function repositoryDamaged(why: string, hint: string = DAMAGE_HINT): TroupeError {
  return new TroupeError('REPOSITORY_DAMAGED', why, { hint, details: { reason: why } });
}

/**
 * Whether what git said means an object it needed is missing or corrupt
 * (rather than, say, a bad argument).
 *
 * @example
 * if (isMissingObject(error.stderr)) throw repositoryDamaged(…);
 */
export function isMissingObject(said: string): boolean {
  return /object file .* is empty|loose object .* is corrupt|unable to read|bad object|not a valid object name|invalid object|object .* is corrupt|missing (blob|tree|commit)|fatal: Could not parse object|your current branch appears to be broken|unable to mmap/i.test(
    said,
  );
}
