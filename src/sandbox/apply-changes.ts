import {
  isUlid,
  TroupeError,
  type ConflictHunk,
  type ConflictKind,
  type ConflictPaths,
  type FileChange,
  type MergeStrategy,
} from '../domain/index.js';
import { join } from 'node:path';
import { syncPaths } from './durable-files.js';
import { parseRawNumstat } from './file-changes.js';
import { changedPaths, refuseDirtyTouched, refuseFilesInTheWay } from './apply-in-the-way.js';
import { GitCommandError, splitNul, type GitCommand } from './git-command.js';

export { listed } from './apply-in-the-way.js';

/** The trailer that marks a plan's apply commit; apply looks for it to stay idempotent. */
export const PLAN_ID_TRAILER = 'Troupe-Plan-Id';

/** What to apply: a sandbox's `base..head`, the commit message, the plan. */
export interface ApplyOptions {
  /** The project commit the sandbox was branched from. */
  base: string;
  /** The sandbox commit to apply (its branch shares the project's objects). */
  head: string;
  /** The commit message; the `Troupe-Plan-Id` trailer is appended. */
  message: string;
  planId: string;
  /** How conflicts are settled when the project moved on (default `three-way`: surfaced). */
  strategy?: MergeStrategy;
}

/** A file the merge could not settle, with a copy carrying conflict markers where one can be made. */
export interface MergeConflictFile {
  file: string;
  kind: ConflictKind;
  hunks: ConflictHunk[];
  content: Uint8Array | null;
  /** For a file a side renamed: where base, ours and theirs have it. */
  paths?: ConflictPaths;
}

/** A conflict the `ours` / `theirs` strategy settled. */
export interface SettledConflict {
  file: string;
  kind: ConflictKind;
  side: 'ours' | 'theirs';
  hunks: number;
}

/**
 * What apply did: made (or had already made) a commit, found nothing to
 * apply, or stopped on conflicts — the project untouched — with `ours` (the
 * project's HEAD it merged onto) and `clean` (a commit of ours with every
 * part that merged cleanly).
 */
export type ApplyResult =
  | { status: 'applied'; commit: string; alreadyApplied?: true; settled?: SettledConflict[] }
  | { status: 'unchanged' }
  | { status: 'conflict'; ours: string; clean: string; conflicts: MergeConflictFile[] };

/**
 * Three-way merges `theirs` into `ours` over `base` (SPEC §9). `merged`: the
 * tree of the merge and what a strategy settled; `conflict`: the files to
 * resolve and `clean`, a commit of ours with the clean parts. Throws
 * `MERGE_CONFLICT` for `fail-on-conflict`. The runtime provides troupe's
 * resource-type-aware merge engine (src/merge) here: the sandbox does not
 * reach the engine itself.
 */
export type TreeMerger = (request: {
  base: string;
  ours: string;
  theirs: string;
  planId: string;
  strategy: MergeStrategy;
}) => Promise<
  | { status: 'merged'; tree: string; settled: SettledConflict[] }
  | { status: 'conflict'; clean: string; conflicts: MergeConflictFile[] }
>;

/** The project as apply needs it. */
export interface ApplyTarget {
  readonly root: string;
  head(): Promise<string | null>;
  dirtyPaths(): Promise<string[]>;
}

/**
 * Apply `base..head` onto the project's current branch (or detached HEAD)
 * as one commit (SPEC §9): base = sandbox base, ours = project HEAD,
 * theirs = sandbox head. Like `git merge`, uncommitted changes (staged or
 * not, and untracked files) in files the apply does not write stay as they
 * are; a change in a file it writes refuses it (`DIRTY_WORKTREE`), the
 * project untouched. Order matters: an apply that already happened answers
 * the same even if the tree got dirty since, and nothing to apply needs no
 * clean tree.
 *
 * @example
 * await applyChanges(project, gitCommand(project.root), merger, { base, head, message: 'demo/x', planId });
 */
export async function applyChanges(
  project: ApplyTarget,
  git: GitCommand,
  merger: TreeMerger,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const planned = await planApply(project, git, merger, options);
  if (planned.status !== 'ready') return planned;
  const { current, tree, settled } = planned;
  const message = `${options.message.trimEnd() || `apply plan ${options.planId}`}\n\n${PLAN_ID_TRAILER}: ${options.planId}\n`;
  const commit = (await git.run(['commit-tree', tree, '-p', current, '-m', message])).trim();
  await fastForward(project, git, current, commit, options.planId);
  // acknowledged means durable: the commit, the branch and the index are synced by troupe's git
  // (core.fsync); the files it wrote into the checkout, and the folders naming them, are synced here
  await syncPaths((await changedPaths(git, current, commit)).map((path) => join(project.root, path)));
  return settled.length > 0 ? { status: 'applied', commit, settled } : { status: 'applied', commit };
}

/**
 * What {@link applyChanges} would do now, with nothing changed (`plan apply
 * --dry-run`): the commit it would make onto `onto` — its files, and its diff
 * with `patch` — or why it would not make one. The merge it tries writes
 * only unreachable objects into the repository; no ref, index or file moves.
 */
export type ApplyPreviewResult =
  | { status: 'applied'; commit: string }
  | { status: 'unchanged' }
  | { status: 'conflict'; onto: string; conflicts: Array<{ file: string; kind: ConflictKind; hunks: number }> }
  | { status: 'refused'; error: TroupeError }
  | {
      status: 'commit';
      onto: string;
      merged: boolean;
      files: FileChange[];
      settled: SettledConflict[];
      patch: string | null;
    };

/**
 * Preview an apply: see {@link ApplyPreviewResult}. `patch` asks for the
 * unified diff of the commit apply would make.
 *
 * @example
 * const preview = await previewApply(project, gitCommand(project.root), merger, { base, head, message: '', planId }, { patch: true });
 * if (preview.status === 'commit') console.log(preview.files.map((file) => file.path));
 */
export async function previewApply(
  project: ApplyTarget,
  git: GitCommand,
  merger: TreeMerger,
  options: ApplyOptions,
  show: { patch?: boolean } = {},
): Promise<ApplyPreviewResult> {
  let planned: Planned;
  try {
    planned = await planApply(project, git, merger, options);
  } catch (error) {
    // what would stop apply is the answer of a dry run, not its failure
    if (error instanceof TroupeError && (error.code === 'DIRTY_WORKTREE' || error.code === 'MERGE_CONFLICT'))
      return { status: 'refused', error };
    throw error;
  }
  if (planned.status === 'applied') return { status: 'applied', commit: planned.commit };
  if (planned.status === 'unchanged') return planned;
  if (planned.status === 'conflict') {
    return {
      status: 'conflict',
      onto: planned.ours,
      conflicts: planned.conflicts.map(({ file, kind, hunks }) => ({ file, kind, hunks: hunks.length })),
    };
  }
  const { current, tree, settled } = planned;
  const files = parseRawNumstat(
    await git.plumb([
      'diff',
      '-z',
      '--no-renames',
      '--no-ext-diff',
      '--no-textconv',
      '--raw',
      '--numstat',
      current,
      tree,
      '--',
    ]),
  );
  const patch = show.patch
    ? await git.plumb(['diff', '--no-color', '--no-renames', '--no-ext-diff', '--no-textconv', current, tree, '--'])
    : null;
  return { status: 'commit', onto: current, merged: current !== planned.base, files, settled, patch };
}

type Planned =
  | { status: 'applied'; commit: string; alreadyApplied: true }
  | { status: 'unchanged' }
  | { status: 'conflict'; ours: string; clean: string; conflicts: MergeConflictFile[] }
  | { status: 'ready'; base: string; current: string; tree: string; settled: SettledConflict[] };

// everything apply decides before it writes: the tree to commit onto the project's HEAD, or why there is none
async function planApply(
  project: ApplyTarget,
  git: GitCommand,
  merger: TreeMerger,
  options: ApplyOptions,
): Promise<Planned> {
  const { planId } = options;
  if (!isUlid(planId)) throw new TroupeError('VALIDATION_ERROR', `plan id "${planId}" is not a ULID`);
  const current = await project.head();
  if (current === null) {
    throw new TroupeError(
      'VALIDATION_ERROR',
      `cannot apply plan ${planId}: the project's current branch has no commits`,
      {
        hint: 'check out the branch the plan started from',
      },
    );
  }

  const applied = await findAppliedCommit(git, planId);
  if (applied !== null) return { status: 'applied', commit: applied, alreadyApplied: true };

  const base = await commitOf(git, options.base, planId);
  const head = await commitOf(git, options.head, planId);
  if ((await treeOf(git, base)) === (await treeOf(git, head))) return { status: 'unchanged' };

  // like git merge: the user's changes in files the plan never touched stay where they are;
  // a change in one it did refuses before any merge, as it always has
  const dirty = await project.dirtyPaths();
  refuseDirtyTouched(planId, dirty, await changedPaths(git, base, head));

  // the project did not move: the sandbox's tree is the answer
  if (current === base) {
    const tree = await treeOf(git, head);
    await refuseFilesInTheWay(planId, project, git, current, tree);
    return { status: 'ready', base, current, tree, settled: [] };
  }
  const merged = await merger({ base, ours: current, theirs: head, planId, strategy: options.strategy ?? 'three-way' });
  // conflicts wait for the user: nothing in the project changes
  if (merged.status === 'conflict')
    return { status: 'conflict', ours: current, clean: merged.clean, conflicts: merged.conflicts };
  // what the fast-forward writes is current..merged, which a merge that follows
  // a rename upstream can put at paths the plan never named
  refuseDirtyTouched(planId, dirty, await changedPaths(git, current, merged.tree));
  await refuseFilesInTheWay(planId, project, git, current, merged.tree);
  return { status: 'ready', base, current, tree: merged.tree, settled: merged.settled };
}

/** The newest commit reachable from HEAD whose trailer names `planId`, or null. */
async function findAppliedCommit(git: GitCommand, planId: string): Promise<string | null> {
  const output = await git.run([
    'log',
    '--no-ext-diff',
    '--no-textconv',
    '-z',
    `--format=%H %(trailers:key=${PLAN_ID_TRAILER},valueonly,separator=%x2C)`,
    '-E',
    // planId is a ULID, so it holds no regex characters
    `--grep=^${PLAN_ID_TRAILER}: ${planId}$`,
    'HEAD',
    '--',
  ]);
  for (const record of splitNul(output)) {
    const [commit, values = ''] = record.trim().split(/ (.*)/s);
    // --grep matches any line; only a real trailer counts
    if (commit && values.split(',').some((value) => value.trim() === planId)) return commit;
  }
  return null;
}

/**
 * Move the branch and the working tree to `commit` (a child of `current`).
 * `merge --ff-only` is git's two-way checkout: the index and working tree
 * entries of paths it does not change stay as they are (a staged change
 * stays staged), and it checks before it writes, so a change that appeared
 * since the checks (a file written meanwhile) fails it with the project
 * untouched.
 */
async function fastForward(
  project: ApplyTarget,
  git: GitCommand,
  current: string,
  commit: string,
  planId: string,
): Promise<void> {
  try {
    await git.run(['merge', '--ff-only', '--quiet', '--no-autostash', '--no-verify-signatures', commit]);
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    refuseDirtyTouched(planId, await project.dirtyPaths(), await changedPaths(git, current, commit));
    await refuseFilesInTheWay(planId, project, git, current, commit);
    throw error;
  }
}

async function commitOf(git: GitCommand, revision: string, planId: string): Promise<string> {
  const output = revision.startsWith('-')
    ? null
    : await git.tryRun(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]);
  if (output === null)
    throw new TroupeError(
      'VALIDATION_ERROR',
      `cannot apply plan ${planId}: "${revision}" is not a commit in the project`,
    );
  return output.trim();
}

async function treeOf(git: GitCommand, commit: string): Promise<string> {
  return (await git.run(['rev-parse', '--verify', `${commit}^{tree}`])).trim();
}
