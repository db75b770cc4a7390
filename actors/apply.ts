import { asTroupeError } from '../src/domain/index.js';
import type { ApplyInput, ApplyOutcome } from '../machines/index.js';
import type { ActorServices } from './services.js';

/**
 * The `apply` actor: brings the sandbox's changes (base..head) onto the
 * project's current branch as one commit by troupe. A dirty project tree
 * (`DIRTY_WORKTREE`) or a conflict (`MERGE_CONFLICT`, project untouched)
 * fails apply in a way that `troupe plan apply` can retry once fixed.
 * Idempotent: the commit carries a `Troupe-Plan-Id` trailer, and a plan
 * already applied is not applied again.
 */
export async function applyPlan(input: ApplyInput, services: ActorServices): Promise<ApplyOutcome> {
  const plan = await services.readPlan(input.planId);
  try {
    const result = await services.project.applyChanges({
      base: input.sandbox.baseCommit,
      head: input.sandbox.headCommit,
      planId: input.planId,
      // apply-changes adds the Troupe-Plan-Id trailer that makes apply idempotent
      message: `${plan.goal}\n\nApplied by troupe plan ${plan.name}.`,
    });
    return { ok: true, commit: result.status === 'applied' ? result.commit : null };
  } catch (error) {
    const troupeError = asTroupeError(error);
    if (troupeError.code === 'DIRTY_WORKTREE' || troupeError.code === 'MERGE_CONFLICT') {
      return { ok: false, error: { ...troupeError.toJSON(), retryable: true } };
    }
    throw troupeError;
  }
}
