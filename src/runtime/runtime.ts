import type { Changeset, DecisionNode, JournalEvent, Phase, PlanRecord } from '../domain/index.js';

/** How far `run` drives a plan. */
export interface RunOptions {
  /** Stop after this phase, whatever the automation says. */
  until?: Phase;
}

/** The decision tree of a plan (`plan explain --json`). */
export interface DecisionTree {
  planId: string;
  root: DecisionNode | null;
}

/** The result of `init`. */
export interface InitResult {
  root: string;
  created: boolean;
}

/**
 * The Runtime interface (SPEC §14, DESIGN §7): the same API whether the
 * plans run in this process or in the process that owns the store, reached
 * over `.troupe/host.sock`. The CLI and the UI only use this.
 *
 * Anywhere a method takes `ref`, it accepts a plan id, its full name, or a
 * unique id prefix of at least 6 characters.
 */
export interface Runtime {
  /** The project root (absolute). */
  readonly dir: string;
  /** Create a plan from a plan file (YAML/JSON text or an object). Nothing is written when it is invalid. */
  createPlan(source: unknown, options?: { origin?: string }): Promise<PlanRecord>;
  getPlan(ref: string): Promise<PlanRecord>;
  /** Plans oldest first; without `all`, only plans that have not ended. */
  listPlans(options?: { all?: boolean }): Promise<PlanRecord[]>;
  /** Drive a plan as far as its automation (or `until`) allows; resolves when it stops. */
  run(ref: string, options?: RunOptions): Promise<PlanRecord>;
  /** Run exactly one phase; `PHASE_GUARD` when the plan is not ready for it. */
  runPhase(ref: string, phase: Phase): Promise<PlanRecord>;
  cancel(ref: string, options?: { reason?: string }): Promise<PlanRecord>;
  explain(ref: string): Promise<DecisionTree>;
  /** The plan's changeset, or null before a step changed anything. */
  changes(ref: string): Promise<Changeset | null>;
  /** The journal after `afterSeq`, oldest first. */
  events(ref: string, options?: { afterSeq?: number; limit?: number }): Promise<JournalEvent[]>;
  /** Listen to a plan's events (or all plans' with `'*'`) as they are persisted; returns the unsubscribe. */
  subscribe(planIdOrAll: string, listener: (event: JournalEvent) => void): () => void;
  /** Stop the runtime: pending writes land, actors stop (a running step is resumed next time), the store closes. */
  close(): Promise<void>;
}
