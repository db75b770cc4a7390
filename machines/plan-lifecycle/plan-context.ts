import type { GroupConfig, SupervisorState } from '../subplan-supervisor/types.js';
import type {
  Automation,
  ContextView,
  MergeStrategy,
  Phase,
  PlanError,
  PredictedConflict,
  ReconcileTrigger,
  SandboxInfo,
  SubplanStatus,
  TieredInvariant,
} from '../../src/domain/index.js';

// What a plan actor starts from and what it keeps: the persisted part of a
// plan's snapshot. A field added here changes the stored shape (PLAN_MACHINE_VERSION).

/**
 * What a plan actor starts from.
 *
 * @example
 * const input: PlanMachineInput = { planId: plan.id, name: 'demo/x', automation: 'review' };
 * const actor = createActor(planLifecycleMachine, { input }).start();
 */
export interface PlanMachineInput {
  planId: string;
  name: string;
  automation: Automation;
  /** For a child plan: its parent, the sandbox made at its spawn point, its attempt, what its strategist sees of the parent. */
  child?: ChildOrigin;
}

/** Where a child plan comes from (SPEC §8). */
export interface ChildOrigin {
  parentId: string;
  /** The spawn decision (in the parent) that decided it. */
  decisionId: string;
  sandbox: SandboxInfo;
  attempt: number;
  contextView: ContextView;
}

/**
 * The plan actor's context. It holds ids, counters and cursors — never the
 * history, nor the list of decided steps: decisions, the step list, journal
 * events and changesets are emitted and stored beside the snapshot, so a
 * snapshot stays the same small size however long the plan is.
 *
 * @example
 * const context: PlanContext = actor.getSnapshot().context;
 * console.log(context.phase, context.stepCount, context.lastCompletedStep, context.error?.code);
 */
export interface PlanContext {
  planId: string;
  name: string;
  automation: Automation;
  /** The phase the plan is in, or was in when it ended. */
  phase: Phase;
  /** The last phase the current drive runs to; null when nothing drives the plan. */
  target: Phase | null;
  decisionRootId: string | null;
  /** How many steps strategize decided (the steps themselves: the `steps` emitted event). */
  stepCount: number;
  lastCompletedStep: number | null;
  toolCalls: number;
  sandbox: SandboxInfo | null;
  changesetId: string | null;
  appliedCommit: string | null;
  error: PlanError | null;
  lastCheckpointId: string | null;
  reversionCount: number;
  /**
   * The invariants reconciled at every trigger, in tier order, fixed when
   * strategize completes (a restored plan checks the same rules it started with).
   */
  invariants: TieredInvariant[];
  /** False when the plan file says `reconciliation: false`: no trigger checks anything. */
  reconciliation: boolean;
  /** The reconciliation under way or about to start: its trigger, the decision it goes under, the step it follows. */
  pendingReconcile: PendingReconcile | null;
  /** How apply settles conflicts (`troupe plan apply --strategy`); kept so a restored apply merges the same way. */
  applyStrategy: MergeStrategy;
  /** A merge that stopped on conflicts, until it is applied (SPEC §9); null when none. */
  merge: PendingMerge | null;
  /** Set for a child plan: its parent merges it instead of applying it. */
  child: ChildOrigin | null;
  /** The steps (0-based) that are groups of subplans. */
  groupSteps: number[];
  /** The group of subplans being supervised (or waiting on a conflicting merge); null between groups. */
  group: SupervisorState | null;
  /** Every child's status, kept for the record across groups (SPEC §13 `subplanStatuses`). */
  subplanStatuses: Record<string, SubplanStatus>;
  /** The config of the last group that ran (SPEC §13 `subplanConfig`). */
  subplanConfig: (GroupConfig & { stepIndex: number }) | null;
  /** The last reconciliation passed (or none failed yet): a checkpoint taken now is `clean`. */
  clean: boolean;
  /** Successful tool calls that wrote to the sandbox (a checkpoint's `sideEffects`). */
  sideEffects: number;
  /**
   * The plan is agent-driven (SPEC §16): it has no decided steps, and once
   * its decided ones ran it stays open in execute for steps from outside
   * (`plan.step`) until `plan.finish`.
   */
  open: boolean;
  /**
   * Steps a correction appended, running: their reconciliation waits for the
   * last of them (`through`, 0-based), which reconciles as `post-correction`
   * under the correction's decision (SPEC §10). Null when none runs.
   */
  correction: { decisionId: string; through: number } | null;
  /**
   * How many of an agent's calls were reads: commands that changed nothing,
   * recorded without a step number, commit or checkpoint (read N is the Nth).
   * Absent in a plan stored before reads were counted: none.
   */
  reads?: number;
  /**
   * Conflicts between children of the current (or last) group, predicted
   * while they ran (docs/reference/subplans.md): the record's `predictedConflicts`.
   * Absent in a plan stored before predictions: none.
   */
  predictedConflicts?: PredictedConflict[];
}

/**
 * A merge that surfaced conflicts: the commits it merged, the files that
 * conflicted and those still open, and — once the user resolved every one
 * — the merge commit. Only file names live here; the conflicts themselves
 * (hunks, resolutions) are stored beside the snapshot, one record per file.
 */
export interface PendingMerge {
  /** Where the merge lands: `project` for apply, `sandbox` for a child plan merged into this plan's sandbox. */
  target: 'project' | 'sandbox';
  /** The child plan whose result conflicted (target `sandbox`), else null. */
  child: string | null;
  base: string;
  ours: string;
  theirs: string;
  /** `ours` with every part that merged cleanly; conflicting files as ours has them. */
  clean: string;
  /** Every file that conflicted, in path order. */
  files: string[];
  /** The files still waiting for `troupe plan resolve`. */
  open: string[];
  /** The merge commit (clean parts and every resolution), made when none are open. */
  commit: string | null;
}

/** What a reconciliation is about (kept in context so a restore re-runs the same one). */
export interface PendingReconcile {
  trigger: ReconcileTrigger;
  /** The decision that triggered it: the strategy root, the step, the correction. */
  decisionId: string | null;
  step?: number;
  /** The step wrote to the sandbox: a `step` checkpoint follows its reconciliation. */
  wrote?: boolean;
  /** Not checked now: a step a correction appended, before its last one (the checkpoint is still taken). */
  deferred?: boolean;
}
