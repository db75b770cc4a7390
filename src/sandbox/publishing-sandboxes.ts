import type { SandboxInfo } from '../domain/index.js';
import { planIdOf } from './worktree-paths.js';
import type { ComingRequest } from './expected-requests.js';
import type { RemoteBranches } from './remote-branches.js';
import type { Sandboxes } from './types.js';

/**
 * The sandboxes of a worker (docs/how-to/scale-out.md): as `sandboxes`, but every
 * call that moves a sandbox's branch — a step commit, a reset (rollback, new
 * attempt), a start over — pushes the branch to the shared remote before it
 * returns. The step's transition is stored after its actor returns, so
 * whatever the store records as a sandbox's head is on the remote, and a
 * worker that takes the plan over starts from there. Sandboxes of other
 * registered projects (`repo`) stay on this machine.
 *
 * @example
 * const sandboxes = publishingSandboxes(createGitSandboxes(clone), new RemoteBranches(url, setting));
 */
export function publishingSandboxes(sandboxes: Sandboxes, remote: RemoteBranches): Sandboxes {
  const publish = async (sandbox: SandboxInfo, coming?: ComingRequest): Promise<void> => {
    if (sandbox.repo !== undefined) return;
    await remote.publish(sandboxes.projectRoot, { planId: planIdOf(sandbox), branch: sandbox.branch }, coming);
  };
  // a step commit says so before it starts: a push about to start for another plan of this clone waits for it
  const committing = async <T>(sandbox: SandboxInfo, commit: () => Promise<T>): Promise<T> => {
    const coming = sandbox.repo === undefined ? remote.expectPublish(sandboxes.projectRoot) : undefined;
    try {
      const made = await commit();
      await publish(sandbox, coming);
      return made;
    } finally {
      coming?.cancel();
    }
  };
  return {
    get projectRoot() {
      return sandboxes.projectRoot;
    },
    ensure: (plan, options) => sandboxes.ensure(plan, options),
    reopen: (plan, sandbox, options) => sandboxes.reopen(plan, sandbox, options),
    async startOver(sandbox) {
      const moved = await sandboxes.startOver(sandbox);
      if (moved.baseCommit !== sandbox.baseCommit) await publish(moved);
      return moved;
    },
    pathOf: (sandbox) => sandboxes.pathOf(sandbox),
    async reset(sandbox, commit, options) {
      await sandboxes.reset(sandbox, commit, options);
      await publish(sandbox);
    },
    pendingPaths: (sandbox) => sandboxes.pendingPaths(sandbox),
    pendingState: (sandbox) => sandboxes.pendingState(sandbox),
    readsHead: (sandbox) => sandboxes.readsHead(sandbox),
    commit: (sandbox, message) => committing(sandbox, () => sandboxes.commit(sandbox, message)),
    stage: (sandbox) => sandboxes.stage(sandbox),
    commitStaged: (sandbox, message, base) => committing(sandbox, () => sandboxes.commitStaged(sandbox, message, base)),
    files: (sandbox, commit) => sandboxes.files(sandbox, commit),
    diff: (sandbox, base, head) => sandboxes.diff(sandbox, base, head),
    changedPaths: (sandbox, base, head) => sandboxes.changedPaths(sandbox, base, head),
    patch: (sandbox, base, head) => sandboxes.patch(sandbox, base, head),
    remove: (sandbox) => sandboxes.remove(sandbox),
    keep: (planId, commits, repo) => sandboxes.keep(planId, commits, repo),
    release: (released) => sandboxes.release(released),
    forget: (planIds, repo) => sandboxes.forget(planIds, repo),
    planRefs: (repo) => sandboxes.planRefs(repo),
    leftovers: (repo) => sandboxes.leftovers(repo),
  };
}
