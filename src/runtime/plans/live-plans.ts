import { waitFor, type InspectionEvent } from 'xstate';
import {
  TroupeError,
  isTerminalStatus,
  newId,
  planCalled,
  type JournalEvent,
  type Phase,
  type PlanRecord,
  type PlanSpec,
} from '../../domain/index.js';
import {
  PLAN_MACHINE_VERSION,
  planIdentityOf,
  planPosition,
  type PlanIdentity,
  type PlanMachineInput,
} from '../../../machines/index.js';
import type { ActorServices } from '../../../actors/index.js';
import type { Store } from '../../store/index.js';
import { readStoredPlan, restorablePlanSnapshot, type PlanMemory, type PlanPersistence } from '../persistence/index.js';
import type { WatchedPlan } from '../children/index.js';
import { PlanClaims, type ClaimedPlan } from './plan-claims.js';
import {
  capturePlan,
  createPlanActor,
  inspectionOf,
  snapshotVersions,
  watchPlanActor,
  type PlanActor,
  type PlanActorParts,
  type PlanEntry,
} from './plan-actors.js';
import { livePlanOf, watchedPlanOf, type LivePlan } from './live-plan-views.js';
import type { ProvidedPlanMachine } from './plan-machine.js';
import { rerunStepEntries } from './rerun-step.js';

/** What the runtime lends its live plans. */
export interface LivePlansHost {
  store: Store;
  machine: ProvidedPlanMachine;
  memory: PlanMemory;
  persistence: PlanPersistence;
  /** The plans' processes: what a dead process left running, or discarded work, is stopped. */
  services: Pick<ActorServices, 'processes'>;
  /** The command logs: the logs of work that is discarded go with it. */
  logs: { forget(planId: string): void; settled(planId: string): Promise<void> };
  /** Turns what a plan machine emits into records. */
  emitted: PlanActorParts['emitted'];
  /** Where the journal events of a plan created here are published. */
  events: { publish(events: readonly JournalEvent[]): void };
  /** Inspection observers (the embedder's, the inspector's), each optional. */
  inspect: readonly (((event: InspectionEvent) => void) | undefined)[];
  report(message: string, error: unknown): void;
  now(): string;
  /** Whether the runtime closed: a wait cut short by it says so. */
  closed(): boolean;
  /** Throws when the runtime closed: no plan starts on a closed runtime. */
  assertOpen(): void;
}

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
  readonly #parts: PlanActorParts;
  readonly #claims: PlanClaims;
  readonly #entries = new Map<string, PlanEntry>();
  readonly #restoring = new Map<string, Promise<PlanEntry | null>>();

  constructor(host: LivePlansHost) {
    this.#host = host;
    this.#parts = { machine: host.machine, emitted: host.emitted, inspect: inspectionOf(host.inspect) };
    this.#claims = new PlanClaims({
      store: host.store,
      report: host.report,
      closed: host.closed,
      live: (planId) => this.#claimed(planId),
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
      restoring = this.#restore(planId, known, asked).finally(() => this.#restoring.delete(planId));
      this.#restoring.set(planId, restoring);
    }
    return restoring;
  }

  /**
   * Continue what was interrupted (SPEC §10): every plan a process was
   * running when it stopped (stored `processing`) gets its actor now, and
   * its work in flight runs again. A plan at rest waits in the store until
   * something acts on it ({@link ensure}): an actor for each of 10,000 plans
   * at rest would only be memory and start-up time (issue 42). Answers every
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
  async create(spec: PlanSpec): Promise<PlanRecord> {
    const now = this.#host.now();
    const id = newId();
    const identity: PlanIdentity = {
      id,
      name: spec.name,
      goal: spec.goal,
      parentId: null,
      rootId: id,
      project: 'default',
      automation: spec.automation,
      createdAt: now,
    };
    const actor = createPlanActor(this.#parts, identity);
    const { snapshot, record } = this.#capture(identity, actor, now);
    const created = createdEvent(identity, now, {
      name: identity.name,
      goal: identity.goal,
      automation: identity.automation,
    });
    await this.#claims.claim(identity.id, identity.name);
    await this.#host.store
      .createPlan({ planId: identity.id, record, spec, snapshot, events: [created], sync: true })
      .catch(async (error: unknown) => {
        this.#claims.unclaim(identity.id);
        throw error;
      });
    // its first steps read the plan file just checked: not read back from the store and checked again
    this.#host.memory.setSpec(identity.id, spec);
    this.#register(identity, actor, { current: true, lastSeq: 1, lastLogSeq: 0 });
    this.#host.events.publish([created]);
    return record;
  }

  /** A child plan: created in one batch that claims its name, then started like any plan (`here: false`: a worker starts it). */
  async createChild(
    identity: PlanIdentity,
    input: PlanMachineInput,
    spec: PlanSpec,
    options: { here: boolean } = { here: true },
  ): Promise<void> {
    this.#host.assertOpen();
    const actor = createPlanActor(this.#parts, identity, undefined, input);
    const now = this.#host.now();
    const { snapshot, record } = this.#capture(identity, actor, now);
    const created = createdEvent(identity, now, {
      name: identity.name,
      goal: identity.goal,
      automation: identity.automation,
      parentId: identity.parentId,
    });
    await this.#host.store.createPlan({ planId: identity.id, record, spec, snapshot, events: [created], sync: true });
    // a child for a worker is only written: the worker that takes its job starts it
    if (options.here) {
      await this.#claims.claim(identity.id, identity.name);
      this.#host.memory.setSpec(identity.id, spec);
      this.#register(identity, actor, { current: true, lastSeq: 1, lastLogSeq: 0 });
    }
    this.#host.events.publish([created]);
  }

  /** A new attempt of a child plan: a fresh actor from strategize, written in place of the old one (with the plan file it goes on with). */
  async restart(
    identity: PlanIdentity,
    input: PlanMachineInput,
    attempt: number,
    options: { here: boolean; spec?: PlanSpec } = { here: true },
  ): Promise<void> {
    const { memory, persistence } = this.#host;
    this.#host.assertOpen();
    const old = this.#entries.get(identity.id);
    this.#host.logs.forget(identity.id);
    if (old) {
      await persistence.release(identity.id);
      old.actor.stop();
      this.#entries.delete(identity.id);
    }
    memory.forget(identity.id);
    if (options.spec) memory.setSpec(identity.id, options.spec);
    const lastSeq = await this.#host.store.lastEventSeq(identity.id);
    await this.#claims.claim(identity.id, identity.name);
    this.#register(identity, createPlanActor(this.#parts, identity, undefined, input), { current: false, lastSeq });
    persistence.record(identity.id, {
      entries: [{ type: 'plan.resumed', phase: 'strategize', data: { attempt, from: 'strategize' } }],
      ...(options.spec ? { spec: options.spec } : {}),
    });
    await persistence.settled(identity.id);
    // written for a worker to take: this process lets it go
    if (!options.here) await this.handOver(identity.id);
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
  async startFrom(record: PlanRecord, snapshot: unknown, lastSeq: number): Promise<void> {
    this.#host.memory.forget(record.id);
    await this.#host.memory.load(record.id, record.strategyDecisionIds, record.models ?? null);
    const identity = planIdentityOf(record);
    await this.#claims.claim(record.id, record.name);
    this.#register(identity, createPlanActor(this.#parts, identity, snapshot), { current: true, lastSeq });
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

  async #restore(planId: string, known: PlanRecord | undefined, asked: boolean): Promise<PlanEntry | null> {
    const { store, memory, persistence } = this.#host;
    const record = known ?? (await readStoredPlan(store, planId));
    if (isTerminalStatus(record.status)) return null;
    // side by side: one round trip fewer on a store across the network (a worker taking a child over)
    const [stored] = await Promise.all([
      store.getSnapshot(planId),
      memory.load(planId, record.strategyDecisionIds, record.models ?? null),
    ]);
    if (!stored)
      throw new TroupeError('STORE_CORRUPT', `plan ${record.name} has no stored snapshot`, { details: { planId } });
    const snapshot = restorablePlanSnapshot(planId, stored);
    const identity = planIdentityOf(record);
    const interrupted = record.status === 'processing';
    // a plan at rest stored by this machine version is on disk as it is
    // restored: nothing to write (a start with many plans at rest restores none of them)
    const current = !interrupted && stored.machineVersion === PLAN_MACHINE_VERSION;
    // one stored mid-phase may be its process's, taking it back after a database restart: asked first, not taken from it
    await this.#claims.claim(planId, record.name, { askFirst: interrupted && !asked });
    // commands the dead process left running (a check, a validate command) would race the work that runs again: stop
    // them first — once the claim says that process is dead: the commands of a live one (on PostgreSQL, another process
    // on this machine) are its own, and it is STORE_LOCKED above
    if (interrupted) await this.#host.services.processes(planId)?.reap();
    // what its first transitions read, read now — its journal seq; and for a plan about to work (not one whose validate
    // ended: its merge or apply comes next, which reads neither) its log seq, record and plan file: a worker's child
    // meanwhile has its sandbox checked out, and neither its actors nor its writes wait a round trip each for them; the
    // claim is held, so no other process writes the plan meanwhile (this one's late logs of it land first)
    const lastSeq = store.lastEventSeq(planId);
    const working = !(record.phase === 'validate' && record.status === 'complete');
    const lastLogSeq = working ? this.#host.logs.settled(planId).then(() => store.lastLogSeq(planId)) : undefined;
    if (working) memory.readAhead(planId);
    const entry = this.#register(identity, createPlanActor(this.#parts, identity, snapshot), {
      current,
      lastSeq,
      ...(lastLogSeq ? { lastLogSeq } : {}),
    });
    // the process that ran it died mid-phase: starting the actor re-runs the work in flight (a step says so again)
    const rerun = interrupted
      ? rerunStepEntries(entry.actor.getSnapshot(), (index) => memory.stepTitle(planId, index))
      : [];
    if (interrupted)
      persistence.record(planId, {
        entries: [{ type: 'plan.resumed', phase: record.phase, data: { status: record.status } }, ...rerun],
      });
    return entry;
  }

  #capture(identity: PlanIdentity, actor: PlanActor, now: string) {
    return capturePlan(
      identity,
      actor,
      now,
      this.#host.memory.stepIds(identity.id),
      this.#host.memory.modelUsage(identity.id),
    );
  }

  // in the book, persisted on every change, started; a plan that ends leaves the book and is let go
  #register(
    identity: PlanIdentity,
    actor: PlanActor,
    written: { current: boolean; lastSeq: number | null | Promise<number>; lastLogSeq?: number | Promise<number> },
  ): PlanEntry {
    const { persistence } = this.#host;
    const entry: PlanEntry = { identity, actor, writeError: null };
    this.#entries.set(identity.id, entry);
    persistence.track(
      {
        planId: identity.id,
        versions: () => snapshotVersions(actor),
        capture: (now) => this.#capture(identity, actor, now),
      },
      written,
    );
    watchPlanActor(actor, {
      changed: () => persistence.changed(identity.id),
      error: (error) =>
        this.#host.report(`plan ${planCalled(identity.id, identity.name)} stopped on an internal error`, error),
      complete: () => {
        // a plan that ended needs no live actor; its record says how it ended (and the
        // logs of commands a cancel stopped are kept without a transition)
        void persistence.release(identity.id, { held: 'late' }).then(() => {
          if (this.#entries.get(identity.id) !== entry) return;
          this.#entries.delete(identity.id);
          this.#host.memory.forget(identity.id);
          this.#claims.unclaim(identity.id);
        });
      },
    });
    actor.start();
    return entry;
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

// the first entry of a plan's journal, written with the plan
function createdEvent(identity: PlanIdentity, now: string, data: Record<string, unknown>): JournalEvent {
  return { seq: 1, ts: now, planId: identity.id, type: 'plan.created', data };
}
