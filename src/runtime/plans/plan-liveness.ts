import type { Store } from '../../store/index.js';
import { holdersOf } from '../../store/holders-of.js';
import type { PlanLiveness } from './plan-api.js';

/**
 * Whether a process holds each plan (its claim, read without taking one) and
 * which worker took it from the queue (its holder record), as
 * `runtime.liveness` answers; `lastLine` gives the last output line of a
 * command this process runs for the plan.
 *
 * @example
 * const [plan] = await planLiveness(store, [planId]);
 * if (plan?.holder && !plan.live) console.log(`${plan.holder.worker} stopped answering`);
 */
export async function planLiveness(
  store: Store,
  planIds: readonly string[],
  lastLine: (planId: string) => string | null = () => null,
): Promise<PlanLiveness[]> {
  const [held, holders] = await Promise.all([
    store.claimedPlans(planIds).then((ids) => new Set(ids)),
    holdersOf(store, planIds),
  ]);
  return planIds.map((planId, index) => ({
    planId,
    live: held.has(planId),
    output: lastLine(planId),
    holder: holders[index] ?? null,
  }));
}
