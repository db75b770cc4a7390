import { RECONCILE_TRIGGERS, reconciliationTitle, type InvariantResult, type JournalEvent, type ReconcileTrigger } from '../../domain/index.js';
import type { Output } from '../output.js';

/** A journal event as a line of progress for people, or null for events not worth a line. */
export function formatProgress(event: JournalEvent, out: Output): string | null {
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'phase.started':
      return `${out.paint('cyan', '▸')} ${event.phase}`;
    case 'phase.completed':
      return `${out.paint('green', '✓')} ${event.phase} complete${typeof data.commit === 'string' ? ` (commit ${data.commit.slice(0, 7)})` : ''}`;
    case 'phase.failed':
      return `${out.paint('red', '✗')} ${event.phase} failed: ${String(data.code ?? '')} ${String(data.message ?? '')}`.trimEnd();
    case 'step.started':
      return `  step ${Number(data.index) + 1}: ${String(data.title)}`;
    case 'step.failed':
      return `  ${out.paint('red', '✗')} step ${Number(data.index) + 1} failed: ${String(data.message ?? data.code ?? '')}`;
    case 'invariant.reconciled':
      return `  ${out.paint('green', '✓')} ${reconciliationLine(data)}`;
    case 'invariant.violated':
      return [`  ${out.paint('red', '✗')} ${reconciliationLine(data)}`, ...failedResults(data).map((result) => `    ${out.paint('red', '✗')} ${result.id} (${result.tier}): ${result.message}`)].join('\n');
    case 'plan.cancelled':
      return `${out.paint('red', '✗')} cancelled`;
    case 'plan.resumed':
      return `${out.paint('yellow', '↻')} resumed after an interruption`;
    default:
      return null;
  }
}

function resultsOf(data: Record<string, unknown>): InvariantResult[] {
  return Array.isArray(data.results) ? (data.results as InvariantResult[]) : [];
}

function failedResults(data: Record<string, unknown>): InvariantResult[] {
  return resultsOf(data).filter((result) => result.passed === false);
}

// "3 invariants hold after step 2", from the event's trigger and results
function reconciliationLine(data: Record<string, unknown>): string {
  const trigger = (RECONCILE_TRIGGERS as readonly string[]).includes(String(data.trigger)) ? (data.trigger as ReconcileTrigger) : 'post-step';
  return reconciliationTitle(resultsOf(data), trigger, typeof data.step === 'number' ? data.step : undefined);
}
