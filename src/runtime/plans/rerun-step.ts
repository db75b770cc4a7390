import type { JournalEntry } from '../../domain/index.js';
import type { PlanContext } from '../../../machines/index.js';

/** What {@link rerunStepEntries} reads of a restored plan actor's snapshot. */
export interface RestoredSnapshot {
  matches(state: unknown): boolean;
  context: Pick<PlanContext, 'lastCompletedStep' | 'open'>;
}

/**
 * The `step.started` of a step that runs again because its process was
 * interrupted in it (`plan resume`): a restored actor re-enters its step
 * without the entry that journaled the first start, so nothing would say
 * the step runs — not `plan resume`'s progress, not `troupe events`, not
 * the running step `plan status` and `troupe ui` show. `rerun: true` tells
 * it from a first start. An agent-driven plan's calls are journaled when
 * they end, so its step gets none.
 *
 * @example
 * persistence.record(planId, { entries: [resumed, ...rerunStepEntries(actor.getSnapshot(), (index) => memory.stepTitle(planId, index))] });
 */
export function rerunStepEntries(
  snapshot: RestoredSnapshot,
  titleOf: (index: number) => string | undefined,
): JournalEntry[] {
  const inStep =
    snapshot.matches({ execute: { processing: 'step' } }) || snapshot.matches({ execute: { processing: 'group' } });
  if (!inStep || snapshot.context.open) return [];
  const index = (snapshot.context.lastCompletedStep ?? -1) + 1;
  return [{ type: 'step.started', phase: 'execute', data: { index, title: titleOf(index) ?? '', rerun: true } }];
}
