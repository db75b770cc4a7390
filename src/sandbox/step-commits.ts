// What a step does to its worktree with git: its status, the reset to the
// last step commit, staging and the step commit. Commands here are chosen
// to print something: simple-git waits 50 ms after any git command that
// printed nothing, and these run on every step.
import type { FileChange } from '../domain/index.js';
import { commitOf, revision } from './commit-lookup.js';
import { parseAddVerbose, parseRawNumstat, parseStatusV2, type WorktreeStatus } from './file-changes.js';
import type { GitCommand } from './git-command.js';
import { startGitHelper } from './git-spawn.js';

// every commit of a step: no hooks, unsigned, whatever (or nothing) it holds
const COMMIT = [
  '-c',
  'core.abbrev=no',
  'commit',
  '--allow-empty',
  '--allow-empty-message',
  '--no-verify',
  '--no-gpg-sign',
  '-m',
];

// the first line of `git commit`'s output with core.abbrev=no: "[main 1a2b…] subject",
// "[main (root-commit) 1a2b…] subject" or "[detached HEAD 1a2b…] subject"
const COMMIT_SUMMARY = /^\[.*? ([0-9a-f]{40}|[0-9a-f]{64})\] /;

/**
 * A worktree's status, untracked files one by one. `--ignore-submodules=all`:
 * git never goes into a submodule's working tree, where a repository's own
 * config (a command may have written it) could name a filter to run.
 *
 * @example
 * const status = await worktreeStatus(gitCommand(root)); // { head, tracked, untracked }
 */
export async function worktreeStatus(git: GitCommand): Promise<WorktreeStatus> {
  return parseStatusV2(
    await git.run([
      'status',
      '--porcelain=v2',
      '--branch',
      '-z',
      '--untracked-files=all',
      '--no-renames',
      '--ignore-submodules=all',
    ]),
  );
}

/**
 * Put a worktree back at `commit`, tracked and untracked files: nothing to
 * do when it is there and clean. `cleanAt`: the caller saw it clean at that
 * commit (no status asked); `seen`: its status, already asked.
 *
 * @example
 * await resetWorktree(gitCommand(root), headCommit);
 */
export async function resetWorktree(
  git: GitCommand,
  commit: string,
  options: { cleanAt?: string; seen?: WorktreeStatus; keepUntracked?: boolean } = {},
): Promise<void> {
  const target = revision(commit);
  if (options.cleanAt !== undefined) {
    // the caller saw it clean there: nothing untracked to remove, no status to ask
    if (options.cleanAt !== commit) await git.run(['reset', '--hard', target]);
    return;
  }
  const status = options.seen ?? (await worktreeStatus(git));
  // already there and clean (the usual case): nothing to undo
  if (
    status.head === commit &&
    status.tracked.length === 0 &&
    (status.untracked.length === 0 || options.keepUntracked === true)
  )
    return;
  if (status.head !== commit || status.tracked.length > 0) await git.run(['reset', '--hard', target]);
  // -d: untracked directories too; -f twice: also repositories a step
  // created with `git init`. No -x: ignored files (node_modules, build
  // output) are never part of a changeset and a rollback that wiped them
  // would force every invariant check to reinstall and rebuild.
  if (status.untracked.length > 0 && options.keepUntracked !== true) await git.run(['clean', '-f', '-f', '-d']);
}

/**
 * Stage everything and commit it (a commit even when nothing changed); the new commit's id.
 *
 * @example
 * const head = await commitAll(gitCommand(root), 'step 1: write a.txt');
 */
export async function commitAll(git: GitCommand, message: string): Promise<string> {
  await git.run(['add', '--all', '--verbose']);
  // with core.abbrev=no the summary line names the new commit in full: no rev-parse needed after it
  return commitId(git, await git.run([...COMMIT, message]));
}

/**
 * Stage everything a step changed; the paths staged (see {@link parseAddVerbose}).
 *
 * @example
 * const changed = await stageAll(gitCommand(root));
 */
export async function stageAll(git: GitCommand): Promise<string[]> {
  // a plan making writing steps makes many in a row: its git goes through the helper from now on
  startGitHelper();
  return parseAddVerbose(await git.plumb(['add', '--all', '--verbose']));
}

/**
 * Commit what is staged; the new commit and the files it changed since `base`.
 *
 * @example
 * const { headCommit, files } = await commitStaged(gitCommand(root), 'step 2', sandbox.baseCommit);
 */
export async function commitStaged(
  git: GitCommand,
  message: string,
  base: string,
): Promise<{ headCommit: string; files: FileChange[] }> {
  // side by side: the commit's tree is the index as staged, so the index
  // against the base lists the changeset the commit will have. diff-index
  // only reads the index, which the commit replaces atomically (the
  // same entries, refreshed); a failed commit throws before either is used.
  const [output, listing] = await Promise.all([
    git.plumb([...COMMIT, message]),
    git.plumb([
      'diff-index',
      '--cached',
      '-z',
      '--no-renames',
      '--no-ext-diff',
      '--no-textconv',
      '--raw',
      '--numstat',
      revision(base),
      '--',
    ]),
  ]);
  return { headCommit: await commitId(git, output), files: parseRawNumstat(listing) };
}

// the commit `git commit` made, from its summary line (HEAD when it cannot be read there)
async function commitId(git: GitCommand, output: string): Promise<string> {
  return COMMIT_SUMMARY.exec(output)?.[1] ?? commitOf(git, 'HEAD');
}
