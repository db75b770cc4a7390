// The child plans and conflicts part of the Runtime interface (SPEC §8–9, §13): the tree of a
// plan's children and the merge conflicts it waits on. runtime.ts assembles Runtime from a part per wing.
import type {
  ConflictHunk,
  ConflictKind,
  ConflictPaths,
  Phase,
  PlanRecord,
  PlanStatus,
  PredictedConflict,
  ResolutionSource,
} from '../../domain/index.js';

/**
 * A plan and its child plans (`troupe plan tree --json`, SPEC §13).
 *
 * @example
 * const tree: PlanTree = await runtime.tree('demo/x');
 * for (const child of tree.children) console.log(child.name, child.phase, child.status);
 */
export interface PlanTree {
  id: string;
  name: string;
  /** `default` for this project, else the registered project the plan works in. */
  project: string;
  phase: Phase;
  status: PlanStatus;
  /** As the parent sees the child (pending, running, retrying…), with its attempt; null for the root. */
  subplan: { status: string; attempt: number } | null;
  /** Conflicts predicted between its children while they ran (docs/reference/subplans.md); empty when none were. */
  predictedConflicts: PredictedConflict[];
  children: PlanTree[];
}

/**
 * One open conflict as `troupe plan conflicts` shows it (SPEC §13).
 *
 * @example
 * const { conflicts } = await runtime.conflicts('demo/x');
 * const first: ConflictView | undefined = conflicts[0];
 * if (first) console.log(first.file, first.kind, first.hunks.length, first.edit);
 */
export interface ConflictView {
  file: string;
  /** The id of the child plan whose result conflicted, or null for apply (ours is then the project's branch, theirs the plan). */
  child: string | null;
  /** That child plan's name, or null for apply. For a child's merge ours is this plan's sandbox, theirs the child. */
  childName: string | null;
  kind: ConflictKind;
  hunks: ConflictHunk[];
  /** A copy with conflict markers to edit and pass to `--use`, relative to the project; null if none. */
  edit: string | null;
  /** For a file a side renamed: where base, ours and theirs have it (null on a side that deleted it). */
  paths?: ConflictPaths;
}

/**
 * A plan's conflicts (`troupe plan conflicts --json`): those still open, and those resolved while others remain.
 *
 * @example
 * const list: ConflictList = await runtime.conflicts('demo/x');
 * console.log(list.conflicts.map((c) => c.file), list.resolved.length);
 */
export interface ConflictList {
  planId: string;
  phase: Phase;
  status: PlanStatus;
  conflicts: ConflictView[];
  resolved: { file: string; with: ResolutionSource }[];
}

/**
 * How to resolve one conflicting file: a side of the merge, or a file of the project.
 *
 * @example
 * const choice: ResolveChoice = { with: 'theirs' };
 * await runtime.resolve('demo/x', 'src/app.ts', choice);
 * await runtime.resolve('demo/x', 'src/lib.ts', { with: 'file', path: 'src/lib.merged.ts' });
 * await runtime.resolve('demo/x', 'src/util.ts', { with: 'content', content: 'export const merged = true;\n' });
 * await runtime.resolve('demo/x', 'test/fixtures/conflicted.txt', { with: 'file', path: 'fixture.txt', allowMarkers: true });
 */
export type ResolveChoice =
  | { with: 'ours' }
  | { with: 'theirs' }
  // allowMarkers: take a file that holds conflict markers on purpose (a test fixture, docs about git); else such a file is refused
  | { with: 'file'; path: string; allowMarkers?: boolean }
  | { with: 'content'; content: string; allowMarkers?: boolean };

/**
 * What `resolve` did: the file, how, the files still open, and the plan as it is now.
 *
 * @example
 * const result: ResolveResult = await runtime.resolve('demo/x', 'src/app.ts', { with: 'ours' });
 * if (result.remaining.length === 0) console.log('merged as', result.mergeCommit);
 */
export interface ResolveResult {
  planId: string;
  file: string;
  with: ResolutionSource;
  /** The child plan whose merge the file was part of (its id and name), null for apply: says whose side `ours` and `theirs` were. */
  child: string | null;
  childName: string | null;
  remaining: string[];
  /**
   * For a child's merge, the merge commit made when the last conflict was
   * resolved: the sandbox's head now. For apply, the commit on the
   * project's branch once the plan is applied (`appliedCommit`), else null:
   * the next apply commits the merged files as a commit of its own.
   */
  mergeCommit: string | null;
  plan: PlanRecord;
}

/**
 * The Runtime's child plans and merge conflicts (SPEC §8–9): the tree of a
 * plan and its children, the conflicts a merge waits on, and resolving them
 * one file at a time.
 *
 * @example
 * const { conflicts } = await runtime.conflicts('demo/x');
 * for (const conflict of conflicts) await runtime.resolve('demo/x', conflict.file, { with: 'theirs' });
 */
export interface ChildPlanMethods {
  /** The plan and its child plans, recursively, in spawn order. */
  tree(ref: string): Promise<PlanTree>;
  /** The plan's conflicts: open ones, and those resolved while others remain. */
  conflicts(ref: string): Promise<ConflictList>;
  /**
   * Resolve one conflicting file of the merge the plan waits on. When none
   * remain the merge commit is made and a `merge` decision recorded; the plan
   * goes on when it is next run. `VALIDATION_ERROR` (nothing changed) for a
   * file with no open conflict, a `file` outside the project, or a `file`
   * or `content` that still holds a conflict marker (unless `allowMarkers`).
   */
  resolve(ref: string, file: string, choice: ResolveChoice): Promise<ResolveResult>;
}
