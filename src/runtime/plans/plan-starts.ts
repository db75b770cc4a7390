import {
  planCalled,
  newId,
  isTerminalStatus,
  TroupeError,
  type JournalEvent,
  type PlanRecord,
  type PlanSpec,
} from '../../domain/index.js';
import {
  PLAN_MACHINE_VERSION,
  planIdentityOf,
  type PlanIdentity,
  type PlanMachineInput,
} from '../../../machines/index.js';
import { readStoredPlan, restorablePlanSnapshot } from '../persistence/index.js';
import type { PlanClaims } from './plan-claims.js';
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
import type { LivePlansHost } from './live-plans-host.js';
import { rerunStepEntries } from './rerun-step.js';

/** The address book as a plan's start sees it: where a started plan is entered, and its claims. */
export interface PlanBook {
  host: LivePlansHost;
  claims: PlanClaims;
  /** The live entries by plan id: a started plan is entered here, and leaves when it ends. */
  entries: Map<string, PlanEntry>;
  /** Stop a plan's actor for another process to take it (see LivePlans.handOver). */
  handOver(planId: string): Promise<void>;
}

/**
 * How a plan's actor comes to run in this process: a new root plan or a
 * child created (one batch that claims its name), a child started over for a
 * new attempt, a plan restored from the store, or one started from a
 * rollback's snapshot. Each is entered in the book, persisted on every
 * change and claimed; a plan that ends leaves the book and is let go.
 *
 * @example
 * const starts = new PlanStarts({ host, claims, entries, handOver: (id) => plans.handOver(id) });
 * const record = await starts.create(spec);
 */
export class PlanStarts {
  readonly #book: PlanBook;
  readonly #host: LivePlansHost;
  readonly #parts: PlanActorParts;
  readonly #claims: PlanClaims;
  readonly #entries: Map<string, PlanEntry>;

  constructor(book: PlanBook) {
    const { host } = book;
    this.#book = book;
    this.#host = host;
    this.#claims = book.claims;
    this.#entries = book.entries;
    this.#parts = { machine: host.machine, emitted: host.emitted, inspect: inspectionOf(host.inspect) };
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
    if (!options.here) await this.#book.handOver(identity.id);
  }

  /** Start a plan's actor from a snapshot already written with `lastSeq` as its last journal seq (a rollback's). */
  async startFrom(record: PlanRecord, snapshot: unknown, lastSeq: number): Promise<void> {
    this.#host.memory.forget(record.id);
    await this.#host.memory.load(record.id, record.strategyDecisionIds, record.models ?? null);
    const identity = planIdentityOf(record);
    await this.#claims.claim(record.id, record.name);
    this.#register(identity, createPlanActor(this.#parts, identity, snapshot), { current: true, lastSeq });
  }

  /**
   * Restore a plan from its stored record and snapshot (`known`: the record
   * as just read) and start its actor; null for a plan that ended. `asked`:
   * whether another process holds it was asked just now, so the claim need
   * not ask again. One a dead process left mid-phase runs its work again.
   */
  async restore(planId: string, known: PlanRecord | undefined, asked: boolean): Promise<PlanEntry | null> {
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
}

// the first entry of a plan's journal, written with the plan
function createdEvent(identity: PlanIdentity, now: string, data: Record<string, unknown>): JournalEvent {
  return { seq: 1, ts: now, planId: identity.id, type: 'plan.created', data };
}
