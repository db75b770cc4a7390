import { decisionForest, modelUsageOf } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { readStoredPlan } from '../persistence/index.js';
import type { DecisionTree } from './plan-api.js';

/**
 * Why the plan does what it does (SPEC §6): its decisions as a tree under
 * its current strategy decision, and what its model calls cost.
 *
 * @example
 * const { root } = await decisionTreeOf(store, planId);
 */
export async function decisionTreeOf(store: Store, planId: string): Promise<DecisionTree> {
  const [record, decisions] = await Promise.all([readStoredPlan(store, planId), store.listDecisions(planId)]);
  const forest = decisionForest(decisions);
  // a restarted strategize records a new strategy root: the record names the current one
  const current = forest.find((node) => node.id === record.decisionRootId);
  return { planId, root: current ?? forest.find((node) => node.type === 'strategy') ?? forest[0] ?? null, models: modelUsageOf(decisions) };
}
