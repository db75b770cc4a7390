import { TroupeError, type MergeStrategy } from '../domain/index.js';
import { mergeTrees, type TreeConflict, type ResolvedConflict } from '../merge/index.js';
import { GitTrees, listed, type TreeMerger } from '../sandbox/index.js';

// the mode git gives a submodule (a commit of another repository) in a tree
const SUBMODULE_MODE = '160000';

/** What {@link mergeCommits} made: the merge as a tree and a commit, the conflicts it left, what a strategy settled. */
export interface CommitsMerge {
  /** The tree of ours with every clean part (and every settled conflict) applied; conflicting files as ours has them. */
  tree: string;
  commit: string;
  conflicts: TreeConflict[];
  resolved: ResolvedConflict[];
}

/**
 * Three-way merge of two commits of a repository (or its worktrees) over
 * their base with troupe's engine, file by file (SPEC §9), written as a
 * commit of `parents` without touching any working tree. Strategies:
 * `three-way` applies the clean parts and returns the conflicts; `ours` /
 * `theirs` settle every conflict to that side and list them in `resolved`
 * (for the `conflict_resolution` decision); `fail-on-conflict` writes
 * nothing and throws `MERGE_CONFLICT` naming the files when any conflicts.
 *
 * A path only theirs changed takes theirs' blob and mode as they are, with
 * no file read or hashed: only paths both sides changed go through the
 * engine, so merging children that touch separate files costs a handful of
 * git processes whatever their size.
 *
 * @example
 * const { commit, conflicts } = await mergeCommits(new GitTrees(root), { base, ours, theirs, strategy: 'three-way', parents: [ours, theirs], message: 'merge' });
 */
export async function mergeCommits(
  trees: GitTrees,
  request: { base: string; ours: string; theirs: string; strategy: MergeStrategy; parents: readonly string[]; message: string; subject?: string },
): Promise<CommitsMerge> {
  const { base, ours, theirs, strategy } = request;
  const [oursChanges = [], theirsChanges = []] = await trees.changesFrom(base, [ours, theirs]);
  const changedByOurs = new Set(oursChanges.map((change) => change.path));
  const taken = theirsChanges.filter((change) => !changedByOurs.has(change.path));
  const both = theirsChanges.filter((change) => changedByOurs.has(change.path)).map((change) => change.path);
  // troupe merges files only: a submodule theirs brings in is refused as the engine refuses one it reads
  const submodule = taken.find((change) => change.mode === SUBMODULE_MODE);
  if (submodule) throw new TroupeError('MERGE_CONFLICT', `${submodule.path} is a submodule in ${theirs.slice(0, 7)}: troupe merges files only`, { details: { files: [submodule.path] } });
  const result =
    both.length === 0
      ? { writes: [], conflicts: [], resolved: [] }
      : await mergeTrees({ base, ours, theirs, reader: trees, strategy: strategy === 'fail-on-conflict' ? 'three-way' : strategy, changed: { ours: [...changedByOurs], theirs: both } });
  if (strategy === 'fail-on-conflict' && result.conflicts.length > 0) throw mergeConflict(request.subject ?? `merge ${theirs.slice(0, 7)} into ${ours.slice(0, 7)}`, result.conflicts);
  // nothing changed on both sides (children that touch separate files): git's
  // own trivial merge writes the same tree in two processes instead of three
  const trivial = both.length === 0 && taken.length > 0 ? await trees.mergedTree(base, ours, theirs) : null;
  const tree = trivial ?? (await trees.writeTree(ours, result.writes, taken));
  const commit = await trees.commitTree(tree, request.parents, request.message);
  return { tree, commit, conflicts: result.conflicts, resolved: result.resolved };
}

/**
 * The merge apply uses when the project moved on since the sandbox's base
 * (SPEC §9): base = the sandbox's base, ours = the project's HEAD, theirs =
 * the sandbox head, merged by {@link mergeCommits} without touching the
 * project. Conflicts come back with the commit of the clean parts, for the
 * plan to wait on; `fail-on-conflict` refuses with `MERGE_CONFLICT`.
 */
export function engineMerger(projectRoot: string): TreeMerger {
  const trees = new GitTrees(projectRoot);
  return async ({ base, ours, theirs, planId, strategy }) => {
    const merged = await mergeCommits(trees, {
      base,
      ours,
      theirs,
      strategy,
      parents: [ours],
      message: `troupe: clean part of the merge of plan ${planId}`,
      subject: `cannot apply plan ${planId}`,
    });
    if (merged.conflicts.length > 0) {
      return { status: 'conflict', clean: merged.commit, conflicts: merged.conflicts };
    }
    return { status: 'merged', tree: merged.tree, settled: merged.resolved };
  };
}

function mergeConflict(subject: string, conflicts: readonly TreeConflict[]): TroupeError {
  const files = conflicts.map((conflict) => conflict.file);
  return new TroupeError('MERGE_CONFLICT', `${subject}: ${files.length} ${files.length === 1 ? 'file conflicts' : 'files conflict'} (fail-on-conflict): ${listed(files)}`, {
    details: { files, conflicts: conflicts.map((conflict) => ({ file: conflict.file, kind: conflict.kind, hunks: conflict.hunks })) },
    hint: 'nothing was applied; resolve the overlap in the project, or apply with --strategy three-way to resolve file by file',
  });
}
