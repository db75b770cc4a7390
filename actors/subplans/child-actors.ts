import { asTroupeError, type Changeset } from '../../src/domain/index.js';
import type {
  CancelChildrenInput,
  MergeChildInput,
  MergeChildOutput,
  RunChildInput,
  RunChildOutput,
  StartChildInput,
  StartChildOutput,
  SurfacedConflict,
} from '../../machines/index.js';
import type { ActorServices } from '../services.js';

/** The `startChild` actor: the child exists for this attempt, at its spawn point (idempotent); when its clock started. */
export async function startChild(input: StartChildInput, services: ActorServices): Promise<StartChildOutput> {
  await services.children.start({
    parentId: input.planId,
    decisionId: input.child.decisionId,
    childId: input.child.childId,
    attempt: input.attempt,
    spawnHead: input.spawnHead,
    contextView: input.contextView,
  });
  return { startedAt: Date.now() };
}

/** The `runChild` actor: drive the child and wait for how its attempt ends (a re-run joins the child where it is). */
export function runChild(input: RunChildInput, services: ActorServices, signal: AbortSignal): Promise<RunChildOutput> {
  return services.children.run({ childId: input.childId, attempt: input.attempt, deadline: input.deadline }, signal);
}

/** The `cancelChildren` actor: fail-fast cancels the children still running. */
export async function cancelChildren(input: CancelChildrenInput, services: ActorServices): Promise<void> {
  await services.children.cancel(input.childIds, input.reason);
}

/**
 * The `mergeChild` actor (SPEC §9): three-way merge of a validated child into
 * its parent's sandbox — base = where the child branched, ours = the
 * parent's head now, theirs = the child's head — with the group's strategy.
 * Clean: the parent's sandbox moves to the merge commit, its changeset is
 * updated, and the child ends done. Conflicts: copies with markers are
 * written and the conflicts come back for the parent to wait on; nothing
 * moves. Idempotent: run again, it merges the same commits again.
 */
export async function mergeChild(input: MergeChildInput, services: ActorServices): Promise<MergeChildOutput> {
  const parent = await services.readPlan(input.planId);
  if (!parent.sandbox) throw new Error(`plan ${parent.name} has no sandbox to merge ${input.child.name} into`);
  const sandbox = { ...parent.sandbox, headCommit: input.ours };
  let merged;
  try {
    merged = await services.merger.merge({
      base: input.base,
      ours: input.ours,
      theirs: input.theirs,
      strategy: input.strategy,
      parents: [input.ours, input.theirs],
      message: `troupe: merge child plan ${input.child.name}\n\nTroupe-Plan-Id: ${input.planId}\nTroupe-Child-Id: ${input.child.childId}`,
      subject: `cannot merge child plan ${input.child.name}`,
    });
  } catch (error) {
    const failure = asTroupeError(error);
    if (failure.code === 'MERGE_CONFLICT') return { ok: false, error: failure.toJSON() };
    throw failure;
  }
  if (merged.conflicts.length > 0) {
    const copies = await services.merges.writeEditCopies(
      input.planId,
      merged.conflicts.flatMap(({ file, content }) => (content === null ? [] : [{ file, content }])),
    );
    const conflicts: SurfacedConflict[] = merged.conflicts.map(({ file, kind, hunks }) => ({ file, kind, hunks, edit: copies.get(file) ?? null }));
    return { ok: false, merge: { base: input.base, ours: input.ours, theirs: input.theirs, clean: merged.commit, conflicts } };
  }
  // move the parent's sandbox to the merge commit; when this process last
  // left it clean at ours (the previous merge, say), no status is needed.
  // The changeset's diff reads only commits: it runs meanwhile.
  const cleanAt = services.cleanSandboxes.get(input.planId) === input.ours ? { cleanAt: input.ours } : {};
  services.cleanSandboxes.delete(input.planId);
  const [files] = await Promise.all([services.sandboxes.diff(sandbox, sandbox.baseCommit, merged.commit), services.sandboxes.reset(sandbox, merged.commit, cleanAt)]);
  // clean at the merge commit now: the next merge, or the parent's next step, need not ask
  services.cleanSandboxes.set(input.planId, merged.commit);
  await services.children.merged(input.child.childId, merged.commit);
  const changeset: Changeset | null =
    files.length === 0 ? null : { id: input.changesetId ?? services.newId(), planId: input.planId, baseCommit: sandbox.baseCommit, headCommit: merged.commit, files };
  const settled = merged.resolved.map(({ file, kind, side, hunks }) => ({ file, kind, with: side, hunks }));
  return { ok: true, head: merged.commit, settled, changeset };
}
