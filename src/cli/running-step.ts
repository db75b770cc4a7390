import type { JournalEvent, PlanRecord } from '../domain/index.js';

/** The step a plan in execute is running, as its journal tells: 0-based index, title, and when it started. */
export interface RunningStep {
  index: number;
  title: string;
  /** When it started (ISO). */
  since: string;
}

/**
 * The step running after one more event of the plan's journal: a
 * `step.started` starts one; its `step.completed` or `step.failed`, or the
 * phase ending, ends it.
 *
 * @example
 * let running: RunningStep | null = null;
 * for (const event of await runtime.events(plan.id)) running = stepAfter(running, event);
 */
export function stepAfter(running: RunningStep | null, event: JournalEvent): RunningStep | null {
  const data = event.data;
  switch (event.type) {
    case 'step.started':
      return typeof data.index === 'number'
        ? { index: data.index, title: typeof data.title === 'string' ? data.title : '', since: event.ts }
        : running;
    case 'step.completed':
    case 'step.failed':
      return running && data.index === running.index ? null : running;
    case 'phase.completed':
    case 'phase.failed':
    case 'plan.cancelled':
    case 'plan.rolled_back':
      return null;
    default:
      return running;
  }
}

/**
 * The step a plan runs now, from its journal: only for a plan in `(execute,
 * processing)`, null otherwise.
 *
 * @example
 * const running = runningStep(record, await runtime.events(record.id));
 * if (running) console.log(`step ${running.index + 1}: ${running.title}`);
 */
export function runningStep(
  record: Pick<PlanRecord, 'phase' | 'status'>,
  events: readonly JournalEvent[],
): RunningStep | null {
  if (record.phase !== 'execute' || record.status !== 'processing') return null;
  return events.reduce<RunningStep | null>(stepAfter, null);
}
