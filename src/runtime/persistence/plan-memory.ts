import {
  NotFoundError,
  withModelCall,
  type Decision,
  type ModelCallPayload,
  type ModelUsage,
  type PlanRecord,
  type PlanSpec,
} from '../../domain/index.js';
import type { StepRef } from '../../../machines/index.js';
import type { Store } from '../../store/index.js';

interface Known {
  decisions: Map<string, Decision>;
  steps: readonly StepRef[];
  stepIds: readonly string[];
  record: PlanRecord | null;
  /** What the plan's model calls cost so far: its record's `models`. */
  models: ModelUsage | null;
}

const NO_IDS: readonly string[] = Object.freeze([]);

/**
 * What this runtime keeps in memory about its live plans: their decisions by
 * id, their decided steps in order, the record last written, and plan files.
 *
 * The plan machine keeps only a step count (so its snapshot stays small
 * however long the plan); the step list lives here and in the record
 * (`strategyDecisionIds`). Step decisions are readable the moment the
 * machine emits them: actors do not wait for the write that recorded them —
 * they are idempotent, so running ahead of the write is safe.
 */
export class PlanMemory {
  readonly #plans = new Map<string, Known>();
  // plan files, read by every step and check: kept apart from the rest, as
  // children read their parents' while those are not live here
  readonly #specs = new Map<string, PlanSpec>();
  // plan files being read: the children a worker starts together read their parent's once, not once each
  readonly #specReads = new Map<string, Promise<PlanSpec>>();
  // records of plans just claimed, read ahead of their actors' first ask (null: the read failed)
  readonly #recordReads = new Map<string, Promise<PlanRecord | null>>();
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Decisions a plan just recorded; a model call is counted in the plan's `models`. */
  remember(planId: string, decisions: readonly Decision[]): void {
    const known = this.#known(planId);
    for (const decision of decisions) {
      known.decisions.set(decision.id, decision);
      if (decision.type === 'model_call')
        known.models = withModelCall(known.models, decision.payload as ModelCallPayload);
    }
  }

  /** What the plan's model calls cost so far (written in its record), null before its first. */
  modelUsage(planId: string): ModelUsage | null {
    return this.#plans.get(planId)?.models ?? null;
  }

  /** The plan's decided steps, in order (replacing any earlier list: a restarted strategize). */
  setSteps(planId: string, steps: readonly StepRef[]): void {
    const known = this.#known(planId);
    known.steps = Object.freeze([...steps]);
    // one frozen array, shared by every record written until the list changes
    known.stepIds = Object.freeze(steps.map((step) => step.decisionId));
  }

  /** The ids of the plan's decided steps, in order ([] before strategize). The same array until the list changes. */
  stepIds(planId: string): readonly string[] {
    return this.#plans.get(planId)?.stepIds ?? NO_IDS;
  }

  /** The title of the plan's step `index`, if it has one. */
  stepTitle(planId: string, index: number): string | undefined {
    return this.#plans.get(planId)?.steps[index]?.title;
  }

  /** The decision of the plan's step `index`: from memory, else from the store. */
  async step(planId: string, index: number): Promise<Decision> {
    const ref = this.#plans.get(planId)?.steps[index];
    if (!ref) throw new NotFoundError('step', `${index + 1} of plan ${planId}`);
    return this.decision(planId, ref.decisionId);
  }

  /** A decision of the plan: from memory (recorded, maybe not yet written), else from the store. */
  async decision(planId: string, decisionId: string): Promise<Decision> {
    const known = this.#plans.get(planId)?.decisions.get(decisionId);
    if (known) return known;
    const stored = await this.#store.getDecision(planId, decisionId);
    if (!stored) throw new NotFoundError('decision', decisionId);
    return stored;
  }

  /** The plan's record as last written by this runtime (frozen). */
  setRecord(planId: string, record: PlanRecord): void {
    this.#known(planId).record = Object.freeze(record);
    this.#recordReads.delete(planId);
  }

  /** The plan's record: as last written, else as read ahead ({@link readAhead}), else from the store. */
  async record(planId: string): Promise<PlanRecord> {
    const known = this.#plans.get(planId)?.record;
    if (known) return known;
    const ahead = this.#recordReads.get(planId);
    // a read ahead that failed (the store away a moment) is made again here, where the caller waits an outage out
    const stored = (ahead ? await ahead : null) ?? (await this.#store.getPlan(planId));
    if (!stored) throw new NotFoundError('plan', planId);
    return stored;
  }

  /**
   * Start reading the plan's record and plan file now, for the actors that
   * will ask for them: a plan this process just claimed, restored while it
   * does other work (a worker checks a child's sandbox out meanwhile). A
   * record remembered from before the claim is dropped: another process may
   * have written the plan since. The claim is held, so nothing but this
   * runtime writes the plan until it lets it go; what it writes supersedes
   * what was read.
   */
  readAhead(planId: string): void {
    this.spec(planId).catch(() => {});
    const known = this.#plans.get(planId);
    if (known) known.record = null;
    this.#recordReads.set(
      planId,
      this.#store.getPlan(planId).catch(() => null),
    );
  }

  /**
   * The plan's plan file: once read, from memory. It changes only when a new
   * spawn decision of its parent takes the plan over ({@link setSpec}).
   */
  async spec(planId: string): Promise<PlanSpec> {
    const known = this.#specs.get(planId);
    if (known) return known;
    let reading = this.#specReads.get(planId);
    if (!reading) {
      reading = this.#readSpec(planId);
      this.#specReads.set(planId, reading);
    }
    return reading;
  }

  // the stored plan file, kept unless the plan was forgotten or given a new plan file while it was read
  #readSpec(planId: string): Promise<PlanSpec> {
    // its own entry in #specReads (set as soon as this returns, before the read can end)
    const mine = () => this.#specReads.get(planId) === reading;
    const reading = (async () => {
      try {
        const stored = await this.#store.getSpec(planId);
        if (!stored) throw new NotFoundError('plan file of plan', planId);
        if (mine()) this.#specs.set(planId, stored);
        return stored;
      } finally {
        if (mine()) this.#specReads.delete(planId);
      }
    })();
    return reading;
  }

  /** The plan file a child plan taken over starts over with (written with its restart). */
  setSpec(planId: string, spec: PlanSpec): void {
    this.#specReads.delete(planId);
    this.#specs.set(planId, spec);
  }

  /** Load a restored plan's step list from the store (its record names the steps, its decisions their titles) and what its model cost. */
  async load(planId: string, strategyDecisionIds: readonly string[], models: ModelUsage | null = null): Promise<void> {
    this.#known(planId).models = models;
    const titles = new Map<string, string>();
    if (strategyDecisionIds.length > 0) {
      for (const decision of await this.#store.listDecisions(planId)) titles.set(decision.id, decision.title);
    }
    this.setSteps(
      planId,
      strategyDecisionIds.map((decisionId) => ({ decisionId, title: titles.get(decisionId) ?? '' })),
    );
  }

  /** Drop a plan (its actor stopped); reads go to the store again. */
  forget(planId: string): void {
    this.#plans.delete(planId);
    // another process may take the plan over while it is not live here
    this.#specs.delete(planId);
    this.#specReads.delete(planId);
    this.#recordReads.delete(planId);
  }

  #known(planId: string): Known {
    let known = this.#plans.get(planId);
    if (!known)
      this.#plans.set(
        planId,
        (known = { decisions: new Map(), steps: [], stepIds: NO_IDS, record: null, models: null }),
      );
    return known;
  }
}
