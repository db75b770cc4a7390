import { createActor, type Actor, type AnyActorRef, type InspectionEvent } from 'xstate';
import type { ModelUsage, PlanRecord } from '../../domain/index.js';
import {
  PLAN_MACHINE_VERSION,
  planRecordOf,
  type PlanEmitted,
  type PlanIdentity,
  type PlanMachineInput,
} from '../../../machines/index.js';
import type { StoredSnapshot } from '../../store/index.js';
import { compactPlanSnapshot } from '../persistence/index.js';
import type { ProvidedPlanMachine } from './plan-machine.js';

/** A plan's root actor: the plan machine with troupe's actors. */
export type PlanActor = Actor<ProvidedPlanMachine>;

/** A plan with a live actor in this process: one entry of the runtime's address book. */
export interface PlanEntry {
  identity: PlanIdentity;
  actor: PlanActor;
  /** The last persistence failure, reported to whoever waits on the plan. */
  writeError: unknown;
}

/** What a plan's actor is made with, besides its identity. */
export interface PlanActorParts {
  machine: ProvidedPlanMachine;
  /** Observes every actor's inspection events; undefined when nobody watches. */
  inspect: ((event: InspectionEvent) => void) | undefined;
  /** Turns what the plan machine emits into records. */
  emitted: { record(planId: string, emitted: PlanEmitted): void };
}

/**
 * One observer for all of them, or undefined when there is none: an
 * inspection observer makes XState describe every event, microstep and
 * action it takes, so it is set only when someone asked to watch.
 *
 * @example
 * const inspect = inspectionOf([options.inspect, inspector?.inspect]);
 */
export function inspectionOf(
  observers: readonly (((event: InspectionEvent) => void) | undefined)[],
): ((event: InspectionEvent) => void) | undefined {
  const present = observers.filter((observer) => observer !== undefined);
  return present.length === 0 ? undefined : (event) => present.forEach((observer) => observer(event));
}

/**
 * A plan's actor, not started: from a persisted `snapshot`, or new with
 * `input` (by default the identity's). What it emits is recorded.
 *
 * @example
 * const actor = createPlanActor(parts, identity);
 */
export function createPlanActor(
  parts: PlanActorParts,
  identity: PlanIdentity,
  snapshot?: unknown,
  machineInput?: PlanMachineInput,
): PlanActor {
  const input = machineInput ?? { planId: identity.id, name: identity.name, automation: identity.automation };
  const actor = createActor(parts.machine, {
    input,
    ...(snapshot === undefined ? {} : { snapshot: snapshot as never }),
    // changes are seen by watchPlanActor: inspection is for someone who asked to watch
    ...(parts.inspect ? { inspect: parts.inspect } : {}),
  });
  actor.on('*', (emitted) => parts.emitted.record(identity.id, emitted as PlanEmitted));
  return actor;
}

/**
 * The actor's state as it is written: its persisted snapshot (with the
 * machine version) and the record derived from the same state.
 *
 * @example
 * const { snapshot, record } = capturePlan(identity, actor, now, memory.stepIds(identity.id), memory.modelUsage(identity.id));
 */
export function capturePlan(
  identity: PlanIdentity,
  actor: PlanActor,
  now: string,
  stepIds: readonly string[],
  models: ModelUsage | null = null,
): { snapshot: StoredSnapshot; record: PlanRecord } {
  const snapshot = actor.getSnapshot();
  const record = planRecordOf(identity, snapshot, now, stepIds);
  // what its model calls cost is the runtime's count, not the machine's: set on the fresh record (a spread is slow here)
  if (models) record.models = models;
  return {
    snapshot: { machineVersion: PLAN_MACHINE_VERSION, snapshot: compactPlanSnapshot(actor.getPersistedSnapshot()) },
    record,
  };
}

/** The snapshot objects of the actor and its direct children: when none changed, the persisted snapshot did not either. */
export function snapshotVersions(actor: PlanActor): readonly unknown[] {
  const snapshot = actor.getSnapshot();
  return [snapshot, ...Object.values(snapshot.children).map((child) => child?.getSnapshot())];
}

/** What watchPlanActor tells of a plan's actor. */
export interface PlanActorObserver {
  /** The plan's snapshot or a child actor's changed: a transition to persist. */
  changed(): void;
  /** The actor stopped on an internal error. */
  error(error: unknown): void;
  /** The plan ended. */
  complete(): void;
}

/**
 * Observe a plan's actor and the child actors it invokes (what is written
 * holds the plan's snapshot and its children's).
 *
 * @example
 * watchPlanActor(actor, { changed: () => persistence.changed(id), error: report, complete: release });
 */
export function watchPlanActor(actor: PlanActor, observer: PlanActorObserver): void {
  const watched = new WeakSet<object>();
  const watchChildren = (snapshot: ReturnType<PlanActor['getSnapshot']>) => {
    for (const child of Object.values(snapshot.children) as (AnyActorRef | undefined)[]) {
      if (!child || watched.has(child)) continue;
      watched.add(child);
      // the plan handles a child's error (onError): this observer only keeps XState from reporting it unhandled
      child.subscribe({ next: () => observer.changed(), error: () => {} });
    }
  };
  actor.subscribe({
    next: (snapshot) => {
      observer.changed();
      watchChildren(snapshot);
    },
    // an unobserved actor error would kill the process (DESIGN §3)
    error: (error) => observer.error(error),
    complete: () => observer.complete(),
  });
}
