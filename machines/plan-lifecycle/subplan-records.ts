import type { JournalEntry, PlanError, SubplanStatus } from '../../src/domain/index.js';
import type { SupervisorOutput, SupervisorReport } from '../subplan-supervisor/types.js';

// How a group of subplans shows in its parent's record and error.

/** The record's `subplanStatuses` after a supervisor report: every child of every group, by id. */
export function subplanStatusesAfter(
  statuses: Readonly<Record<string, SubplanStatus>>,
  report: SupervisorReport,
): Record<string, SubplanStatus> {
  const next = { ...statuses };
  for (const child of report.state.children) {
    const state = report.state.statuses[child.childId]!;
    next[child.childId] = { name: child.name, status: state.status, attempt: state.attempt, error: state.error };
  }
  return next;
}

/**
 * The journal entries of a supervisor report, in the order things happened:
 * first what ended or freed a slot (`complete`, `failed`, `cancelled`,
 * `retrying`), then the children that took a slot, each `subplan.spawned`
 * before its `running`. Read in order, the journal never shows more
 * children running than `maxParallel` allows.
 *
 * @example
 * for (const entry of subplanJournalEntries(report)) enqueue.emit({ type: 'journal', entry });
 */
export function subplanJournalEntries(report: SupervisorReport): JournalEntry[] {
  const nameOf = (childId: string) => report.state.children.find((child) => child.childId === childId)?.name;
  const spawned = new Set(report.spawned);
  const status = (change: SupervisorReport['changes'][number]): JournalEntry => ({
    type: 'subplan.status',
    phase: 'execute',
    data: {
      childId: change.childId,
      name: change.name,
      status: change.status,
      attempt: change.attempt,
      ...(change.error ? { error: { code: change.error.code, message: change.error.message } } : {}),
    },
  });
  const spawn = (childId: string): JournalEntry => ({
    type: 'subplan.spawned',
    phase: 'execute',
    data: { childId, name: nameOf(childId), status: 'running', attempt: 1 },
  });
  const starts = report.changes.filter((change) => spawned.has(change.childId));
  const entries = report.changes.filter((change) => !spawned.has(change.childId)).map(status);
  // a spawned child went from pending to running in this report: it is always among the changes
  for (const change of starts) entries.push(spawn(change.childId), status(change));
  return entries;
}

/**
 * Why execute failed after a group: the children that did not merge and how
 * each ended, or the merge that failed (`fail-on-conflict`). Not retryable:
 * the group's merged children are in the sandbox.
 */
export function groupFailure(output: Exclude<SupervisorOutput, { outcome: 'conflict' }>): PlanError {
  const { state } = output;
  const nameOf = (childId: string) => state.children.find((child) => child.childId === childId)?.name ?? childId;
  if (output.outcome === 'merge-failed') {
    return {
      code: output.error.code,
      message: `merging child plan ${nameOf(output.childId)} failed: ${output.error.message}`,
      phase: 'execute',
      step: state.stepIndex,
      details: { childId: output.childId, ...(output.error.details ?? {}) },
      ...(output.error.hint ? { hint: output.error.hint } : {}),
      retryable: false,
    };
  }
  const { failed } = output;
  const children = failed.map((childId) => {
    const child = state.statuses[childId]!;
    return {
      childId,
      name: nameOf(childId),
      status: child.status,
      attempt: child.attempt,
      error: child.error ? { code: child.error.code, message: child.error.message } : null,
    };
  });
  const first = children.find((child) => child.status === 'failed') ?? children[0];
  const described = children.map(
    (child) =>
      `${child.name} ${child.status}${child.error && child.status === 'failed' ? ` (${child.error.code}: ${child.error.message})` : ''}`,
  );
  return {
    code: first?.error?.code ?? 'CANCELLED',
    message: `${failed.length} of ${state.children.length} child plans did not finish: ${described.join('; ')}`,
    phase: 'execute',
    step: state.stepIndex,
    details: { children },
    hint: `troupe plan tree <plan> shows each child; troupe plan status <child> says why it stopped`,
    retryable: false,
  };
}
