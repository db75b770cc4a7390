import type { JournalEvent, PredictedConflict } from '../../domain/index.js';
import { overlapWords } from '../format/overlap.js';

/**
 * The predicted conflicts still worth a look: a prediction is
 * over once both of its children merged into the plan — the conflict it
 * foresaw was resolved at the merge, or never came — as the plan's journal
 * tells (`merge.completed` of each, since its last rollback, which may have
 * undone merges). The record keeps every prediction of the group; the
 * journal keeps when each was made.
 *
 * @example
 * const open = openPredictions(record.predictedConflicts, await runtime.events(record.id));
 */
export function openPredictions(
  predictions: readonly PredictedConflict[],
  events: readonly JournalEvent[],
): PredictedConflict[] {
  if (predictions.length === 0) return [];
  const merged = new Set<string>();
  for (const event of events) {
    if (event.type === 'plan.rolled_back') merged.clear();
    if (event.type === 'merge.completed' && typeof event.data.childId === 'string') merged.add(event.data.childId);
  }
  return predictions.filter((prediction) => !prediction.children.every((childId) => merged.has(childId)));
}

/**
 * What strategize found of children that may write the same files (its
 * `overlap.detected`, the last one of each group step): a line each, as
 * `plan run` printed it — `step 1: demo/node ↔ demo/npm (package.json) may
 * write the same files; they run side by side`.
 *
 * @example
 * const lines = overlapWarnings(await runtime.events(record.id));
 */
export function overlapWarnings(events: readonly JournalEvent[]): string[] {
  const byStep = new Map<number, string>();
  for (const event of events) {
    if (event.type === 'plan.rolled_back') byStep.clear();
    if (event.type === 'overlap.detected') byStep.set(Number(event.data.step), overlapWords(event.data));
  }
  return [...byStep].sort(([a], [b]) => a - b).map(([step, words]) => `step ${step + 1}: ${words}`);
}
