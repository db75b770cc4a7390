import { splitNul } from './git-command.js';

/** One entry of `git worktree list --porcelain -z`. */
export interface WorktreeEntry {
  /** Absolute path as git recorded it (real path when it was created). */
  path: string;
  head: string | null;
  /** Full ref (`refs/heads/…`), or null when detached or bare. */
  branch: string | null;
  /** Whether git marks it locked, e.g. by a `worktree add` that never finished. */
  locked: boolean;
  /** Whether git would prune it: its directory or `.git` file is gone. */
  prunable: boolean;
}

/**
 * The entries of `git worktree list --porcelain -z` output: attribute lines
 * end in NUL and an empty field ends an entry, so paths may hold newlines.
 *
 * @example
 * parseWorktreeList('worktree /repo\0HEAD abc\0branch refs/heads/main\0\0');
 * // [{ path: '/repo', head: 'abc', branch: 'refs/heads/main', locked: false, prunable: false }]
 */
export function parseWorktreeList(output: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | null = null;
  for (const field of splitNul(output)) {
    if (field === '') {
      current = null;
      continue;
    }
    const space = field.indexOf(' ');
    const key = space < 0 ? field : field.slice(0, space);
    const value = space < 0 ? '' : field.slice(space + 1);
    if (key === 'worktree') {
      current = { path: value, head: null, branch: null, locked: false, prunable: false };
      entries.push(current);
    } else if (current !== null) {
      if (key === 'HEAD') current.head = value;
      else if (key === 'branch') current.branch = value;
      else if (key === 'locked') current.locked = true;
      else if (key === 'prunable') current.prunable = true;
    }
  }
  return entries;
}
