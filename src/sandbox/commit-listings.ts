// What commits hold and how two of them differ, asked of the repository
// (not of a worktree: a sandbox let go — a merged child — has commits but
// no folder). Renames are listed as a deletion and an addition; no external
// diff or text conversion ever runs.
import type { FileChange } from '../domain/index.js';
import { revision } from './commit-lookup.js';
import { parseRawNumstat } from './file-changes.js';
import { isObjectId, splitNul, type GitCommand } from './git-command.js';

// commits whose file lists are kept: the children of one group share their spawn point
const LISTED_COMMITS = 8;

/**
 * The files of commits, each commit's list kept once read (a commit never
 * changes; a name like HEAD, which moves, is asked each time).
 *
 * @example
 * const listings = new CommitListings();
 * const files = await listings.files(project, 'repo\0' + commit, commit);
 */
export class CommitListings {
  // most recent last
  readonly #listed = new Map<string, Promise<string[]>>();

  /** The paths of `commit`'s tree, sorted; `key` tells apart the same id in two repositories. */
  async files(git: GitCommand, key: string, commit: string): Promise<string[]> {
    let listing = this.#listed.get(key);
    if (listing === undefined) {
      listing = git
        .run(['ls-tree', '-r', '-z', '--name-only', '--full-tree', revision(commit)])
        .then((output) => splitNul(output).sort());
      if (isObjectId(commit)) {
        this.#listed.set(key, listing);
        listing.catch(() => this.#listed.delete(key));
        if (this.#listed.size > LISTED_COMMITS) this.#listed.delete(this.#listed.keys().next().value as string);
      }
    }
    return [...(await listing)];
  }
}

/**
 * The files changed from `base` to `head`, with their lines added and
 * removed: one process for both listings, spawned directly (an empty diff
 * prints nothing).
 *
 * @example
 * const files = await diffFiles(project, sandbox.baseCommit, sandbox.headCommit);
 */
export async function diffFiles(git: GitCommand, base: string, head: string): Promise<FileChange[]> {
  return parseRawNumstat(
    await git.plumb([
      'diff',
      '-z',
      '--no-renames',
      '--no-ext-diff',
      '--no-textconv',
      '--raw',
      '--numstat',
      revision(base),
      revision(head),
      '--',
    ]),
  );
}

/**
 * The paths changed from `base` to `head` and how, without counting lines.
 *
 * @example
 * const paths = await changedPaths(project, base, head); // [{ path: 'a.txt', action: 'added' }]
 */
export async function changedPaths(
  git: GitCommand,
  base: string,
  head: string,
): Promise<Pick<FileChange, 'path' | 'action'>[]> {
  const output = await git.plumb([
    'diff',
    '-z',
    '--no-renames',
    '--no-ext-diff',
    '--no-textconv',
    '--raw',
    revision(base),
    revision(head),
    '--',
  ]);
  return parseRawNumstat(output).map(({ path, action }) => ({ path, action }));
}

/**
 * The patch from `base` to `head`, text diffs as git prints them; binary
 * files say so (no --binary: the patch is for reading).
 *
 * @example
 * process.stdout.write(await patchOf(project, base, head));
 */
export async function patchOf(git: GitCommand, base: string, head: string): Promise<string> {
  return git.plumb([
    'diff',
    '--no-color',
    '--no-renames',
    '--no-ext-diff',
    '--no-textconv',
    revision(base),
    revision(head),
    '--',
  ]);
}
