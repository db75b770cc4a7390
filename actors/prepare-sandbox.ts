import type { SandboxInfo } from '../src/domain/index.js';
import type { PrepareSandboxInput } from '../machines/index.js';
import type { ActorServices } from './services.js';

/**
 * The `prepareSandbox` actor: the plan's git worktree, created on first use
 * from the project's HEAD. Strategize works on the project as it is now:
 * a recorded sandbox nothing was executed in (a restarted strategize, say
 * after the project was fixed so an invariant holds) moves to the project's
 * current HEAD; one with step commits is returned as it is, after making
 * sure it still exists.
 */
export async function prepareSandbox(input: PrepareSandboxInput, services: ActorServices): Promise<SandboxInfo> {
  const ensured = await services.sandboxes.ensure({ id: input.planId, name: input.name }, input.sandbox ? { base: input.sandbox.baseCommit } : {});
  if (!input.sandbox) return ensured;
  const known = { ...ensured, baseCommit: input.sandbox.baseCommit, headCommit: input.sandbox.headCommit };
  return known.headCommit === known.baseCommit ? services.sandboxes.startOver(known) : known;
}
