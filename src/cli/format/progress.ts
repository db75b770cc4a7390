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
      return typeof data.attempt === 'number' ? `${out.paint('yellow', '↻')} attempt ${data.attempt} starts over` : `${out.paint('yellow', '↻')} resumed after an interruption`;
    case 'subplan.spawned':
      return `    ${out.paint('cyan', '↳')} ${String(data.name)} started`;
    case 'subplan.status':
      return subplanLine(data, out);
    case 'merge.completed':
      return data.childId ? `    ${out.paint('green', '✓')} merged ${String(data.name ?? data.childId)}` : `${out.paint('green', '✓')} merge commit ${String(data.commit).slice(0, 7)} made`;
    case 'merge.conflict':
      return `${out.paint('yellow', '!')} ${Array.isArray(data.files) ? data.files.length : 0} conflicting file(s)${data.childId ? ` merging ${String(data.name ?? data.childId)}` : ''}: ${Array.isArray(data.files) ? data.files.join(', ') : ''} — troupe plan conflicts shows them`;
    case 'conflict.resolved':
      return `  ${out.paint('green', '✓')} resolved ${String(data.file)} (${String(data.with)})`;
    default:
      return null;
  }
}

// a child's status as its parent sees it; `running` is said by `started`
function subplanLine(data: Record<string, unknown>, out: Output): string | null {
  const name = String(data.name);
  switch (data.status) {
    case 'retrying':
      return `    ${out.paint('yellow', '↻')} ${name} retrying (attempt ${String(data.attempt)})`;
    case 'complete':
      return `    ${out.paint('green', '✓')} ${name} validated`;
    case 'failed':
    case 'cancelled': {
      const error = data.error as { code?: string; message?: string } | undefined;
      return `    ${out.paint('red', '✗')} ${name} ${String(data.status)}${error ? `: ${error.code} ${error.message}` : ''}`;
    }
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
