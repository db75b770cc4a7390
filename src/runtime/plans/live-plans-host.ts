import type { InspectionEvent } from 'xstate';
import type { JournalEvent } from '../../domain/index.js';
import type { ActorServices } from '../../../actors/index.js';
import type { Store } from '../../store/index.js';
import type { PlanMemory, PlanPersistence } from '../persistence/index.js';
import type { PlanActorParts } from './plan-actors.js';
import type { ProvidedPlanMachine } from './plan-machine.js';

/**
 * What the runtime lends its live plans: the store and the persistence they
 * are written through, the machine their actors run, and where what they do
 * is reported and published.
 *
 * @example
 * const plans = new LivePlans({ store, machine, memory, persistence, services, logs, emitted, events, inspect: [], report, now, closed, assertOpen });
 */
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
