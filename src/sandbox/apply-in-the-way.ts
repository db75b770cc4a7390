// What of the user's uncommitted work stands in an apply's way. Apply works
// like `git merge`: changes in files the plan leaves alone stay as they are
// (staged or not), and only changes in files the apply would write refuse it.
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { TroupeError } from '../domain/index.js';
import { splitNul, type GitCommand } from './git-command.js';

const FILES_SHOWN = 10;

/**
 * Every path that differs between two commits, added, deleted or modified.
 * Without rename detection, so a rename counts for both its old and its new
 * path: a plan that renames `a` to `b` touches both.
 *
 * @example
 * await changedPaths(gitCommand(root), base, head); // ['old.txt', 'src/a.txt']
 */
export async function changedPaths(git: GitCommand, from: string, to: string): Promise<string[]> {
  return splitNul(
    await git.run(['diff', '--no-ext-diff', '--no-textconv', '-z', '--name-only', '--no-renames', from, to, '--']),
  ).sort();
}

/**
 * Refuse with `DIRTY_WORKTREE` when any of `touched` has uncommitted changes
 * (modified, staged or deleted). `dirty` is the project's list, read once.
 *
 * @example
 * refuseDirtyTouched(planId, await project.dirtyPaths(), await changedPaths(git, base, head));
 */
export function refuseDirtyTouched(planId: string, dirty: readonly string[], touched: readonly string[]): void {
  const wanted = new Set(touched);
  const inTheWay = dirty.filter((path) => wanted.has(path)).sort();
  if (inTheWay.length === 0) return;
  const count = inTheWay.length === 1 ? '1 file' : `${inTheWay.length} files`;
  throw dirtyWorktree(planId, `the project has uncommitted changes in ${count} the plan changes:`, inTheWay);
}

/**
 * Files the apply commit adds (`current..commit`) that are already on disk
 * — untracked or ignored (an `.env`): `git merge --ff-only` overwrites an
 * ignored file without a word, so apply refuses before it.
 *
 * @example
 * const found = await addedPathsOnDisk(project, git, current, tree);
 */
export async function addedPathsOnDisk(
  project: { readonly root: string },
  git: GitCommand,
  current: string,
  commit: string,
): Promise<string[]> {
  const fields = splitNul(
    await git.run([
      'diff',
      '--no-ext-diff',
      '--no-textconv',
      '-z',
      '--name-status',
      '--no-renames',
      current,
      commit,
      '--',
    ]),
  );
  const found: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const path = fields[i + 1] as string;
    if (fields[i] === 'A' && (await lstat(join(project.root, path)).catch(() => null)) !== null) found.push(path);
  }
  return found.sort();
}

/** Refuse with `DIRTY_WORKTREE` when a file the apply adds is on disk already. */
export async function refuseFilesInTheWay(
  planId: string,
  project: { readonly root: string },
  git: GitCommand,
  current: string,
  commit: string,
): Promise<void> {
  const inTheWay = await addedPathsOnDisk(project, git, current, commit);
  if (inTheWay.length > 0)
    throw dirtyWorktree(planId, 'untracked files in the project would be overwritten:', inTheWay);
}

/**
 * The `DIRTY_WORKTREE` error of an apply: the files in `details.files`, the
 * first ten in the message.
 */
export function dirtyWorktree(planId: string, what: string, files: string[]): TroupeError {
  return new TroupeError('DIRTY_WORKTREE', `cannot apply plan ${planId}: ${what} ${listed(files)}`, {
    details: { files },
    hint: 'commit, stash (git stash -u) or remove the changes in those files, then run troupe plan apply again; changes in other files may stay',
  });
}

/** The list of files a message shows: the first ten, then how many more. */
export function listed(files: readonly string[]): string {
  const shown = files.slice(0, FILES_SHOWN).join(', ');
  return files.length > FILES_SHOWN ? `${shown} and ${files.length - FILES_SHOWN} more` : shown;
}
