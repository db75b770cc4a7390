import type { Changeset } from '../../src/domain/index.js';
import type {
  CancelChildrenInput,
  MergeChildInput,
  MergeChildOutput,
  MergedChild,
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
 * The `mergeChild` actor (SPEC §9): a round of three-way merges of
 * validated children into their parent's sandbox, in merge order — for
 * each, base = where the child branched, ours = the parent's head after the
 * child before it, theirs = the child's head — with the group's strategy.
 * The parent's sandbox moves to the last merge commit, its changeset is
 * updated, and each merged child ends done. A child whose merge conflicts
 * stops the round: copies with markers are written and its conflicts come
 * back, onto the last merge, for the parent to wait on; a failed merge
 * stops it too. Idempotent: run again, it merges the same commits again.
 */
export async function mergeChild(input: MergeChildInput, services: ActorServices): Promise<MergeChildOutput> {
  const parent = await services.readPlan(input.planId);
  if (!parent.sandbox)
    throw new Error(`plan ${parent.name} has no sandbox to merge ${input.children[0]?.child.name ?? 'children'} into`);
  // the heads of children that ran on workers come here now, not when each ended: a child's slot is free sooner
  await services.children.fetchHeads(
    input.children.map(({ child, theirs }) => ({ childId: child.childId, head: theirs })),
  );
  const round = await services.merger.mergeRound({
    ours: input.ours,
    strategy: input.strategy,
    merges: input.children.map(({ child, base, theirs }) => ({
      base,
      theirs,
      message: `troupe: merge child plan ${child.name}\n\nTroupe-Plan-Id: ${input.planId}\nTroupe-Child-Id: ${child.childId}`,
      subject: `cannot merge child plan ${child.name}`,
    })),
  });
  const merged = round.merged.map(({ commit, files, resolved }, index): MergedChild => ({
    childId: input.children[index]!.child.childId,
    head: commit,
    settled: resolved.map(({ file, kind, side, hunks }) => ({ file, kind, with: side, hunks })),
    files,
  }));
  const head = merged.at(-1)?.head ?? input.ours;
  let changeset: Changeset | null = null;
  if (merged.length > 0) {
    // move the parent's sandbox to the last merge commit; when this process
    // last left it clean at ours (the previous round, say), no status is
    // needed. The changeset's diff reads only commits: it runs meanwhile.
    const sandbox = { ...parent.sandbox, headCommit: input.ours };
    const cleanAt = services.cleanSandboxes.get(input.planId) === input.ours ? { cleanAt: input.ours } : {};
    services.cleanSandboxes.delete(input.planId);
    const [files] = await Promise.all([
      services.sandboxes.diff(sandbox, sandbox.baseCommit, head),
      services.sandboxes.reset(sandbox, head, cleanAt),
    ]);
    // clean at the merge commit now: the next round, or the parent's next step, need not ask
    services.cleanSandboxes.set(input.planId, head);
    await Promise.all(merged.map((child) => services.children.merged(child.childId, child.head)));
    // their worktrees and branches go now; their commits are the merge commits' second parents, and kept by ref
    await services.children.release(merged.map((child) => child.childId));
    changeset =
      files.length === 0
        ? null
        : {
            id: input.changesetId ?? services.newId(),
            planId: input.planId,
            baseCommit: sandbox.baseCommit,
            headCommit: head,
            files,
          };
  }
  const { stopped } = round;
  if (!stopped) return { merged, changeset };
  const at = input.children[stopped.index]!;
  const { childId } = at.child;
  if ('error' in stopped) {
    // fail-on-conflict refuses with MERGE_CONFLICT naming the files; anything else failed the merge
    return { merged, changeset, stopped: { childId, error: stopped.error.toJSON() } };
  }
  const copies = await services.merges.writeEditCopies(
    input.planId,
    stopped.conflicts.flatMap(({ file, content }) => (content === null ? [] : [{ file, content }])),
  );
  const conflicts: SurfacedConflict[] = stopped.conflicts.map(({ file, kind, hunks, paths }) => ({
    file,
    kind,
    hunks,
    edit: copies.get(file) ?? null,
    ...(paths ? { paths } : {}),
  }));
  return {
    merged,
    changeset,
    stopped: { childId, merge: { base: at.base, ours: head, theirs: at.theirs, clean: stopped.clean, conflicts } },
  };
}
