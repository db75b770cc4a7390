// Where a plan's sandbox lives: `.troupe/worktrees/<plan-id>`, a directory
// named after the plan's id on a branch named after its name.
import { isUlid, planNameProblem, TroupeError, type SandboxInfo } from '../domain/index.js';

/** Where sandboxes live, relative to the project root (SPEC §3). */
export const WORKTREES_DIR = '.troupe/worktrees';

const WORKTREE_PATTERN = /^\.troupe\/worktrees\/([0-9A-HJKMNP-TV-Z]{26})$/;

/**
 * The plan id of a sandbox, from its worktree path (`.troupe/worktrees/<plan-id>`);
 * `VALIDATION_ERROR` for a path that is not one.
 *
 * @example
 * planIdOf({ worktree: '.troupe/worktrees/01J0000000000000000000000A', branch, baseCommit, headCommit }); // '01J0000000000000000000000A'
 */
export function planIdOf(sandbox: SandboxInfo): string {
  const match = WORKTREE_PATTERN.exec(sandbox.worktree);
  if (match === null) {
    throw new TroupeError(
      'VALIDATION_ERROR',
      `sandbox worktree "${sandbox.worktree}" is not under ${WORKTREES_DIR}/<plan-id>`,
    );
  }
  return match[1] as string;
}

/**
 * Refuses (`VALIDATION_ERROR`) a plan whose id is not a ULID or whose name
 * is not a plan name, before either names a directory or a branch.
 *
 * @example
 * checkPlan({ id: plan.id, name: 'demo/x' });
 */
export function checkPlan(plan: { id: string; name: string }): void {
  // the id becomes a directory name and the name a branch: check both first
  if (!isUlid(plan.id))
    throw new TroupeError('VALIDATION_ERROR', `plan id "${plan.id}" is not a ULID; a sandbox is named after it`);
  const problem = planNameProblem(plan.name);
  if (problem !== null) throw new TroupeError('VALIDATION_ERROR', `plan name "${plan.name}": ${problem}`);
}
