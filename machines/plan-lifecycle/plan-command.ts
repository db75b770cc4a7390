import type { SupervisorReport } from '../subplan-supervisor/types.js';
import type { ActorFailure } from '../outcomes.js';
import type {
  MergeStrategy,
  Phase,
  PredictedConflict,
  ResolutionSource,
  TieredInvariant,
} from '../../src/domain/index.js';

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
   * The plan goes on with an edited plan file (`plan update`): the
   * invariants it reconciles from now on, tiered as strategize tiers them.
   */
  | { type: 'plan.updated'; invariants: TieredInvariant[] }
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
  /**
   * The agent of an open plan cannot go on (its model is unavailable, or
   * used up its calls): execute fails with `error`, the sandbox as its
   * calls left it, open for a correction or a rollback.
   */
  | { type: 'plan.fail'; error: ActorFailure }
  /** The supervisor of the running group reports (sent by the child machine). */
  | SupervisorReport
  /**
   * The runtime merged running children's heads and found conflicts ahead
   * (docs/reference/subplans.md): recorded and journaled once per pair and file, while
   * the group of `step` is this plan's.
   */
  | { type: 'subplans.predicted'; step: number; predictions: PredictedConflict[] }
  /** A child plan's parent merged it: the child is done (its apply is that merge). */
  | { type: 'plan.merged'; commit: string }
  /**
   * The user resolved one conflicting file of the waiting merge (its
   * resolution is stored by the runtime in the same batch). When none are
   * left the merge commit is made.
   */
  | { type: 'plan.resolve'; file: string; with: ResolutionSource };
