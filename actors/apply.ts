import { asTroupeError } from '../src/domain/index.js';
import type { ApplyInput, ApplyOutcome, SurfacedConflict } from '../machines/index.js';
import type { ActorServices } from './services.js';

/**
 * The `apply` actor: brings the sandbox's changes (base..head) onto the
 * project's current branch as one commit by troupe, merged through the
 * engine when the branch moved on (SPEC §9). Conflicts come back as data
 * for the plan to wait on — with a copy of each text file carrying conflict
 * markers under `.troupe/conflicts/` — and leave the project untouched, as
 * do uncommitted changes in files the apply writes (`DIRTY_WORKTREE`;
 * changes in other files stay, as with `git merge`) and `fail-on-conflict`
 * (`MERGE_CONFLICT`); both fail apply in a way `troupe plan apply` can retry.
 * After the user resolved a merge, `merged` names the merge commit to apply
 * instead. Idempotent: the commit carries a `Troupe-Plan-Id` trailer, and a
 * plan already applied is not applied again; copies are written again.
 */
export async function applyPlan(input: ApplyInput, services: ActorServices): Promise<ApplyOutcome> {
  const plan = await services.readPlan(input.planId);
  try {
    const result = await services.project.applyChanges({
      base: input.merged?.base ?? input.sandbox.baseCommit,
      head: input.merged?.head ?? input.sandbox.headCommit,
      planId: input.planId,
      strategy: input.strategy,
      // apply-changes adds the Troupe-Plan-Id trailer that makes apply idempotent
      message: `${plan.goal}\n\nApplied by troupe plan ${plan.name}.`,
    });
    if (result.status === 'conflict') {
      const copies = await services.merges.writeEditCopies(
        input.planId,
        result.conflicts.flatMap(({ file, content }) => (content === null ? [] : [{ file, content }])),
      );
      const conflicts: SurfacedConflict[] = result.conflicts.map(({ file, kind, hunks, paths }) => ({
        file,
        kind,
        hunks,
        edit: copies.get(file) ?? null,
        ...(paths ? { paths } : {}),
      }));
      return {
        ok: false,
        merge: {
          base: input.merged?.base ?? input.sandbox.baseCommit,
          ours: result.ours,
          theirs: input.merged?.head ?? input.sandbox.headCommit,
          clean: result.clean,
          conflicts,
        },
      };
    }
    // children of other projects are applied to their own projects with the root (SPEC §8)
    const projects = await services.children.applyProjectChildren(input.planId);
    const extra = projects.length > 0 ? { projects } : {};
    // the commit is on the user's branch and a done plan is never rolled back: its
    // sandbox, branch and refs go now, not at the next gc (a failure leaves them to gc)
    await services.children.releaseApplied(input.planId).catch(() => {});
    if (result.status === 'unchanged') return { ok: true, commit: null, ...extra };
    const resolved = (result.settled ?? []).map(({ file, kind, side, hunks }) => ({ file, kind, with: side, hunks }));
    return { ok: true, commit: result.commit, ...(resolved.length > 0 ? { resolved } : {}), ...extra };
  } catch (error) {
    // apply changes the project all at once or not at all, and what stops it
    // is the project's state (dirty, moved on, on a branch without commits):
    // once the user fixes that, `plan apply` runs it again
    return { ok: false, error: { ...asTroupeError(error).toJSON(), retryable: true } };
  }
}
