import type { ActorFailure } from '../machines/index.js';

/** The step whose changes are looked at, as its refusals name it. */
export interface ChangedStep {
  index: number;
  title: string;
}

/**
 * Why a step's changes may not be committed, or null when they may: what
 * it wrote into `.troupe/`, a git repository it made inside the worktree
 * (`dir/`, as {@link Sandboxes.pendingPaths} names one), or files outside
 * the plan's resource scopes. Nothing of a refused step is committed.
 *
 * @example
 * const refusal = changeRefusal(['vendor/lib/'], { index: 1, title: 'Vendor' }, () => true, []);
 * refusal?.code; // 'SANDBOX_ESCAPE'
 */
export function changeRefusal(
  changed: readonly string[],
  step: ChangedStep,
  inScope: (path: string) => boolean,
  scopes: readonly string[],
): ActorFailure | null {
  const name = `step ${step.index + 1} "${step.title}"`;
  // troupe's own folder (ignored through .git/info/exclude, which a command's .gitignore can undo):
  // committed, apply would write it into the project's store, config and other plans' worktrees
  const own = changed.filter((path) => path === '.troupe' || path.startsWith('.troupe/'));
  if (own.length > 0) {
    return {
      code: 'SANDBOX_ESCAPE',
      message: `${name} wrote into .troupe/, troupe's own folder: ${own.slice(0, 5).join(', ')}`,
      details: { files: own },
      hint: "nothing of the step was committed: a plan may not change troupe's store, config or sandboxes; write elsewhere",
    };
  }
  // a repository made inside the worktree: committing it would record a submodule, and from then
  // on troupe's own git would go into it — and run what the config the command wrote there names
  const repositories = changed.filter((path) => path.endsWith('/'));
  if (repositories.length > 0) {
    return {
      code: 'SANDBOX_ESCAPE',
      message: `${name} made a git repository inside the sandbox: ${repositories.slice(0, 5).join(', ')} (a .git folder or file below the worktree's root)`,
      details: { repositories },
      hint: 'nothing of the step was committed: troupe will not run git in a repository a plan made (its config could run programs on your machine); remove its .git in the same command (e.g. git clone … && rm -rf <dir>/.git), or keep it in an ignored folder',
    };
  }
  const outside = changed.filter((path) => !inScope(path));
  if (outside.length > 0) {
    return {
      code: 'SCOPE_VIOLATION',
      message: `${name} changed files outside the plan's resourceScopes: ${outside.slice(0, 5).join(', ')}`,
      details: { files: outside, resourceScopes: [...scopes] },
      hint: "nothing of the step was committed: what a step writes must stay inside the plan's resourceScopes",
    };
  }
  return null;
}
