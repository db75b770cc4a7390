import type {
  Changeset,
  ContextView,
  FailurePolicy,
  MergeStrategy,
  PlanError,
  SubplanMode,
} from '../../src/domain/index.js';
import type { ActorFailure, StrategyResolution, SurfacedMerge } from '../outcomes.js';

/** A child plan of a group, as decided at strategize (its id and name are fixed there). */
export interface SupervisedChild {
  childId: string;
  name: string;
  /** The spawn decision that decided it. */
  decisionId: string;
  /** Children this one waits for (dependency-ordered mode), by child id. */
  dependsOn: string[];
  /**
   * Children this one waits for because their scopes overlap (`overlap:
   * serialize`), by child id: it starts once each merged — from the merged
   * result — or ended without merging (nothing left to collide with).
   * Absent: none (and in groups decided before overlap detection).
   */
  after?: string[];
  /** A registered project other than the parent's: not merged into the parent's sandbox. */
  project: string | null;
}

/**
 * A child's status as its parent sees it (SPEC §8).
 *
 * @example
 * const status: ChildStatus = 'retrying';
 * const running = Object.values(state.statuses).filter((child) => child.status === 'running').length;
 */
export type ChildStatus = 'pending' | 'running' | 'retrying' | 'complete' | 'failed' | 'cancelled' | 'invalidated';

/** What the supervisor knows of one child. */
export interface ChildState {
  status: ChildStatus;
  /** The attempt running or last run, from 1; 0 before the first starts. */
  attempt: number;
  error: PlanError | null;
  /** The parent sandbox commit the current attempt branched from. */
  spawnHead: string | null;
  /** When the current attempt times out (ms since the epoch); null without a timeout or before it started. */
  deadline: number | null;
  /** The child's sandbox head once it validated: what is merged. */
  head: string | null;
  /** Merged into the parent (or, for another project, settled to be applied with the root). */
  merged: boolean;
  /** The current attempt's child exists and its clock started (`startChild` answered). */
  started: boolean;
  /**
   * The child was cancelled on purpose (the child plan itself, by its user or
   * agent), or could not start because what it depends on was: the group goes
   * on without it and does not fail for it. Absent for every other child.
   */
  withdrawn?: true;
}

/**
 * How a group runs and merges (SPEC §4 `subplans`).
 *
 * @example
 * const config: GroupConfig = {
 *   mode: 'parallel', maxParallel: 4, mergeStrategy: 'three-way', failurePolicy: 'fail-fast', retries: 1, timeoutMs: null, contextView: 'skeleton',
 * };
 */
export interface GroupConfig {
  mode: SubplanMode;
  maxParallel: number;
  mergeStrategy: MergeStrategy;
  failurePolicy: FailurePolicy;
  retries: number;
  timeoutMs: number | null;
  contextView: ContextView;
}

/**
 * Everything a group's supervision is: it is the supervisor's input and its
 * output, and the parent keeps it in context, so a supervisor stopped (the
 * parent waits on a conflict) starts again exactly where it stood.
 *
 * @example
 * const state: SupervisorState = planActor.getSnapshot().context.group!;
 * const supervisor = createActor(subplanSupervisorMachine.provide({ actors }), { input: state }).start();
 */
export interface SupervisorState {
  planId: string;
  /** The parent's step that is this group. */
  stepIndex: number;
  groupDecisionId: string;
  config: GroupConfig;
  /** In entry order. */
  children: SupervisedChild[];
  /** The order children merge in (SPEC §9): entry order, or topological keeping entry order. */
  mergeOrder: string[];
  statuses: Record<string, ChildState>;
  /** The parent's sandbox head: the group's start, then after each merge. */
  head: string;
  /** The head every child of a parallel group forks from. */
  forkHead: string;
  /** The parent's changeset, which each merge updates (null until something changed). */
  changesetId: string | null;
  /** fail-fast was triggered: nothing new starts, running children are being cancelled. */
  stopping: boolean;
  /** The round of children being merged into the parent's sandbox, in merge order; empty when none is. */
  merging: string[];
  /** Cancellations (fail-fast) still being carried out. */
  cancelling: number;
}

/** Input of `startChild`: make (or reset, for a new attempt) the child at its spawn point; idempotent per attempt. */
export interface StartChildInput {
  planId: string;
  child: SupervisedChild;
  attempt: number;
  spawnHead: string;
  contextView: ContextView;
}

/** When the attempt started (the actor's clock: machines have none). */
export interface StartChildOutput {
  startedAt: number;
}

/** Input of `runChild`: drive the child to (validate, complete) — unless the user drives it — and wait for how it ends. */
export interface RunChildInput {
  planId: string;
  childId: string;
  attempt: number;
  /** Cancel the attempt at this time (ms since the epoch) and report a TIMEOUT. */
  deadline: number | null;
}

/** How a child's attempt ended. */
export type RunChildOutput =
  | { ok: true; head: string }
  | {
      ok: false;
      error: ActorFailure;
      cancelled?: boolean;
      /** The child plan itself was cancelled (not the attempt stopped by its parent): withdrawn from the group. */
      withdrawn?: boolean;
    };

/** One child of a merge round: what it branched from and what it ends at. */
export interface RoundChild {
  child: SupervisedChild;
  /** The commit the child branched from. */
  base: string;
  /** The child's final head. */
  theirs: string;
}

/**
 * Input of `mergeChild`: merge a round of validated children into the
 * parent's sandbox (SPEC §9), in merge order, each onto the merge commit of
 * the one before — every child that was ready when the round started.
 */
export interface MergeChildInput {
  planId: string;
  /** In merge order; never empty. */
  children: RoundChild[];
  /** The parent sandbox head the round starts from. */
  ours: string;
  strategy: MergeStrategy;
  /** The parent's changeset to update with what the round brought in. */
  changesetId: string | null;
}

/** One child a round merged: the parent's head after it, what a strategy settled, the files it brought in. */
export interface MergedChild {
  childId: string;
  head: string;
  settled: StrategyResolution[];
  files: string[];
}

/**
 * What a merge round did: the children it merged, in order (the parent's
 * sandbox is at the last one's head), the parent's changeset after them,
 * and — when it stopped before the end — the child whose merge conflicts
 * (merged onto the last head) or failed. Nothing after that child merged.
 */
export interface MergeChildOutput {
  merged: MergedChild[];
  changeset: Changeset | null;
  stopped?: { childId: string; merge: SurfacedMerge } | { childId: string; error: ActorFailure };
}

/** Input of `cancelChildren`: fail-fast stops these children. */
export interface CancelChildrenInput {
  planId: string;
  childIds: string[];
  reason: string;
}

/**
 * How a group ended: every child settled, a merge waits on conflicts, or a merge failed.
 *
 * @example
 * const output: SupervisorOutput = await toPromise(supervisor);
 * if (output.outcome === 'conflict') console.log('waiting on', output.childId, output.merge);
 * else if (output.outcome === 'done') console.log('failed children:', output.failed);
 */
export type SupervisorOutput =
  | { outcome: 'done'; state: SupervisorState; failed: string[] }
  | { outcome: 'conflict'; state: SupervisorState; childId: string; merge: SurfacedMerge }
  | { outcome: 'merge-failed'; state: SupervisorState; childId: string; error: ActorFailure };

/** One child whose status changed, as the parent journals it (`subplan.status`). */
export interface ChildChange {
  childId: string;
  name: string;
  status: ChildStatus;
  attempt: number;
  error: PlanError | null;
}

/**
 * What the supervisor tells its parent plan after every change: the whole
 * state (the parent keeps it), the children whose status changed and those
 * spawned (journaled), and the children a round just merged with what a
 * strategy settled.
 */
export interface SupervisorReport {
  type: 'subplans.changed';
  state: SupervisorState;
  changes: ChildChange[];
  spawned: string[];
  merged?: { children: MergedChild[]; changeset: Changeset | null };
}
