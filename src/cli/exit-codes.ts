import type { ErrorCode, PlanRecord } from '../domain/index.js';

/** Exit codes (SPEC §11). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  waiting: 3,
  notFound: 4,
} as const;

/** The exit code for an error code: usage and validation 2, waiting for the user (confirmation, conflicts) 3, not found 4, the rest 1. */
export function exitCodeForError(code: ErrorCode): number {
  switch (code) {
    case 'VALIDATION_ERROR':
    case 'PHASE_GUARD':
    case 'NOT_A_GIT_REPO':
    case 'SANDBOX_ESCAPE':
    case 'SCOPE_VIOLATION':
      return EXIT.usage;
    case 'NOT_FOUND':
      return EXIT.notFound;
    // a question for the user, like a command that needs the plan to move on while conflicts wait for the user
    case 'CONFIRMATION_REQUIRED':
    case 'MERGE_CONFLICT':
      return EXIT.waiting;
    default:
      return EXIT.failed;
  }
}

/** The exit code for where a driven plan stopped: failed (or ended without done) 1, waiting 3, anything else 0. */
export function exitCodeForPlan(record: Pick<PlanRecord, 'status'>): number {
  if (record.status === 'failed' || record.status === 'cancelled' || record.status === 'invalidated')
    return EXIT.failed;
  if (record.status === 'waiting') return EXIT.waiting;
  return EXIT.ok;
}
