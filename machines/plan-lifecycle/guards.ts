import { driveTarget, phaseIndex, type Phase } from '../../src/domain/index.js';
import type { ApplyOutcome, StepOutcome, ValidateOutcome } from './actor-io.js';
import type { PlanCommand } from './plan-command.js';
import type { PlanContext } from './plan-context.js';

// Guards that read context and events. The guards that read the machine's
// position (isStrategizeComplete, canExecute, …) are declared with stateIn in
// machine.ts, where they are named.

/** The failure stored on the plan can be fixed by running the same phase again (a dirty tree was cleaned, a timeout may pass). */
export function isRetryableFailure({ context }: { context: PlanContext }): boolean {
  return context.error?.retryable === true;
}

/** The drive asked for by `plan.run` reaches `phase`, by the plan's automation or the event's `until`. */
export function driveReaches({ context, event }: { context: PlanContext; event: PlanCommand }, params: { phase: Phase }): boolean {
  const until = event.type === 'plan.run' ? event.until : undefined;
  return phaseIndex(driveTarget(context.automation, params.phase, until)) >= phaseIndex(params.phase);
}

/** The current drive goes on past `phase` instead of stopping at `(phase, complete)`. */
export function continuesPast({ context }: { context: PlanContext }, params: { phase: Phase }): boolean {
  return context.target !== null && phaseIndex(context.target) > phaseIndex(params.phase);
}

/** The invoked actor answered with `ok: true`. */
export function outcomeSucceeded({ event }: { event: unknown }): boolean {
  return (event as { output?: StepOutcome | ValidateOutcome | ApplyOutcome }).output?.ok === true;
}

/** `plan.resolve` names a file that is open in the merge the plan is waiting on. */
export function isOpenConflict({ context, event }: { context: PlanContext; event: PlanCommand }): boolean {
  return event.type === 'plan.resolve' && context.merge !== null && context.merge.commit === null && context.merge.open.includes(event.file);
}

/** `plan.corrected` appended steps: they run first, and their reconciliation follows the last one (SPEC §10). */
export function appendsSteps({ event }: { event: PlanCommand }): boolean {
  return event.type === 'plan.corrected' && (event.appended ?? 0) > 0;
}
