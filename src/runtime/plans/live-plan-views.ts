import type { PlanRecord } from '../../domain/index.js';
import type { PlanCommand, PlanContext } from '../../../machines/index.js';
import type { WatchedPlan } from '../children/index.js';
import type { PlanEntry } from './plan-actors.js';

/** A plan's live actor, as checkpoints, corrections and agent calls use it. */
export interface LivePlan {
  snapshot(): { value: unknown; context: PlanContext };
  can(event: PlanCommand): boolean;
  send(event: PlanCommand): void;
  /** Resolves when the plan is at rest and its state written: its record. */
  untilRest(): Promise<PlanRecord>;
}

/**
 * The entry's actor as a LivePlan: `untilRest` is the runtime's wait,
 * which knows about write failures and a closing runtime.
 *
 * @example
 * const live = livePlanOf(entry, () => plans.untilRest(entry));
 */
export function livePlanOf(entry: PlanEntry, untilRest: () => Promise<PlanRecord>): LivePlan {
  return {
    snapshot: () => entry.actor.getSnapshot(),
    can: (event) => entry.actor.getSnapshot().can(event),
    send: (event) => entry.actor.send(event),
    untilRest,
  };
}

/**
 * The entry's actor as the child plans watch it: a command it cannot take
 * now is not sent (`send` says whether it was).
 *
 * @example
 * const watched = watchedPlanOf(entry);
 * if (!watched.send({ type: 'plan.run' })) console.log('not now');
 */
export function watchedPlanOf(entry: PlanEntry): WatchedPlan {
  return {
    identity: entry.identity,
    snapshot: () => entry.actor.getSnapshot(),
    send: (event) => {
      if (!entry.actor.getSnapshot().can(event)) return false;
      entry.actor.send(event);
      return true;
    },
    watch: (listener) => {
      const subscription = entry.actor.subscribe({ next: listener, error: listener, complete: listener });
      return () => subscription.unsubscribe();
    },
  };
}
