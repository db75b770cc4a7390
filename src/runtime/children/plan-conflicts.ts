import { TroupeError, isTerminalStatus, newId, type ConflictRecord, type PlanRecord } from '../../domain/index.js';
import type { PendingMerge, PlanCommand, PlanContext } from '../../../machines/index.js';
import type { ActorServices } from '../../../actors/index.js';
import type { Store } from '../../store/index.js';
import { readStoredPlan, type PlanPersistence } from '../persistence/index.js';
import type { ConflictList, ResolveChoice, ResolveResult } from './child-plan-api.js';
import {
  conflictAt,
  conflictList,
  notResolvable,
  resolutionFor,
  userResolutionDecision,
} from './conflict-resolution.js';

/** A plan's live actor, as resolving its conflicts needs it. */
export interface ResolvingPlan {
  snapshot(): { context: PlanContext };
  can(event: PlanCommand): boolean;
  send(event: PlanCommand): void;
  /** Resolves when the plan is at rest and its state written: its record. */
  untilRest(): Promise<PlanRecord>;
}

/** What the runtime lends `RuntimeConflicts`. */
export interface ConflictsHost {
  store: Store;
  services: Pick<ActorServices, 'merges'>;
  persistence: Pick<PlanPersistence, 'settled' | 'record'>;
  now(): string;
  /** The plan's live actor, restored if needed; null for a plan that ended. */
  live(planId: string): Promise<ResolvingPlan | null>;
  /** Open an agent-driven plan again (SPEC §16); whether it did. */
  reopen(planId: string): Promise<boolean>;
}

/**
 * The conflicts a plan waits on, from merging its children or applying it
 * (SPEC §9), and the user's resolution of each: the resolution, its
 * decision and the transition land in one batch, and the plan goes on once
 * the last file is resolved.
 *
 * @example
 * const conflicts = new RuntimeConflicts(host);
 * const { conflicts: open } = await conflicts.list(planId);
 * await conflicts.resolve(planId, open[0]!.file, { with: 'ours' });
 */
export class RuntimeConflicts {
  readonly #host: ConflictsHost;

  constructor(host: ConflictsHost) {
    this.#host = host;
  }

  /** The plan's open and resolved conflicts. */
  async list(planId: string): Promise<ConflictList> {
    // a resolution on its way to the store is part of the answer
    await this.#host.persistence.settled(planId);
    const [record, records] = await Promise.all([
      readStoredPlan(this.#host.store, planId),
      this.#host.store.listConflicts(planId),
    ]);
    return conflictList(planId, record, records);
  }

  /** Resolve the conflict at `named` (a renamed file's conflict answers to each of its paths) as `choice` says. */
  async resolve(planId: string, named: string, choice: ResolveChoice): Promise<ResolveResult> {
    const { store, persistence } = this.#host;
    const live = await this.#host.live(planId);
    const record = await readStoredPlan(store, planId);
    const file = conflictAt(await store.listConflicts(planId), named)?.file ?? named;
    const event = { type: 'plan.resolve' as const, file, with: choice.with };
    const refuse = () => {
      const context = live?.snapshot().context;
      return notResolvable(
        record.name,
        file,
        context?.merge?.commit === null ? context.merge.open : [],
        `(${record.phase}, ${record.status})`,
      );
    };
    if (!live || !live.can(event)) throw refuse();
    const merge = live.snapshot().context.merge!;
    const conflict = (await store.listConflicts(planId)).find((candidate) => candidate.file === file);
    if (!conflict)
      throw new TroupeError(
        'STORE_CORRUPT',
        `plan ${record.name} waits on ${file} but its conflict record is missing`,
        { details: { planId, file } },
      );
    // read before anything is written: a bad --use changes nothing
    const resolution = await resolutionFor(this.#host.services.merges, merge, conflict, choice, record.name);
    // another command may have resolved it meanwhile
    if (!live.can(event)) throw refuse();
    const decision = userResolutionDecision(
      { id: newId(), planId, parentId: record.decisionRootId, createdAt: this.#host.now() },
      conflict,
      resolution,
    );
    // the resolution, its decision and the transition land in one batch
    persistence.record(planId, { conflicts: { put: [{ ...conflict, resolution }] }, decisions: [decision] });
    live.send(event);
    const { plan, mergeCommit, remaining } = await this.#afterResolving(live, merge);
    const childName = conflict.child === null ? null : (record.subplanStatuses[conflict.child]?.name ?? null);
    return { planId, file, with: choice.with, child: conflict.child, childName, remaining, mergeCommit, plan };
  }

  // where the plan is once the resolution was taken: the merge commit made, or the files still open
  async #afterResolving(
    live: ResolvingPlan,
    merge: PendingMerge,
  ): Promise<{ plan: PlanRecord; mergeCommit: string | null; remaining: ConflictRecord['file'][] }> {
    let plan = await live.untilRest();
    const { merge: after, sandbox } = live.snapshot().context;
    // a child's merge that landed is gone from the context: its commit is the sandbox's head now
    const landed =
      after === null && merge.target === 'sandbox' && plan.phase === 'execute' && !isTerminalStatus(plan.status);
    // apply's merge commit is not the commit the project's branch gets (apply makes its own): the applied one, once there is one
    const mergeCommit = merge.target === 'project' ? plan.appliedCommit : landed ? (sandbox?.headCommit ?? null) : null;
    // the last file of an agent-driven plan's subplan merge: the merge lands and the plan is open again (SPEC §16)
    if (plan.agentDriven && plan.phase === 'execute' && plan.status === 'queued') {
      await this.#host.reopen(plan.id);
      plan = await readStoredPlan(this.#host.store, plan.id);
    }
    return { plan, mergeCommit, remaining: after?.commit === null ? [...after.open] : [] };
  }
}
