// The checkpoints part of the Runtime interface (SPEC §10): checkpoints, rollback with its
// preview, and corrections. runtime.ts assembles Runtime from a part per wing.
import type {
  CheckpointStep,
  CheckpointSummary,
  CheckpointTrigger,
  DecisionType,
  Phase,
  PlanRecord,
  PlanStatus,
  RevertedChange,
} from '../../domain/index.js';

/**
 * What a rollback would do (`troupe plan rollback` asks with it before changing anything).
 *
 * @example
 * const preview: RollbackPreview = await runtime.previewRollback('demo/x', { to: 'before-refactor' });
 * console.log(preview.changes.length, preview.decisionsToDiscard.length);
 */
export interface RollbackPreview {
  planId: string;
  checkpoint: CheckpointSummary;
  /** The `(phase, status)` the plan goes back to: `(execute, waiting)` for an agent-driven plan that opens again. */
  restores: { phase: Phase; status: 'queued' | 'waiting' | 'complete' | 'failed' };
  /** The files of the sandbox put back as they were. */
  changes: RevertedChange[];
  decisionsToDiscard: { id: string; type: DecisionType; title: string }[];
  /** Decisions an earlier rollback discarded that become active again (undoing it). */
  decisionsToRestore: number;
  childPlansToInvalidate: { id: string; name: string; status: PlanStatus }[];
  /** How many times the plan was reverted so far. */
  reversionCount: number;
}

/**
 * What a rollback did (`troupe plan rollback --json`, SPEC §10).
 *
 * @example
 * const result: RollbackResult = await runtime.rollback('demo/x', { to: checkpointId });
 * // undo it later
 * await runtime.rollback('demo/x', { to: result.undoCheckpointId });
 */
export interface RollbackResult {
  planId: string;
  /** The checkpoint gone back to; `step`: the step it follows, as the checkpoint has it. */
  checkpoint: {
    id: string;
    label: string | null;
    createdAt: string;
    trigger: CheckpointTrigger;
    step?: CheckpointStep;
  };
  restored: { phase: Phase; status: PlanStatus };
  changesReverted: RevertedChange[];
  decisionsDiscarded: number;
  /** Ids of the child plans invalidated. */
  childPlansInvalidated: string[];
  reversionCount: number;
  /** Roll back to this checkpoint to undo the rollback. */
  undoCheckpointId: string;
  /** The `rollback` (or `correction`) decision recorded. */
  decisionId: string;
}

/**
 * A correction (`troupe plan correct`, SPEC §10).
 *
 * @example
 * const revert: CorrectionRequest = { mode: 'revert', reason: 'wrong approach' };
 * const append: CorrectionRequest = { mode: 'append', steps: [{ title: 'Fix typo', tool: 'fs/write-file', input: { path: 'README.md', content: '# Hello\n' } }] };
 * await runtime.correct('demo/x', append);
 */
export type CorrectionRequest =
  | { mode: 'revert'; to?: string; reason?: string }
  | {
      mode: 'append';
      /** Tool steps (`{title, tool, input}`), appended right after the last executed step. */
      steps: unknown;
      reason?: string;
    };

/**
 * What a correction did, and where the plan stands after it ran on per its automation.
 *
 * @example
 * const result: CorrectionResult = await runtime.correct('demo/x', { mode: 'revert' });
 * console.log(result.plan.phase, result.plan.status, result.undoCheckpointId);
 */
export interface CorrectionResult {
  planId: string;
  mode: 'revert' | 'append';
  /** The `correction` decision. */
  decisionId: string;
  /** Roll back to this checkpoint to undo the correction. */
  undoCheckpointId: string;
  /** For a revert: what the rollback did. */
  rollback: RollbackResult | null;
  /** For an append: the ids of the step decisions appended. */
  appended: string[];
  plan: PlanRecord;
}

/**
 * The Runtime's checkpoints (SPEC §10): list, take, delete and prune them,
 * roll a plan back to one (asking first with the preview), and correct a
 * plan by reverting or appending steps.
 *
 * @example
 * const checkpoint = await runtime.createCheckpoint('demo/x', { label: 'before-refactor' });
 * const preview = await runtime.previewRollback('demo/x', { to: checkpoint.id });
 * if (preview.childPlansToInvalidate.length === 0) await runtime.rollback('demo/x', { to: checkpoint.id });
 */
export interface CheckpointMethods {
  /** The plan's checkpoints, oldest first (without their snapshots). */
  checkpoints(ref: string): Promise<CheckpointSummary[]>;
  /** One checkpoint of the plan, by id or label (the newest with it); NOT_FOUND for another plan's. */
  checkpoint(ref: string, checkpoint: string): Promise<CheckpointSummary>;
  /** Take a `manual` checkpoint of the plan as it is now. */
  createCheckpoint(ref: string, options?: { label?: string }): Promise<CheckpointSummary>;
  deleteCheckpoint(ref: string, checkpoint: string): Promise<CheckpointSummary>;
  /** Delete all but the newest `keep`, never the newest nor one an undo or a running child depends on. */
  pruneCheckpoints(ref: string, keep: number): Promise<{ deleted: string[]; kept: string[] }>;
  /** What `rollback` would do, changing nothing; with `clean`, what a correction's revert would (to the newest clean checkpoint). */
  previewRollback(ref: string, options?: { to?: string; clean?: boolean }): Promise<RollbackPreview>;
  /**
   * Roll back to a checkpoint (default: the newest before the current
   * state), SPEC §10. `to` is a checkpoint id or label, `step:N` (the
   * checkpoint just after step N) or `last-clean` (the newest clean one
   * before the current state that does not restore a failed phase).
   */
  rollback(ref: string, options?: { to?: string }): Promise<RollbackResult>;
  /** Correct a plan: revert to a clean checkpoint, or append steps; reconcile, then run on per the automation. */
  correct(ref: string, request: CorrectionRequest): Promise<CorrectionResult>;
}
