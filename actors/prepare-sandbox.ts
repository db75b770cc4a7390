import type { SandboxInfo } from '../src/domain/index.js';
import type { PrepareSandboxInput } from '../machines/index.js';
import type { ActorServices } from './services.js';

/**
 * The `prepareSandbox` actor: the plan's git worktree, created on first use
 * from the project's HEAD. Strategize works on the project as it is now:
 * a recorded sandbox nothing was executed in (a restarted strategize, say
 * after the project was fixed so an invariant holds) moves to the project's
 * current HEAD; one with step commits is returned as it is, after making
 * sure it still exists. A child plan's sandbox stays at its spawn point.
 */
export async function prepareSandbox(input: PrepareSandboxInput, services: ActorServices): Promise<SandboxInfo> {
  const plan = { id: input.planId, name: input.name };
  // a worktree checked out here is clean at its head: the first step need not ask git
  if (!input.sandbox)
    return services.sandboxes.ensure(plan, { onCreated: (head) => services.cleanSandboxes.set(input.planId, head) });
  const known = await services.sandboxes.reopen(plan, input.sandbox);
  // a child plan works from its spawn point in its parent, never from the project's HEAD
  return known.headCommit === known.baseCommit && !input.child ? services.sandboxes.startOver(known) : known;
}
