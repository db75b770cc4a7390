import type { PlanContext, PlanIdentity } from '../../../machines/index.js';

/**
 * A live plan actor as the child plans see it: its snapshot, events it
 * accepts, and a way to watch it.
 *
 * @example
 * const plan: WatchedPlan | null = await host.ensure(childId);
 * const stop = plan?.watch(() => console.log(plan.snapshot().value));
 */
export interface WatchedPlan {
  identity: PlanIdentity;
  snapshot(): { status: string; value: unknown; context: PlanContext };
  send(event: { type: 'plan.run'; until: 'validate' } | { type: 'plan.merged'; commit: string }): boolean;
  /** Call `listener` on every change until the returned function is called. */
  watch(listener: () => void): () => void;
}
