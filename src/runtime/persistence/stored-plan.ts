import { NotFoundError, TroupeError, type PlanRecord, type PlanSpec } from '../../domain/index.js';
import type { Store } from '../../store/index.js';

/**
 * The plan's record as stored; `NOT_FOUND` for an id the store does not have.
 *
 * @example
 * const record = await readStoredPlan(store, planId);
 */
export async function readStoredPlan(store: Store, planId: string): Promise<PlanRecord> {
  const record = await store.getPlan(planId);
  if (!record) throw new NotFoundError('plan', planId);
  return record;
}

/**
 * The plan file the plan goes on with, as stored; `STORE_CORRUPT` when the
 * store has its record but not its plan file (they are written in one batch).
 *
 * @example
 * const spec = await readStoredSpec(store, planId);
 */
export async function readStoredSpec(store: Store, planId: string): Promise<PlanSpec> {
  const spec = await store.getSpec(planId);
  if (!spec) throw new TroupeError('STORE_CORRUPT', `plan ${planId} has no stored plan file`, { details: { planId } });
  return spec;
}
