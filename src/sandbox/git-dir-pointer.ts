import { resolve } from 'node:path';

/**
 * The git directory a worktree's `.git` file names, as git reads it: a
 * `gitdir: <path>` line, the path absolute or relative to the worktree.
 * Null when the text names none.
 *
 * @example
 * gitDirNamed('gitdir: /repo/.git/worktrees/p1\n', '/repo/.troupe/worktrees/p1'); // '/repo/.git/worktrees/p1'
 */
export function gitDirNamed(pointer: string, worktree: string): string | null {
  // with or without the space after the colon, and whatever ends the line: a pointer a user wrote by hand is followed too
  const named = /^gitdir:\s*(.+?)\s*$/m.exec(pointer)?.[1];
  return named ? resolve(worktree, named) : null;
}
