import type { SandboxInfo } from '../src/domain/index.js';
import type { PrepareSandboxInput } from '../machines/index.js';
import type { ActorServices } from './services.js';

/**
 * The `prepareSandbox` actor: the plan's git worktree, created on first use
 * from the project's HEAD. A sandbox already recorded is returned as it is
 * (its head may be ahead of its base), after making sure it still exists.
 */
export async function prepareSandbox(input: PrepareSandboxInput, services: ActorServices): Promise<SandboxInfo> {
  const ensured = await services.sandboxes.ensure({ id: input.planId, name: input.name }, input.sandbox ? { base: input.sandbox.baseCommit } : {});
  return input.sandbox ? { ...ensured, headCommit: input.sandbox.headCommit } : ensured;
}
