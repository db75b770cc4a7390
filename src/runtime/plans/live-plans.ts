import { waitFor } from 'xstate';
import {
  TroupeError,
  isTerminalStatus,
  planCalled,
  type JournalEvent,
  type Phase,
  type PlanRecord,
  type PlanSpec,
} from '../../domain/index.js';
import { planPosition, type PlanIdentity, type PlanMachineInput } from '../../../machines/index.js';
import { readStoredPlan } from '../persistence/index.js';
import type { WatchedPlan } from '../children/index.js';
import { PlanClaims, type ClaimedPlan } from './plan-claims.js';
import type { PlanEntry } from './plan-actors.js';
import { livePlanOf, watchedPlanOf, type LivePlan } from './live-plan-views.js';
import type { LivePlansHost } from './live-plans-host.js';
import { PlanStarts } from './plan-starts.js';

/**
 * The address book (DESIGN §7): one root actor per plan this process runs,
 * with every transition persisted and the plan claimed in the store while
 * its actor runs here. A plan at rest is restored on demand — reading its
 * record is no reason to — and a plan that ended leaves the book.
 *
 * @example
 * const plans = new LivePlans(host);
 * const entry = await plans.ensure(planId); // null for a plan that ended
 * if (entry) console.log((await plans.untilRest(entry)).status);
 */
export class LivePlans {
  readonly #host: LivePlansHost;
  readonly #claims: PlanClaims;
  readonly #starts: PlanStarts;
  readonly #entries = new Map<string, PlanEntry>();
  readonly #restoring = new Map<string, Promise<PlanEntry | null>>();

  constructor(host: LivePlansHost) {
    this.#host = host;
    this.#claims = new PlanClaims({
      store: host.store,
      report: host.report,
      closed: host.closed,
      live: (planId) => this.#claimed(planId),
    });
    this.#starts = new PlanStarts({
      host,
      claims: this.#claims,
      entries: this.#entries,
      handOver: (planId) => this.handOver(planId),
    });
  }

  /** Whether the plan has a live actor here. */
  has(planId: string): boolean {
    return this.#entries.has(planId);
  }

  /** The plan's live entry, if it has one (nothing is restored). */
  get(planId: string): PlanEntry | undefined {
    return this.#entries.get(planId);
  }

  /** Ids of the plans with a live actor. */
  ids(): string[] {
    return [...this.#entries.keys()];
  }

  /** The phase a live plan is in (what its commands' logs and journal entries name). */
  phaseOf(planId: string): Phase | undefined {
    return this.#entries.get(planId)?.actor.getSnapshot().context.phase;
  }

  /** The strategy decision a live plan's decisions hang from; null without a live actor. */
  decisionRootId(planId: string): string | null {
    return this.#entries.get(planId)?.actor.getSnapshot().context.decisionRootId ?? null;
  }

  /** A write of the plan failed: reported now, and thrown to whoever waits on the plan next. */
  failedWrite(planId: string, error: unknown): void {
    const entry = this.#entries.get(planId);
    if (entry) entry.writeError = error;
    this.#host.report(`could not persist plan ${planCalled(planId, entry?.identity.name)}`, error);
  }

  /** The plan's live actor, restoring it if needed (`known`: its record, when the caller just read it); null for a plan that ended. */
  async ensure(planId: string, known?: PlanRecord): Promise<PlanEntry | null> {
    return this.#ensure(planId, known, false);
  }

  // `asked`: whether another process holds it was asked just now (restoreAll), so the claim need not ask again
  async #ensure(planId: string, known: PlanRecord | undefined, asked: boolean): Promise<PlanEntry | null> {
    const live = this.#entries.get(planId);
    if (live) return live;
    let restoring = this.#restoring.get(planId);
    if (!restoring) {
      restoring = this.#starts.restore(planId, known, asked).finally(() => this.#restoring.delete(planId));
      this.#restoring.set(planId, restoring);
    }
    return restoring;
  }

  /**
   * Continue what was interrupted (SPEC §10): every plan a process was
   * running when it stopped (stored `processing`) gets its actor now, and
   * its work in flight runs again. A plan at rest waits in the store until
   * something acts on it ({@link ensure}): an actor for each of 10,000 plans
   * at rest would only be memory and start-up time. Answers every
   * plan that has not ended, except those another process runs and those
   * whose restore failed (reported).
   */
  async restoreAll(): Promise<PlanRecord[]> {
    const plans: PlanRecord[] = [];
    const open = (await this.#host.store.listPlans()).filter((plan) => !isTerminalStatus(plan.status));
    // a plan another process holds is that process's, interrupted or at rest: one question for all of them, asked
    // before claiming any (on PostgreSQL, just after a restart, it waits for the processes taking their plans back)
    const notHere = open
      .filter((plan) => !this.#entries.has(plan.id) && !this.#restoring.has(plan.id))
      .map((plan) => plan.id);
    const heldElsewhere = new Set(notHere.length > 0 ? await this.#host.store.claimedPlans(notHere) : []);
    for (const plan of open) {
      if (heldElsewhere.has(plan.id)) continue;
      if (plan.status !== 'processing' || this.#entries.has(plan.id)) {
        plans.push(plan);
        continue;
      }
      try {
        if (await this.#ensure(plan.id, plan, true)) plans.push(plan);
      } catch (error) {
        // another process took it since (a worker, another command): it is that process's
        if (isHeldElsewhere(error)) continue;
        this.#host.report(`could not restore plan ${planCalled(plan.id, plan.name)}`, error);
      }
    }
    return plans.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The plan's live actor as checkpoints, corrections and agent calls use it; null for a plan that ended. */
  async live(planId: string): Promise<LivePlan | null> {
    const entry = await this.ensure(planId);
    return entry ? livePlanOf(entry, () => this.untilRest(entry)) : null;
  }

  /** The plan's live actor as the child plans watch it; null for a plan that ended. */
  async watched(planId: string, known?: PlanRecord): Promise<WatchedPlan | null> {
    const entry = await this.ensure(planId, known);
    return entry ? watchedPlanOf(entry) : null;
  }

  /** Wait until the plan is not processing, and its state is persisted; the persisted record. */
  async untilRest(entry: PlanEntry): Promise<PlanRecord> {
    try {
      await waitFor(
        entry.actor,
        (snapshot) =>
          snapshot.status !== 'active' || planPosition(snapshot.value, snapshot.context).status !== 'processing',
        {
          timeout: Number.POSITIVE_INFINITY,
        },
      );
    } catch (error) {
      // the actor was stopped under us: the runtime is closing (Ctrl-C, shutdown)
      if (this.#host.closed()) {
        throw new TroupeError('CANCELLED', `stopped while ${entry.identity.name} was running`, {
          hint: `it continues from its last step commit: troupe plan run ${entry.identity.name}`,
        });
      }
      throw error;
    }
    await this.#host.persistence.settled(entry.identity.id);
    throwWriteError(entry);
    return readStoredPlan(this.#host.store, entry.identity.id);
  }

  /** A transition was written: the plan's last record is remembered, its journal events published. */
  published(events: readonly JournalEvent[], record: PlanRecord): void {
    this.#host.memory.setRecord(record.id, record);
    this.#host.events.publish(events);
  }

  /** Once the plan's pending writes landed: throws the last write failure of its live actor, if any. */
  async settled(planId: string): Promise<void> {
    await this.#host.persistence.settled(planId);
    const entry = this.#entries.get(planId);
    if (entry) throwWriteError(entry);
  }

  /** A new root plan of the plan file: written in one batch that claims its name (on a clash nothing is written), then started. */
  create(spec: PlanSpec): Promise<PlanRecord> {
    return this.#starts.create(spec);
  }

  /** A child plan: created in one batch that claims its name, then started like any plan (`here: false`: a worker starts it). */
  createChild(
    identity: PlanIdentity,
    input: PlanMachineInput,
    spec: PlanSpec,
    options: { here: boolean } = { here: true },
  ): Promise<void> {
    return this.#starts.createChild(identity, input, spec, options);
  }

  /** A new attempt of a child plan: a fresh actor from strategize, written in place of the old one (with the plan file it goes on with). */
  restart(
    identity: PlanIdentity,
    input: PlanMachineInput,
    attempt: number,
    options: { here: boolean; spec?: PlanSpec } = { here: true },
  ): Promise<void> {
    return this.#starts.restart(identity, input, attempt, options);
  }

  /** Stop a plan's actor for another process to take it: returns once the store has let the plan go. */
  async handOver(planId: string): Promise<void> {
    await this.stop(planId);
    await this.#claims.released(planId);
  }

  /** Stop a plan's actor (a rollback changes its world under it, a worker takes it): pending writes land first. */
  async stop(planId: string): Promise<void> {
    await this.#restoring.get(planId)?.catch(() => null);
    const entry = this.#entries.get(planId);
    // the work running now is discarded: so are its commands' logs
    this.#host.logs.forget(planId);
    if (entry) {
      await this.#host.persistence.release(planId);
      entry.actor.stop();
      this.#entries.delete(planId);
    }
    // let go, another process may write it (a worker the child, the parent its merge): reads go to the store again
    this.#host.memory.forget(planId);
    this.#claims.unclaim(planId);
    await this.#host.services.processes(planId)?.reap();
  }

  /** Start a plan's actor from a snapshot already written with `lastSeq` as its last journal seq (a rollback's). */
  startFrom(record: PlanRecord, snapshot: unknown, lastSeq: number): Promise<void> {
    return this.#starts.startFrom(record, snapshot, lastSeq);
  }

  /** Stop every live plan once its writes landed (a stopped actor's snapshot must never be written), and let it go. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#restoring.values()]);
    for (const [planId, entry] of this.#entries) {
      await this.#host.persistence.release(planId);
      entry.actor.stop();
      this.#claims.unclaim(planId);
    }
    this.#entries.clear();
  }

  // a live plan as its claim sees it: one another process took is stopped here without writing
  #claimed(planId: string): ClaimedPlan | undefined {
    const entry = this.#entries.get(planId);
    if (!entry) return undefined;
    return {
      name: entry.identity.name,
      writtenSeq: () => this.#host.persistence.writtenSeq(planId),
      letGo: () => {
        this.#entries.delete(planId);
        entry.actor.stop();
        // what it had not written is refused by the journal's keys (the other process writes it now)
        void this.#host.persistence.release(planId).catch(() => {});
      },
    };
  }
}

/** Whether `error` says another process runs the plan (its claim is taken). */
export function isHeldElsewhere(error: unknown): boolean {
  return (
    error instanceof TroupeError && error.code === 'STORE_LOCKED' && error.details?.['owner'] === 'another process'
  );
}

// a failed write is thrown once, to the first who waits on the plan after it
function throwWriteError(entry: PlanEntry): void {
  if (!entry.writeError) return;
  const error = entry.writeError;
  entry.writeError = null;
  throw error;
}
