import { isTerminalStatus, type Changeset, type JournalEvent, type PlanLog, type PlanRecord } from '../domain/index.js';
import type { RuntimeWings } from './local-runtime-wiring.js';
import type {
  ApplyPreview,
  ConflictList,
  DecisionTree,
  DeletePreview,
  LogOptions,
  PhaseOptions,
  PlanLiveness,
  PlanPatch,
  PlanTree,
} from './runtime.js';
import { checkStrategy, planTreeOf } from './children/index.js';
import { planPatch, previewApplyOf, readPlanLogs } from './housekeeping/index.js';
import { decisionTreeOf, planLiveness } from './plans/index.js';

/**
 * What a LocalRuntime answers about plans without changing them: records,
 * the tree, decisions, changes and their patch, what apply or delete would
 * do, conflicts, the journal and command logs. Each waits for nothing but
 * the store, except the logs, which include what the plan's last
 * transition recorded.
 *
 * @example
 * const queries = new PlanQueries(wings, () => assertOpen());
 * const tree = await queries.tree('demo/x');
 */
export class PlanQueries {
  readonly #wings: RuntimeWings;
  readonly #assertOpen: () => void;

  constructor(wings: RuntimeWings, assertOpen: () => void) {
    this.#wings = wings;
    this.#assertOpen = assertOpen;
  }

  async getPlan(ref: string): Promise<PlanRecord> {
    this.#assertOpen();
    return this.#wings.readPlan(await this.#wings.resolveId(ref));
  }

  async listPlans(options: { all?: boolean } = {}): Promise<PlanRecord[]> {
    this.#assertOpen();
    const plans = await this.#wings.store.listPlans();
    return options.all ? plans : plans.filter((plan) => !isTerminalStatus(plan.status));
  }

  async liveness(planIds: readonly string[]): Promise<PlanLiveness[]> {
    this.#assertOpen();
    return planLiveness(this.#wings.store, planIds, (planId) => this.#wings.logs.lastLine(planId));
  }

  async tree(ref: string): Promise<PlanTree> {
    this.#assertOpen();
    return planTreeOf(await this.#plan(ref), await this.#wings.store.listPlans());
  }

  async conflicts(ref: string): Promise<ConflictList> {
    this.#assertOpen();
    return this.#wings.conflicts.list(await this.#wings.resolveId(ref));
  }

  async explain(ref: string): Promise<DecisionTree> {
    this.#assertOpen();
    return decisionTreeOf(this.#wings.store, await this.#wings.resolveId(ref));
  }

  async changes(ref: string): Promise<Changeset | null> {
    this.#assertOpen();
    const record = await this.#plan(ref);
    return record.changesetId ? this.#wings.store.getChangeset(record.changesetId) : null;
  }

  async patch(ref: string, options: { maxBytes?: number } = {}): Promise<PlanPatch> {
    this.#assertOpen();
    return planPatch(this.#wings.services.sandboxes, await this.#plan(ref), options.maxBytes);
  }

  async previewApply(
    ref: string,
    options: PhaseOptions & { patch?: boolean; maxBytes?: number } = {},
  ): Promise<ApplyPreview> {
    this.#assertOpen();
    const strategy = checkStrategy(options.strategy);
    const { store, persistence, services, plans } = this.#wings;
    const preview = { store, persistence, project: services.project, live: (id: string) => plans.get(id) };
    return previewApplyOf(preview, await this.#wings.resolveId(ref), { ...options, strategy });
  }

  async previewDelete(ref: string): Promise<DeletePreview> {
    this.#assertOpen();
    return this.#wings.housekeeping.preview(await this.#plan(ref));
  }

  async events(ref: string, options: { afterSeq?: number; limit?: number } = {}): Promise<JournalEvent[]> {
    this.#assertOpen();
    return this.#wings.store.readEvents(await this.#wings.resolveId(ref), options);
  }

  async logs(ref: string, options: LogOptions = {}): Promise<PlanLog[]> {
    this.#assertOpen();
    const id = await this.#wings.resolveId(ref);
    // what the plan's last transition recorded, and what ended after it, is part of the answer
    await this.#wings.persistence.settled(id);
    await this.#wings.logs.settled(id);
    return readPlanLogs(this.#wings.store, await this.#wings.readPlan(id), options);
  }

  async #plan(ref: string): Promise<PlanRecord> {
    return this.#wings.readPlan(await this.#wings.resolveId(ref));
  }
}
