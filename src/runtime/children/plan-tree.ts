import type { PlanRecord } from '../../domain/index.js';
import type { PlanTree } from './child-plan-api.js';

/**
 * A plan and its child plans, recursively, in spawn order (`troupe plan
 * tree`), each child with its status and attempt as its parent sees it.
 * A record that names an ancestor as its child is not followed twice.
 */
export function planTreeOf(root: PlanRecord, plans: readonly PlanRecord[]): PlanTree {
  const byParent = new Map<string, PlanRecord[]>();
  for (const plan of plans)
    if (plan.parentId) byParent.set(plan.parentId, [...(byParent.get(plan.parentId) ?? []), plan]);
  const node = (record: PlanRecord, parent: PlanRecord | null, seen: Set<string>): PlanTree => {
    const seenNow = new Set(seen).add(record.id);
    const kids = (byParent.get(record.id) ?? []).filter((child) => !seenNow.has(child.id));
    const subplan = parent?.subplanStatuses[record.id];
    return {
      id: record.id,
      name: record.name,
      project: record.project,
      phase: record.phase,
      status: record.status,
      subplan: subplan ? { status: subplan.status, attempt: subplan.attempt } : null,
      predictedConflicts: record.predictedConflicts,
      children: kids.map((child) => node(child, record, seenNow)),
    };
  };
  return node(root, null, new Set());
}
