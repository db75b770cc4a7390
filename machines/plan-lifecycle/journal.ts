import type { JournalEntry } from '../../src/domain/index.js';
import type { PlanEmitted } from './plan-emitted.js';

/**
 * A journal entry as the event the plan emits: the runtime stores it in the
 * same batch as the snapshot of the transition that emitted it.
 *
 * @example
 * emit(({ context }) => journal({ type: 'step.started', phase: 'execute', data: { index: 0 } }));
 */
export function journal(entry: JournalEntry): PlanEmitted {
  return { type: 'journal', entry };
}
