import { createActor, fromPromise } from 'xstate';
import {
  invariantReconcilerMachine,
  planLifecycleMachine,
  planPosition,
  type CheckInput,
  type PlanContext,
  type PlanEmitted,
  type ReconciliationEmitted,
} from '../../machines/index.js';
import type { InvariantResult, JournalEntry, TieredInvariant } from '../../src/domain/index.js';
import { scriptedActors } from './plan-lifecycle-fixtures.js';

/** The plan's invariants: one of tier project, one of tier plan. */
export const INVARIANTS: TieredInvariant[] = [
  { id: 'tests-pass', check: 'command', run: 'npm test --silent', tier: 'project' },
  { id: 'header-exists', check: 'file-exists', path: 'LICENSE_HEADER', tier: 'plan' },
];

/** Where a snapshot stands: its phase and status. */
export const position = (snapshot: { value: unknown; context: PlanContext }) =>
  planPosition(snapshot.value as never, snapshot.context);
/** The journal entries among what a plan emitted. */
export const journal = (emitted: PlanEmitted[]): JournalEntry[] =>
  emitted.flatMap((event) => (event.type === 'journal' ? [event.entry] : []));
/** The types of the journal entries a plan emitted, in order. */
export const journalTypes = (emitted: PlanEmitted[]) => journal(emitted).map((entry) => entry.type);
/** The reconciliations a plan emitted. */
export const reconciliations = (emitted: PlanEmitted[]) =>
  emitted.filter((event): event is ReconciliationEmitted => event.type === 'reconciliation');
/** The invariant.* journal entries a plan emitted. */
export const invariantEntries = (emitted: PlanEmitted[]) =>
  journal(emitted).filter((entry) => entry.type.startsWith('invariant.'));
/** A reconciliation without its results. */
export const summary = (event: ReconciliationEmitted) => ({
  parentId: event.parentId,
  trigger: event.trigger,
  step: event.step,
  outcome: event.outcome,
});

function resultOf(input: CheckInput, passed: boolean): InvariantResult {
  const { id, tier, check } = input.invariant;
  return { id, tier, check, passed, message: passed ? 'holds' : 'broken', durationMs: 1 };
}

/**
 * A plan whose invariant checks wait for the test when `gate(input)` says so
 * (the others answer at once with `holds`). Each waiting check can be
 * answered, and records when its signal aborts.
 */
export function startGatedPlan(
  automation: 'manual' | 'review' | 'auto',
  options: Parameters<typeof scriptedActors>[0] & { gate: (input: CheckInput) => boolean },
) {
  const { actors, calls } = scriptedActors(options);
  const waiting: { input: CheckInput; answer: (passed: boolean) => void; aborted: () => boolean }[] = [];
  const runCheck = fromPromise<InvariantResult, CheckInput>(async ({ input, signal }) => {
    calls.checked.push(input);
    if (!options.gate(input)) return resultOf(input, options.holds?.(input) ?? true);
    let aborted = false;
    signal.addEventListener('abort', () => (aborted = true));
    return new Promise<InvariantResult>((resolve) =>
      waiting.push({ input, answer: (passed) => resolve(resultOf(input, passed)), aborted: () => aborted }),
    );
  });
  const actor = createActor(
    planLifecycleMachine.provide({
      actors: { ...actors, reconcile: invariantReconcilerMachine.provide({ actors: { runCheck } }) },
    }),
    {
      input: { planId: 'P', name: 'demo/x', automation },
    },
  );
  const emitted: PlanEmitted[] = [];
  actor.on('*', (event) => emitted.push(event as PlanEmitted));
  actor.start();
  return { actor, calls, emitted, waiting };
}
