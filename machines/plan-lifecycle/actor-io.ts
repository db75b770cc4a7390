import type { ActorFailure, StrategyResolution, SurfacedMerge } from '../outcomes.js';
import type {
  Changeset,
  Decision,
  ErrorCode,
  JournalEntry,
  MergeStrategy,
  ResolutionSource,
  SandboxInfo,
  TieredInvariant,
} from '../../src/domain/index.js';
import type { ChildOrigin, PendingMerge } from './plan-context.js';

// What the plan machine asks of the actors the runtime provides (actors/), and
// what they answer. Failures are data in an outcome, not a throw (DESIGN §3).

/** A decided step: its decision id and title (the payload stays in the decision). */
export interface StepRef {
  decisionId: string;
  title: string;
}

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
  /** Journal entries of what strategize found (`overlap.detected`), journaled with its decisions. */
  entries?: JournalEntry[];
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
  /** An agent's call: when it succeeds and changes nothing it is a read, not a step (its decision comes back in `read`). */
  readIfUnchanged?: boolean;
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
  | {
      ok: true;
      index: number;
      decisionId: string;
      headCommit: string;
      changeset: Changeset | null;
      calls: ToolCallRecord[];
      /** Asked with `readIfUnchanged` and nothing changed: the call's step decision, which the plan records as a read instead. */
      read?: Decision;
      /** Files the step's commands left set-user-ID or set-group-ID, whose bits were removed before its commit (relative paths). */
      setIdCleared?: string[];
    }
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
export type ValidateOutcome =
  { ok: true; results: ValidateResult[] } | { ok: false; results: ValidateResult[]; error: ActorFailure };

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
  | {
      ok: true;
      commit: string | null;
      resolved?: StrategyResolution[];
      projects?: { name: string; project: string; commit: string | null }[];
    }
  | { ok: false; merge: SurfacedMerge }
  | { ok: false; error: ActorFailure };

/** Input of the `commitMerge` actor: the merge whose every conflict is resolved. */
export interface CommitMergeInput {
  planId: string;
  name: string;
  merge: PendingMerge;
  /** The plan's sandbox, moved to the merge commit when the merge lands there. */
  sandbox: SandboxInfo | null;
  /** The plan's changeset id: the resolved merge rewrites that changeset. */
  changesetId: string | null;
  /** The child plan's name for a child's merge (its id when unknown), for the commit message; null for apply. */
  childName: string | null;
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
  /**
   * What the plan changes once the merge is made (`troupe plan changes`):
   * the sandbox's base..merge commit for a child's merge; for
   * apply, the project's branch as merged onto..merge commit — what the
   * next apply brings. Null when it could not be read (no sandbox).
   */
  changeset: Changeset | null;
}
