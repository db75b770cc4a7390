import type { StrategyResolution, SurfacedConflict } from '../outcomes.js';
import type {
  Changeset,
  CheckpointTrigger,
  Decision,
  InvariantResult,
  JournalEntry,
  Phase,
  ReconcileOutcome,
  ReconcileTrigger,
  RestoreStatus,
} from '../../src/domain/index.js';
import type { CommitMergeOutput, StepRef } from './actor-io.js';
import type { PendingMerge, PlanContext } from './plan-context.js';

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
  | ReadEmitted
  | ReconciliationEmitted
  | ConflictsEmitted
  | MergeEmitted
  | CheckpointEmitted;

/**
 * An agent's call that ran as step `step` changed nothing: it is a read. The
 * runtime takes it off the step list and stores `decision` (the same
 * decision, now a `tool_call` read) in place of the step decision.
 */
export interface ReadEmitted {
  type: 'read';
  step: number;
  decision: Decision;
}

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
  /** The child plan's name, for a child's merge (its id when unknown); null for apply. */
  childName: string | null;
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
