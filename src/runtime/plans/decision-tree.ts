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
  const root = current ?? forest.find((node) => node.type === 'strategy') ?? forest[0] ?? null;
  // an update before strategize hangs from no decision: it is shown under the strategy it took effect in
  const early = forest.filter((node) => node !== root && node.type === 'plan_update');
  const shown =
    root && early.length > 0
      ? { ...root, children: [...early, ...root.children].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) }
      : root;
  return { planId, root: shown, models: modelUsageOf(decisions) };
}
