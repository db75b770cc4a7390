import type {
  Automation,
  Changeset,
  Decision,
  ErrorCode,
  InvariantResult,
  JournalEntry,
  Phase,
  PlanError,
  ReconcileOutcome,
  ReconcileTrigger,
  SandboxInfo,
  TieredInvariant,
} from '../../src/domain/index.js';

/** What a plan actor starts from. */
export interface PlanMachineInput {
  planId: string;
  name: string;
  automation: Automation;
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
}

/** What a reconciliation is about (kept in context so a restore re-runs the same one). */
export interface PendingReconcile {
  trigger: ReconcileTrigger;
  /** The decision that triggered it: the strategy root, the step, the correction. */
  decisionId: string | null;
  step?: number;
}

/** Commands a plan accepts (DESIGN §3). The runtime refuses the ones the state does not allow with `PHASE_GUARD`. */
export type PlanCommand =
  | { type: 'plan.strategize' }
  | { type: 'plan.execute' }
  | { type: 'plan.validate' }
  | { type: 'plan.apply' }
  /** Drive the plan as far as its automation allows, or up to `until`. */
  | { type: 'plan.run'; until?: Phase }
  | { type: 'plan.cancel'; reason?: string }
  /**
   * A correction was applied to the sandbox (its `correction` decision is
   * `decisionId`): reconcile with trigger `post-correction`, then
   * `(execute, queued)` when the invariants hold, `(execute, failed)` when not.
   */
  | { type: 'plan.corrected'; decisionId: string };

/** A failure an I/O actor reports as data (not a throw). */
export interface ActorFailure {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
}

/** Input of the `prepareSandbox` actor. */
export interface PrepareSandboxInput {
  planId: string;
  name: string;
  /** The sandbox already recorded, if any: the actor must return it unchanged. */
  sandbox: SandboxInfo | null;
}

/** Input of the `strategize` actor. */
export interface StrategizeInput {
  planId: string;
  sandbox: SandboxInfo;
}

/** What a strategist decided: every decision to record, the root, and the steps in order. */
export interface StrategizeOutput {
  decisions: Decision[];
  decisionRootId: string;
  steps: StepRef[];
  /** The plan's invariants in tier order (project, plan, parent), as the strategist saw them. */
  invariants: TieredInvariant[];
  /** Whether the runtime reconciles them (`reconciliation` of the plan file). */
  reconciliation: boolean;
}

/** Input of the `executeStep` actor: run step `index` (0-based, as decided) from the sandbox state at `sandbox.headCommit`. */
export interface ExecuteStepInput {
  planId: string;
  index: number;
  sandbox: SandboxInfo;
  /** The plan's changeset id once it has one; a step that writes updates that changeset. */
  changesetId: string | null;
}

/** One tool call a step made, journaled as `tool.called`. */
export interface ToolCallRecord {
  tool: string;
  success: boolean;
  durationMs: number;
  code?: ErrorCode;
}

/** What one executed step did. Failures are data: the plan fails the phase with `error`. */
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

/** What validate found. */
export type ValidateOutcome = { ok: true; results: ValidateResult[] } | { ok: false; results: ValidateResult[]; error: ActorFailure };

/** Input of the `apply` actor. */
export interface ApplyInput {
  planId: string;
  name: string;
  sandbox: SandboxInfo;
}

/** What apply did: the project commit, or null when there was nothing to apply. */
export type ApplyOutcome = { ok: true; commit: string | null } | { ok: false; error: ActorFailure };

/**
 * Events the machine emits for the runtime to store in the same batch as the
 * snapshot. `steps` is the plan's decided step list, in order (the record's
 * `strategyDecisionIds`). Journal entries of steps carry `index`; the runtime
 * adds the step's `title` from that list.
 */
export type PlanEmitted =
  | { type: 'journal'; entry: JournalEntry }
  | { type: 'decisions'; decisions: Decision[] }
  | { type: 'steps'; steps: StepRef[] }
  | { type: 'changeset'; changeset: Changeset }
  | ReconciliationEmitted;

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
