// The plans part of the Runtime interface (SPEC §2, §4, §5): creating, reading, driving and
// cancelling plans, and what they changed. runtime.ts assembles Runtime from a part per wing.
import type {
  Changeset,
  DecisionNode,
  MergeStrategy,
  ModelUsage,
  Phase,
  PlanHolder,
  PlanRecord,
  UpdatableField,
} from '../../domain/index.js';

/**
 * How far `run` drives a plan.
 *
 * @example
 * const options: RunOptions = { until: 'validate' };
 * const record = await runtime.run('demo/x', options);
 */
export interface RunOptions {
  /** Stop after this phase, whatever the automation says. */
  until?: Phase;
  /**
   * Run it on a worker (docs/how-to/scale-out.md): the plan becomes a job of the
   * project's queue, at most to validate; its branch comes back here, where
   * it is applied. Needs a PostgreSQL store, a queue and a shared remote.
   */
  remote?: boolean;
}

/**
 * Options of {@link PlanMethods.runPhase | runtime.runPhase}.
 *
 * @example
 * const options: PhaseOptions = { strategy: 'three-way' };
 * await runtime.runPhase('demo/x', 'apply', options);
 */
export interface PhaseOptions {
  /** For apply: how conflicts are settled (default `three-way`: they wait for the user). */
  strategy?: MergeStrategy;
}

/**
 * The decision tree of a plan (`plan explain --json`).
 *
 * @example
 * const tree: DecisionTree = await runtime.explain('demo/x');
 * console.log(tree.root?.title, tree.root?.children.length);
 */
export interface DecisionTree {
  planId: string;
  root: DecisionNode | null;
  /** What the plan's model calls cost in all: calls, tokens, time; null when it called no model. */
  models: ModelUsage | null;
}

/**
 * Whether a process drives a plan now (`plan status --json`'s `live`), and
 * the last line its running command wrote.
 *
 * @example
 * const [liveness] = await runtime.liveness([plan.id]);
 * if (!liveness?.live) console.log('stopped: troupe plan resume', plan.name);
 */
export interface PlanLiveness {
  planId: string;
  /**
   * A process holds the plan now (its claim): this one, or another on a
   * store many processes open. False for a plan whose process died — on
   * PostgreSQL once the server ended that process's connection (docs/how-to/scale-out.md).
   * In the first 5 s after a PostgreSQL server restart, the answer waits for
   * a plan found unheld until its process takes it back or those seconds pass.
   */
  live: boolean;
  /** The last line of output of the command the plan runs now, when it runs in the process that answers; null otherwise. */
  output: string | null;
  /**
   * The worker that took the plan from the queue (`troupe worker`,
   * docs/how-to/scale-out.md) and when it was last heard from; null for a plan no
   * worker holds. With `live` false it is the worker that stopped answering.
   */
  holder: PlanHolder | null;
}

/**
 * What a plan changed, as a unified diff (`plan_changes {patch: true}`).
 *
 * @example
 * const { patch, truncated } = await runtime.patch('demo/x', { maxBytes: 65_536 });
 * console.log(patch, truncated ? '(more)' : '');
 */
export interface PlanPatch {
  planId: string;
  base: string | null;
  head: string | null;
  patch: string;
  truncated: boolean;
}

/**
 * Options of {@link PlanMethods.updatePlan | runtime.updatePlan}.
 *
 * @example
 * const options: PlanUpdateOptions = { origin: 'plans/x.yaml', reason: 'pytest from the venv' };
 */
export interface PlanUpdateOptions {
  /** What the file is called in errors (`plans/x.yaml: name: …`); `plan file` when absent. */
  origin?: string;
  /** Why, recorded as the `plan_update` decision's rationale. */
  reason?: string;
}

/**
 * What {@link PlanMethods.updatePlan | runtime.updatePlan} changed.
 *
 * @example
 * const { changed, decisionId } = await runtime.updatePlan('demo/x', editedYaml);
 * console.log(changed.length === 0 ? 'nothing to change' : `updated ${changed.join(', ')} (${decisionId})`);
 */
export interface PlanUpdateResult {
  planId: string;
  /** The fields the file changed (`validate`, `env`, `invariants`, `sandbox.limits`, `network`); empty when it changed nothing. */
  changed: UpdatableField[];
  /** The changed fields as they were and as they are now (`sandbox.limits` under that key): the decision's payload. */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  /** The `plan_update` decision; null when nothing changed (nothing was recorded). */
  decisionId: string | null;
  /** The plan's record after the update. */
  plan: PlanRecord;
}

/**
 * The Runtime's plans (SPEC §4–5): create a plan from a plan file, read and
 * list plans, drive them phase by phase or as far as their automation goes,
 * cancel them, resume what a dead process left, and read what they changed.
 *
 * @example
 * const plan = await runtime.createPlan({ name: 'demo/x', goal: 'Say hello' });
 * const record = await runtime.run(plan.id, { until: 'validate' });
 * console.log(record.phase, record.status, (await runtime.changes(plan.id))?.files.length);
 */
export interface PlanMethods {
  /**
   * Create a plan from a plan file (YAML/JSON text or an object). Nothing is
   * written when it is invalid. With `replace`, a plan that holds the name
   * and has ended (done, cancelled, invalidated) is deleted first, as by
   * `deletePlan`; one that has not ended is `PHASE_GUARD`.
   */
  createPlan(source: unknown, options?: { origin?: string; replace?: boolean }): Promise<PlanRecord>;
  /**
   * Go on with an edited plan file (`troupe plan update`): its `validate`,
   * `env`, `invariants`, `sandbox.limits` and `network` replace the plan's,
   * checked as `createPlan` checks a file, recorded as a `plan_update`
   * decision and `plan.updated`. The next step, check or validate run reads
   * them. Another field that differs is `VALIDATION_ERROR` naming each; a
   * plan that ended, is at apply or passed validate is `PHASE_GUARD`.
   */
  updatePlan(ref: string, source: unknown, options?: PlanUpdateOptions): Promise<PlanUpdateResult>;
  getPlan(ref: string): Promise<PlanRecord>;
  /** Plans oldest first; without `all`, only plans that have not ended. */
  listPlans(options?: { all?: boolean }): Promise<PlanRecord[]>;
  /** Of these plans (ids), whether a process drives each now, in the same order; reading takes no claim and starts nothing. */
  liveness(planIds: readonly string[]): Promise<PlanLiveness[]>;
  /** Drive a plan as far as its automation (or `until`) allows; resolves when it stops. */
  run(ref: string, options?: RunOptions): Promise<PlanRecord>;
  /**
   * Run exactly one phase; `PHASE_GUARD` when the plan is not ready for it,
   * `MERGE_CONFLICT` naming the files when it waits on conflicts.
   */
  runPhase(ref: string, phase: Phase, options?: PhaseOptions): Promise<PlanRecord>;
  cancel(ref: string, options?: { reason?: string }): Promise<PlanRecord>;
  explain(ref: string): Promise<DecisionTree>;
  /** Continue plans a dead process left: one, or every plan that has not ended; resolves when they are at rest. */
  resume(ref?: string): Promise<PlanRecord[]>;
  /** The plan's changeset, or null before a step changed anything. */
  changes(ref: string): Promise<Changeset | null>;
  /** The unified diff of what the plan changed in its sandbox (base to head), at most `maxBytes` (default 256 KiB; `truncated` says there was more). */
  patch(ref: string, options?: { maxBytes?: number }): Promise<PlanPatch>;
}
