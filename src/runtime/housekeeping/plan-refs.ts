// Which refs troupe may let go of, and letting go of an applied plan's. A
// plan's refs (kept commits, base, resolved merge) serve a rollback of it or
// of the plan above it; a plan whose whole tree has ended can roll nothing
// back (`plan rollback` refuses a done or cancelled plan), so its refs go.
import { isTerminalStatus, type PlanRecord, type SandboxInfo } from '../../domain/index.js';
import type { Sandboxes } from '../../sandbox/index.js';
import type { Store } from '../../store/index.js';

/**
 * Let an applied root plan go: the sandboxes of it and of every plan under
 * it (worktree, branch) and every ref troupe holds for them, in this
 * project and in each other project a child worked in. Apply made the
 * commit on the user's branch, and a done plan is never rolled back, so
 * nothing needs them. Safe to repeat; apply calls it again after a crash.
 *
 * @example
 * await releaseAppliedTree({ store, sandboxes }, rootId);
 */
export async function releaseAppliedTree(host: { store: Store; sandboxes: Sandboxes }, rootId: string): Promise<void> {
  const tree = (await host.store.listPlans()).filter((plan) => plan.id === rootId || plan.rootId === rootId);
  const withSandbox = tree.filter((plan): plan is PlanRecord & { sandbox: SandboxInfo } => plan.sandbox !== null);
  if (withSandbox.length > 0)
    await host.sandboxes.release(withSandbox.map((plan) => ({ sandbox: plan.sandbox, keep: [] })));
  const ids = tree.map((plan) => plan.id);
  for (const repo of new Set([undefined, ...withSandbox.map((plan) => plan.sandbox.repo)]))
    await host.sandboxes.forget(ids, repo);
}

/**
 * The plans whose refs `gc` prunes: no plan has that id any more (deleted,
 * or of a memory store), or the plan has ended (and, with `old`, long
 * enough ago) and so has the root of its tree — a merged child of a plan
 * that has not ended keeps its refs, for that plan's rollback merges it again.
 *
 * @example
 * const prunable = prunablePlanIds(plans, counts.keys(), (plan) => true);
 */
export function prunablePlanIds(
  plans: readonly PlanRecord[],
  planIds: Iterable<string>,
  old: (plan: PlanRecord) => boolean,
): Set<string> {
  const byId = new Map(plans.map((plan) => [plan.id, plan]));
  const prunable = new Set<string>();
  for (const planId of planIds) {
    const plan = byId.get(planId);
    const root = plan ? byId.get(plan.rootId) : undefined;
    if (!plan || (isTerminalStatus(plan.status) && old(plan) && (!root || isTerminalStatus(root.status))))
      prunable.add(planId);
  }
  return prunable;
}

/**
 * The refs troupe holds per repository (undefined: this project) for the
 * plans `prunable` picks, counted.
 *
 * @example
 * const { count, byRepo } = await prunableRefs(sandboxes, [undefined, '/srv/docs'], (ids) => prunablePlanIds(plans, ids, old));
 */
export async function prunableRefs(
  sandboxes: Sandboxes,
  repos: readonly (string | undefined)[],
  prunable: (planIds: Iterable<string>) => Set<string>,
): Promise<{ count: number; byRepo: Map<string | undefined, string[]> }> {
  let count = 0;
  const byRepo = new Map<string | undefined, string[]>();
  for (const repo of repos) {
    // a registered project that is gone has no refs to prune
    const counts = await sandboxes.planRefs(repo).catch(() => new Map<string, number>());
    const ids = [...prunable(counts.keys())];
    for (const id of ids) count += counts.get(id) ?? 0;
    if (ids.length > 0) byRepo.set(repo, ids);
  }
  return { count, byRepo };
}
