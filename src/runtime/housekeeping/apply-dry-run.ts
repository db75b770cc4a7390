import type { MergeStrategy } from '../../domain/index.js';
import type { ProjectApplier } from '../../../actors/index.js';
import type { Store } from '../../store/index.js';
import { readStoredPlan, type PlanPersistence } from '../persistence/index.js';
import { liveRefusal, storedRefusal, type PlanEntry } from '../plans/index.js';
import type { ApplyPreview } from './housekeeping-api.js';
import { applyTakes, previewPlanApply } from './apply-preview.js';
import { patchLimit, storedContext } from './plan-patch.js';

/** What previewing a plan's apply reads. */
export interface ApplyPreviewHost {
  store: Store;
  persistence: Pick<PlanPersistence, 'settled'>;
  project: ProjectApplier;
  /** The plan's live entry, if it has one: a dry run restores no actor. */
  live(planId: string): PlanEntry | undefined;
}

/**
 * What `plan apply` would do for the plan now, changing nothing; refused
 * in apply's own words when apply would be refused.
 *
 * @example
 * const preview = await previewApplyOf(host, planId, { patch: true });
 */
export async function previewApplyOf(
  host: ApplyPreviewHost,
  planId: string,
  options: { strategy?: MergeStrategy | undefined; patch?: boolean; maxBytes?: number },
): Promise<ApplyPreview> {
  // a transition on its way to the store is part of the answer
  await host.persistence.settled(planId);
  const record = await readStoredPlan(host.store, planId);
  const live = host.live(planId) ?? null;
  // apply's own refusal, word for word: a dry run of a command it would refuse is refused
  const takes = live ? live.actor.getSnapshot().can({ type: 'plan.apply' }) : applyTakes(record);
  if (!takes)
    throw live ? liveRefusal('apply', live) : storedRefusal('apply', await readStoredPlan(host.store, planId));
  const context = live ? live.actor.getSnapshot().context : storedContext(await host.store.getSnapshot(planId));
  return previewPlanApply(host.project, record, context?.merge ?? null, {
    ...(options.strategy ? { strategy: options.strategy } : {}),
    patch: options.patch === true,
    maxBytes: patchLimit(options.maxBytes),
  });
}
