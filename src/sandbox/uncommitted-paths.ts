import { gitCommand } from './git-command.js';
import { parseStatusPaths } from './file-changes.js';

/**
 * What the checkout at `root` holds that its last commit does not: tracked
 * files changed in the index or the working tree, and untracked files git
 * does not ignore — none of which a plan's worktree, made from a commit,
 * will see. `.troupe/` never counts. Sorted; empty where `root` is not a
 * repository git can read. Reads only.
 *
 * @example
 * await uncommittedPaths('/path/to/repo'); // ['notes.md', 'src/a.ts']
 */
export async function uncommittedPaths(root: string): Promise<string[]> {
  const output = await gitCommand(root).tryRun([
    'status',
    '--porcelain',
    '-z',
    '--untracked-files=all',
    '--no-renames',
    '--ignore-submodules=all',
  ]);
  if (output === null) return [];
  return parseStatusPaths(output).filter((path) => path !== '.troupe' && !path.startsWith('.troupe/'));
}
