import { TroupeError, asTroupeError, type MergeStrategy } from '../../domain/index.js';
import {
  mergeTrees,
  pathSet,
  type PathSet,
  type SideRenames,
  type TreeConflict,
  type ResolvedConflict,
} from '../../merge/index.js';
import { GitTrees, listed, type TreeChange, type TreeMerger } from '../../sandbox/index.js';

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
 * A path only theirs changed takes theirs' blob (or submodule pointer) and
 * mode as they are, with no file read or hashed: only paths both sides
 * changed — or a file on one side where the other changed files under it —
 * go through the engine, so merging children that touch separate files
 * costs a handful of git processes whatever their size. Renames are looked
 * for (one more git process) only when a side deleted a path the other
 * changed: then a file renamed on one side merges with the other side's
 * edits at its new path (docs/explanation/merging.md, Renames).
 *
 * @example
 * const { commit, conflicts } = await mergeCommits(new GitTrees(root), { base, ours, theirs, strategy: 'three-way', parents: [ours, theirs], message: 'merge' });
 */
export async function mergeCommits(
  trees: GitTrees,
  request: {
    base: string;
    ours: string;
    theirs: string;
    strategy: MergeStrategy;
    parents: readonly string[];
    message: string;
    subject?: string;
  },
): Promise<CommitsMerge> {
  const { base, ours, theirs, strategy } = request;
  const [oursChanges = [], theirsChanges = []] = await trees.changesFrom(base, [ours, theirs]);
  const changedByOurs = new Set(oursChanges.map((change) => change.path));
  // a path ours changed too, or a file where ours changed files under it (or the reverse), is merged
  const oursPaths = pathSet(changedByOurs);
  let taken = theirsChanges.filter((change) => !oursPaths.meets(change.path));
  const both = theirsChanges.filter((change) => oursPaths.meets(change.path)).map((change) => change.path);
  // a side deleted a path the other changed: it may have renamed it (docs/explanation/merging.md, Renames)
  const renames = deletedOnEitherSide(both, oursChanges, theirsChanges)
    ? await sideRenames(trees, base, ours, theirs)
    : undefined;
  if (renames) {
    // the new path of a file theirs renamed and ours changed merges with it, not as theirs has it
    const bothSet = new Set(both);
    const moved = new Set(renames.theirs.filter((rename) => bothSet.has(rename.from)).map((rename) => rename.to));
    taken = taken.filter((change) => !moved.has(change.path));
    both.push(...moved);
  }
  const result =
    both.length === 0
      ? { writes: [], conflicts: [], resolved: [] }
      : await mergeTrees({
          base,
          ours,
          theirs,
          reader: trees,
          strategy: strategy === 'fail-on-conflict' ? 'three-way' : strategy,
          changed: { ours: [...changedByOurs], theirs: both },
          ...(renames ? { renames } : {}),
        });
  if (strategy === 'fail-on-conflict' && result.conflicts.length > 0)
    throw mergeConflict(request.subject ?? `merge ${theirs.slice(0, 7)} into ${ours.slice(0, 7)}`, result.conflicts);
  // nothing changed on both sides (children that touch separate files): git's
  // own trivial merge writes the same tree in two processes instead of three
  const trivial = both.length === 0 && taken.length > 0 ? await trees.mergedTree(base, ours, theirs) : null;
  const tree = trivial ?? (await trees.writeTree(ours, result.writes, taken));
  const commit = await trees.commitTree(tree, request.parents, request.message);
  return { tree, commit, conflicts: result.conflicts, resolved: result.resolved };
}

// diff-tree's mode of a path the second commit no longer has
const DELETED_MODE = '000000';

// only then can a rename change the merge: a file both changed that one side no longer has where base had it
function deletedOnEitherSide(
  both: readonly string[],
  oursChanges: readonly TreeChange[],
  theirsChanges: readonly TreeChange[],
): boolean {
  if (both.length === 0) return false;
  const paths = new Set(both);
  return [...oursChanges, ...theirsChanges].some((change) => change.mode === DELETED_MODE && paths.has(change.path));
}

async function sideRenames(trees: GitTrees, base: string, ours: string, theirs: string): Promise<SideRenames> {
  const [oursRenames = [], theirsRenames = []] = await trees.renames(base, [ours, theirs]);
  return { ours: oursRenames, theirs: theirsRenames };
}

/** One merge of a round: a child's commits onto the commit the round reached. */
export interface RoundMergeRequest {
  base: string;
  theirs: string;
  message: string;
  subject: string;
}

/** A merge a round made: its commit, the paths theirs brought in, what a strategy settled. */
export interface RoundMerged {
  commit: string;
  files: string[];
  resolved: ResolvedConflict[];
}

/**
 * What {@link mergeCommitRound} made: the merges in order, and — when one
 * stopped the round — its index with its conflicts (and the commit of its
 * clean parts) or the error it failed with. Nothing after it was merged.
 */
export interface RoundMerge {
  merged: RoundMerged[];
  stopped?: { index: number; conflicts: TreeConflict[]; clean: string } | { index: number; error: TroupeError };
}

/**
 * A round of three-way merges (SPEC §9): each of `merges` onto the merge
 * commit of the one before, starting from `ours`, as {@link mergeCommits}
 * makes them — parents `[the commit before, theirs]` — and stopping at the
 * first that conflicts (`three-way`) or fails. What each side changed is
 * read once for the round (one `diff-tree` per base); a child whose paths
 * nothing before it in the round, nor ours since its base, changed takes
 * theirs' blobs as they are, its tree built in an index shared with the
 * children next to it, so children that touch separate files cost two git
 * processes each for the tree and one for the commit; any other child goes
 * through {@link mergeCommits}.
 *
 * @example
 * const round = await mergeCommitRound(new GitTrees(root), { ours: head, strategy: 'three-way', merges: [{ base, theirs: childHead, message: 'merge child', subject: 'cannot merge child' }] });
 */
export async function mergeCommitRound(
  trees: GitTrees,
  request: { ours: string; strategy: MergeStrategy; merges: readonly RoundMergeRequest[] },
): Promise<RoundMerge> {
  const { ours, strategy, merges } = request;
  const byBase = new Map<string, string[]>();
  for (const { base, theirs } of merges) byBase.set(base, [...(byBase.get(base) ?? []), theirs]);
  // per base: the paths ours changed since it, and what each child changed
  const oursSince = new Map<string, PathSet>();
  const theirsOf = new Map<string, TreeChange[]>();
  await Promise.all(
    [...byBase].map(async ([base, theirs]) => {
      const [oursChanges = [], ...theirsChanges] = await trees.changesFrom(base, [ours, ...theirs]);
      oursSince.set(base, pathSet(oursChanges.map((change) => change.path)));
      theirs.forEach((commit, index) => theirsOf.set(`${base} ${commit}`, theirsChanges[index] ?? []));
    }),
  );
  const merged: RoundMerged[] = [];
  // paths the round changed so far: ours moved there since every base
  const touched = pathSet();
  let head = ours;
  for (let index = 0; index < merges.length;) {
    // children next to each other that touch nothing changed before them share one index
    const run: { merge: RoundMergeRequest; changes: TreeChange[] }[] = [];
    for (let at = index; at < merges.length; at++) {
      const merge = merges[at]!;
      const changes = theirsOf.get(`${merge.base} ${merge.theirs}`)!;
      const changedByOurs = oursSince.get(merge.base)!;
      // a file where the other side changed files under it (or the reverse) is no more separate than the same path
      const separate =
        changes.length > 0 &&
        changes.every((change) => !changedByOurs.meets(change.path) && !touched.meets(change.path));
      if (!separate) break;
      run.push({ merge, changes });
      for (const change of changes) touched.add(change.path);
    }
    if (run.length > 0) {
      try {
        const built = await trees.treesInSequence(
          head,
          run.map(({ changes }) => changes),
        );
        for (const [offset, { merge, changes }] of run.entries()) {
          head = await trees.commitTree(built[offset]!, [head, merge.theirs], merge.message);
          merged.push({ commit: head, files: changes.map((change) => change.path), resolved: [] });
        }
      } catch (error) {
        return { merged, stopped: { index: merged.length, error: asTroupeError(error) } };
      }
      index += run.length;
      continue;
    }
    const merge = merges[index]!;
    const files = theirsOf.get(`${merge.base} ${merge.theirs}`)!.map((change) => change.path);
    try {
      const result = await mergeCommits(trees, {
        base: merge.base,
        ours: head,
        theirs: merge.theirs,
        strategy,
        parents: [head, merge.theirs],
        message: merge.message,
        subject: merge.subject,
      });
      if (result.conflicts.length > 0)
        return { merged, stopped: { index, conflicts: result.conflicts, clean: result.commit } };
      head = result.commit;
      merged.push({ commit: head, files, resolved: result.resolved });
    } catch (error) {
      return { merged, stopped: { index, error: asTroupeError(error) } };
    }
    for (const file of files) touched.add(file);
    index += 1;
  }
  return { merged };
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
  return new TroupeError(
    'MERGE_CONFLICT',
    `${subject}: ${files.length} ${files.length === 1 ? 'file conflicts' : 'files conflict'} (fail-on-conflict): ${listed(files)}`,
    {
      details: {
        files,
        conflicts: conflicts.map((conflict) => ({ file: conflict.file, kind: conflict.kind, hunks: conflict.hunks })),
      },
      hint: 'nothing was applied; resolve the overlap in the project, or apply with --strategy three-way to resolve file by file',
    },
  );
}
