import type { ActorFailure, StrategyResolution, SurfacedConflict, SurfacedMerge } from '../outcomes.js';
import type { GroupConfig, SupervisorReport, SupervisorState } from '../subplan-supervisor/types.js';
import type {
  Automation,
  Changeset,
  CheckpointTrigger,
  RestoreStatus,
  MergeStrategy,
  ResolutionSource,
  Decision,
  ErrorCode,
  InvariantResult,
  JournalEntry,
  Phase,
  PlanError,
  ReconcileOutcome,
  ReconcileTrigger,
  SandboxInfo,
  SubplanStatus,
  ContextView,
  TieredInvariant,
} from '../../src/domain/index.js';

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

/** A decided step: its decision id and title (the payload stays in the decision). */
export interface StepRef {
  decisionId: string;
  title: string;
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

/**
 * Commands a plan accepts (DESIGN §3). The runtime refuses the ones the state does not allow with `PHASE_GUARD`.
 *
 * @example
 * const command: PlanCommand = { type: 'plan.run', until: 'validate' };
 * actor.send(command);
 * actor.send({ type: 'plan.apply', strategy: 'theirs' });
 */
export type PlanCommand =
  | { type: 'plan.strategize' }
  | { type: 'plan.execute' }
  | { type: 'plan.validate' }
  /** Apply; `strategy` (default three-way) says how conflicts are settled. */
  | { type: 'plan.apply'; strategy?: MergeStrategy }
  /** Drive the plan as far as its automation allows, or up to `until`. */
  | { type: 'plan.run'; until?: Phase }
  | { type: 'plan.cancel'; reason?: string }
  /**
   * A correction was applied to the sandbox (its `correction` decision is
   * `decisionId`): reconcile with trigger `post-correction`, then
   * `(execute, queued)` when the invariants hold, `(execute, failed)` when not.
   */
  | {
      type: 'plan.corrected';
      decisionId: string;
      /** Steps a correction appended right after the last executed one (their decisions are in the runtime's step list). */
      appended?: number;
    }
  /**
   * An agent-driven plan open for steps takes one more (SPEC §16): its step
   * decision is already in the runtime's step list, right after the last
   * executed one; `group` when it is a group of subplans.
   */
  | { type: 'plan.step'; group?: boolean }
  /**
   * The agent of an open plan is done: execute completes, and the plan is
   * driven on as `plan.run` would for its automation (or up to `until`).
   */
  | { type: 'plan.finish'; until?: Phase }
  /** The supervisor of the running group reports (sent by the child machine). */
  | SupervisorReport
  /** A child plan's parent merged it: the child is done (its apply is that merge). */
  | { type: 'plan.merged'; commit: string }
  /**
   * The user resolved one conflicting file of the waiting merge (its
   * resolution is stored by the runtime in the same batch). When none are
   * left the merge commit is made.
   */
  | { type: 'plan.resolve'; file: string; with: ResolutionSource };


/** Input of the `prepareSandbox` actor. */
export interface PrepareSandboxInput {
  planId: string;
  name: string;
  /** The sandbox already recorded, if any: the actor must return it unchanged. */
  sandbox: SandboxInfo | null;
  /** A child plan's sandbox stays at its spawn point; a root plan's untouched sandbox follows the project's HEAD. */
  child: boolean;
}

/** Input of the `strategize` actor. */
export interface StrategizeInput {
  planId: string;
  sandbox: SandboxInfo;
  /** For a child plan, where it comes from (its parent and `contextView`). */
  child: ChildOrigin | null;
}

/**
 * What a strategist decided: every decision to record, the root, and the steps in order.
 *
 * @example
 * const strategize = fromPromise(async ({ input }): Promise<StrategizeOutput> => decideSteps(input));
 * const machine = planLifecycleMachine.provide({ actors: { strategize } });
 */
export interface StrategizeOutput {
  decisions: Decision[];
  decisionRootId: string;
  steps: StepRef[];
  /** The plan's invariants in tier order (project, plan, parent), as the strategist saw them. */
  invariants: TieredInvariant[];
  /** The steps (0-based) that are groups of subplans; their spawn decisions are among `decisions`. */
  groupSteps: number[];
  /** Whether the runtime reconciles them (`reconciliation` of the plan file). */
  reconciliation: boolean;
  /** The plan takes its steps from outside after these (an agent-driven plan, SPEC §16). */
  open?: boolean;
}

/** Input of the `executeStep` actor: run step `index` (0-based, as decided) from the sandbox state at `sandbox.headCommit`. */
export interface ExecuteStepInput {
  planId: string;
  index: number;
  sandbox: SandboxInfo;
  /** The plan's changeset id once it has one; a step that writes updates that changeset. */
  changesetId: string | null;
  /** A step that fails leaves nothing behind: the sandbox goes back to `sandbox.headCommit` (an agent's call, SPEC §16). */
  discardOnFailure?: boolean;
}

/** One tool call a step made, journaled as `tool.called`. */
export interface ToolCallRecord {
  tool: string;
  success: boolean;
  /** The tool may write to the sandbox (`fs_write`, `exec`): counted in a checkpoint's `sideEffects`. */
  writes?: boolean;
  durationMs: number;
  code?: ErrorCode;
}

/**
 * What one executed step did. Failures are data: the plan fails the phase with `error`.
 *
 * @example
 * const executeStep = fromPromise(async ({ input }): Promise<StepOutcome> => runStep(input));
 * // a failure is data: { ok: false, index, error, calls }
 */
export type StepOutcome =
  | { ok: true; index: number; decisionId: string; headCommit: string; changeset: Changeset | null; calls: ToolCallRecord[] }
  | { ok: false; index: number; error: ActorFailure; calls: ToolCallRecord[] };

/** Input of the `validate` actor. */
export interface ValidateInput {
  planId: string;
  sandbox: SandboxInfo;
}

/** One validate command's result. */
export interface ValidateResult {
  run: string;
  exitCode: number | null;
  durationMs: number;
}

/**
 * What validate found.
 *
 * @example
 * const outcome: ValidateOutcome = { ok: true, results: [{ run: 'npm test', exitCode: 0, durationMs: 5120 }] };
 * const validate = fromPromise(async (): Promise<ValidateOutcome> => outcome);
 */
export type ValidateOutcome = { ok: true; results: ValidateResult[] } | { ok: false; results: ValidateResult[]; error: ActorFailure };

/** Input of the `apply` actor. */
export interface ApplyInput {
  planId: string;
  name: string;
  sandbox: SandboxInfo;
  strategy: MergeStrategy;
  /**
   * A merge whose conflicts the user resolved: apply `base..head` (the
   * project commit the merge was made on, and the merge commit) instead of
   * the sandbox's own `base..head`.
   */
  merged: { base: string; head: string } | null;
}




/**
 * What apply did: the project commit (null when there was nothing to
 * apply) and what a strategy settled; the conflicts it surfaced; or why it
 * failed.
 *
 * @example
 * const apply = fromPromise(async ({ input }): Promise<ApplyOutcome> => ({ ok: true, commit: await mergeIntoProject(input) }));
 * const machine = planLifecycleMachine.provide({ actors: { apply } });
 */
export type ApplyOutcome =
  | { ok: true; commit: string | null; resolved?: StrategyResolution[]; projects?: { name: string; project: string; commit: string | null }[] }
  | { ok: false; merge: SurfacedMerge }
  | { ok: false; error: ActorFailure };

/** Input of the `commitMerge` actor: the merge whose every conflict is resolved. */
export interface CommitMergeInput {
  planId: string;
  name: string;
  merge: PendingMerge;
  /** The plan's sandbox, moved to the merge commit when the merge lands there. */
  sandbox: SandboxInfo | null;
}

/** Input of `loadGroup`: the group of subplans of step `index`, read from its decisions. */
export interface LoadGroupInput {
  planId: string;
  name: string;
  index: number;
  /** The parent sandbox head the group starts from. */
  head: string;
  changesetId: string | null;
}

/** The merge commit, and how each conflicting file was resolved. */
export interface CommitMergeOutput {
  commit: string;
  resolved: { file: string; with: ResolutionSource }[];
}

/**
 * Events the machine emits for the runtime to store in the same batch as the
 * snapshot. `steps` is the plan's decided step list, in order (the record's
 * `strategyDecisionIds`). Journal entries of steps carry `index`; the runtime
 * adds the step's `title` from that list.
 *
 * @example
 * actor.on('*', (emitted: PlanEmitted) => {
 *   if (emitted.type === 'decisions') pending.push(...emitted.decisions);
 * });
 */
export type PlanEmitted =
  | { type: 'journal'; entry: JournalEntry }
  | { type: 'decisions'; decisions: Decision[] }
  | { type: 'steps'; steps: StepRef[] }
  | { type: 'changeset'; changeset: Changeset }
  | ReconciliationEmitted
  | ConflictsEmitted
  | MergeEmitted
  | CheckpointEmitted;

/**
 * A checkpoint to take with the snapshot of this transition (SPEC §10): the
 * context to restore (already cleared of work in flight) and the state at
 * rest it restores to. The runtime adds ids, times and the stored snapshot.
 */
export interface CheckpointEmitted {
  type: 'checkpoint';
  trigger: CheckpointTrigger;
  point: { phase: Phase; status: RestoreStatus };
  context: PlanContext;
}

/**
 * Conflicts changed: `open` are stored (one record per file, child null for
 * apply), `closed` files are removed. Written with the snapshot.
 */
export interface ConflictsEmitted {
  type: 'conflicts';
  /** The child plan whose merge these are about (a subplan merge), else none (apply). */
  child?: string;
  open?: SurfacedConflict[];
  closed?: string[];
  /** What a strategy settled: a `conflict_resolution` decision each. */
  settled?: StrategyResolution[];
}

/** A merge that needed the user was committed: the runtime records the `merge` decision. */
export interface MergeEmitted {
  type: 'merge';
  parentId: string | null;
  merge: PendingMerge & { commit: string };
  resolved: CommitMergeOutput['resolved'];
}

/**
 * A reconciliation ended: the runtime records it as a `reconciliation`
 * decision under `parentId` (SPEC §6) in the same batch as the snapshot.
 */
export interface ReconciliationEmitted {
  type: 'reconciliation';
  parentId: string | null;
  trigger: ReconcileTrigger;
  step?: number;
  outcome: ReconcileOutcome;
  results: InvariantResult[];
}

export type { ActorFailure, StrategyResolution, SurfacedConflict, SurfacedMerge };
