// The housekeeping part of the Runtime interface (SPEC §18): gc and delete, command logs, and
// the preview of what apply would do. runtime.ts assembles Runtime from a part per wing.
import type { ConflictKind, FileChange, Phase, PlanLog, PlanStatus, SerializedError } from '../../domain/index.js';
import type { PhaseOptions } from '../plans/index.js';

/**
 * What `plan apply` would do now (`plan apply --dry-run`, SPEC §18), with
 * nothing changed: `commit` — the files of the commit it would make onto
 * `onto` (the project's HEAD), merged when the project moved on since the
 * sandbox's base, and its diff when asked; `unchanged` — nothing to apply;
 * `applied` — the plan's commit is on the branch already; `conflict` — the
 * files apply would stop on for `troupe plan resolve`; `refused` — what
 * apply would fail with (`DIRTY_WORKTREE`, or `MERGE_CONFLICT` under
 * `fail-on-conflict`). A plan apply does not take at all is refused with
 * `PHASE_GUARD`, as apply itself would be.
 *
 * @example
 * const preview = await runtime.previewApply('demo/x', { patch: true });
 * if (preview.outcome === 'commit') for (const file of preview.files) console.log(file.action, file.path);
 */
export interface ApplyPreview {
  planId: string;
  name: string;
  outcome: 'commit' | 'unchanged' | 'applied' | 'conflict' | 'refused';
  /** The project commit apply would commit onto; null when it would make no commit. */
  onto: string | null;
  /** The project moved on since the sandbox's base: apply merges. */
  merged: boolean;
  /** The files the commit would change, against `onto`. */
  files: FileChange[];
  /** Conflicts `--strategy ours|theirs` would settle. */
  settled: { file: string; kind: ConflictKind; with: 'ours' | 'theirs'; hunks: number }[];
  /** For `conflict`: the files apply would wait on, with their number of hunks. */
  conflicts: { file: string; kind: ConflictKind; hunks: number }[];
  /** For `applied`: the commit already on the branch. */
  commit: string | null;
  /** For `refused`: the error apply would fail with. */
  error: SerializedError | null;
  /** With `patch: true` and a commit to make: its unified diff, at most `maxBytes`. */
  patch?: string;
  truncated?: boolean;
}

/**
 * Which of a plan's command logs to read (`runtime.logs`).
 *
 * @example
 * const options: LogOptions = { step: 1 }; // the second step's commands, and the checks after it
 * const logs = await runtime.logs('demo/x', options);
 */
export interface LogOptions {
  /** Only the commands of this step (0-based) and of the invariant checks after it; `NOT_FOUND` when the plan has no such step. */
  step?: number;
  /** Only the commands of this read (from 1): an agent's command that changed nothing; `NOT_FOUND` when the plan has no such read. */
  read?: number;
  /** Only the commands run in this phase (strategize, execute and validate run commands). */
  phase?: Phase;
  /** Only logs after this seq (to follow a plan: the last seq seen). */
  afterSeq?: number;
  /** At most this many. */
  limit?: number;
}

/**
 * What `gc` frees (`troupe gc`, SPEC §18).
 *
 * @example
 * const options: GcOptions = { olderThanMs: 7 * 24 * 3600 * 1000, dryRun: true };
 * const report = await runtime.gc(options);
 */
export interface GcOptions {
  /** Only plans that ended at least this long ago (by their last update); every ended plan when absent. */
  olderThanMs?: number;
  /** Say what would be freed, change nothing. */
  dryRun?: boolean;
}

/**
 * What `gc` freed (or would free, with `dryRun`): worktree folders, troupe
 * branches, the plans they were of, the bytes of the folders, and the refs
 * troupe held for plans nothing can roll back any more.
 *
 * @example
 * const { worktrees, branches, plans, bytes } = await runtime.gc();
 * console.log(`${worktrees} worktrees, ${branches} branches of ${plans} plans, ${bytes} bytes`);
 */
export interface GcReport {
  dryRun: boolean;
  worktrees: number;
  branches: number;
  /** Ended plans whose sandbox went (folders and branches no plan owns are counted in worktrees and branches only). */
  plans: number;
  bytes: number;
  /**
   * Refs troupe held under `refs/troupe/` (kept commits, base, resolved
   * merge) that went: those of plans whose whole tree has ended, and of
   * plans no record names any more.
   */
  refs: number;
  /** Each thing freed: a plan's sandbox (its id and name), or a folder or branch no plan owns (null id). */
  freed: { planId: string | null; name: string | null; worktree: string | null; branch: string | null }[];
}

/**
 * What deleting a plan removes: the plan and its children, each with its
 * checkpoints; the ones that have not ended are cancelled first.
 *
 * @example
 * const preview: DeletePreview = await runtime.previewDelete('demo/x');
 * console.log(preview.plans.map((plan) => plan.name), preview.cancels);
 */
export interface DeletePreview {
  planId: string;
  name: string;
  plans: { id: string; name: string; phase: Phase; status: PlanStatus; checkpoints: number }[];
  /** Names of the plans that have not ended and are cancelled first. */
  cancels: string[];
}

/**
 * A plan deleted for good: the preview, and the ids deleted.
 *
 * @example
 * const result: DeleteResult = await runtime.deletePlan('demo/x');
 * console.log(`${result.deleted.length} plan(s) deleted`);
 */
export interface DeleteResult extends DeletePreview {
  deleted: string[];
}

/**
 * The Runtime's housekeeping (SPEC §18): free the sandboxes of ended plans,
 * delete plans for good, read the logs of the commands they ran, and see
 * what apply would do before it does.
 *
 * @example
 * const report = await runtime.gc({ dryRun: true });
 * const logs = await runtime.logs('demo/x', { phase: 'validate' });
 * console.log(report.worktrees, logs.length);
 */
export interface HousekeepingMethods {
  /**
   * Free the sandboxes of ended plans (SPEC §18): worktrees and branches go,
   * the commits their checkpoints point at are kept; folders and troupe
   * branches no plan owns go too. Never touches a plan that has not ended.
   */
  gc(options?: GcOptions): Promise<GcReport>;
  /** What `deletePlan` would remove, changing nothing; `PHASE_GUARD` for a child of a plan that has not ended. */
  previewDelete(ref: string): Promise<DeletePreview>;
  /**
   * Delete a plan and its children for good — sandboxes, branches, kept
   * commits, checkpoints, decisions, journal, name (SPEC §18). A plan that
   * has not ended is cancelled first. The API never asks: confirm with
   * `previewDelete` first.
   */
  deletePlan(ref: string): Promise<DeleteResult>;
  /** What `plan apply` would do now, changing nothing (`--strategy` as apply's; `patch` adds the diff, at most `maxBytes`). */
  previewApply(ref: string, options?: PhaseOptions & { patch?: boolean; maxBytes?: number }): Promise<ApplyPreview>;
  /**
   * The stdout and stderr of the commands the plan ran (steps, validate,
   * invariant checks, strategize tools, agent reads), oldest first, each
   * stream up to 1 MiB (past it, the end, with what was cut); those of work
   * a rollback discarded are kept and marked (`discardedBy`).
   */
  logs(ref: string, options?: LogOptions): Promise<PlanLog[]>;
}
