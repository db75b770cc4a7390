import { compileGlobs } from '../../domain/index.js';
import { uncommittedPaths } from '../../sandbox/index.js';

/**
 * The user's uncommitted changes (edited, staged, deleted or untracked
 * files) in the checkout at `root` that `resourceScopes` lets a plan write
 * (none given: a plan may write anywhere).
 * A plan's worktree starts from a commit, so it does not see them: `plan
 * run` says so before the plan takes its base (docs/reference/plan-file.md#resource-scopes).
 *
 * @example
 * await uncommittedInScope('/path/to/repo', ['src/**']); // ['src/a.ts']
 */
export async function uncommittedInScope(
  root: string,
  resourceScopes: readonly string[] | undefined,
): Promise<string[]> {
  if (resourceScopes?.length === 0) return [];
  const inScope =
    resourceScopes === undefined ? () => true : compileGlobs(resourceScopes, { refused: 'match-nothing' });
  return (await uncommittedPaths(root)).filter((path) => inScope(path));
}
