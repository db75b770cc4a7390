import type { PlanHolder } from '../domain/index.js';
import type { Store } from './store.js';

// past this many plans one scan of the holders beats a read per plan
const READ_EACH_UP_TO = 8;

/**
 * The holder of each plan of `planIds` (null where no worker holds it), in
 * their order: a read per plan for a few, else one scan of every holder —
 * `troupe plan list` asks for each plan of the project (10,000 reads took
 * longer than reading the plans themselves).
 *
 * @example
 * const [holder] = await holdersOf(store, [planId]);
 */
export async function holdersOf(
  store: Pick<Store, 'getHolder' | 'listHolders'>,
  planIds: readonly string[],
): Promise<(PlanHolder | null)[]> {
  if (planIds.length <= READ_EACH_UP_TO) return Promise.all(planIds.map((planId) => store.getHolder(planId)));
  const byPlan = new Map((await store.listHolders()).map((holder) => [holder.planId, holder]));
  return planIds.map((planId) => byPlan.get(planId) ?? null);
}
