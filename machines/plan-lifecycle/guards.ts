import { phaseIndex, type Phase } from '../../src/domain/index.js';
import type { ApplyOutcome, StepOutcome, ValidateOutcome } from './actor-io.js';
import type { PlanContext } from './plan-context.js';

// The guards more than one phase uses (plan-setup.ts registers them). A
// guard of one phase lives in its file; the phase rules of the commands,
// which read the machine's position with stateIn, in commands.ts.

/** The current drive goes on past `phase` instead of stopping at `(phase, complete)`. */
export function continuesPast({ context }: { context: PlanContext }, params: { phase: Phase }): boolean {
  return context.target !== null && phaseIndex(context.target) > phaseIndex(params.phase);
}

/** The invoked actor answered with `ok: true`. */
export function outcomeSucceeded({ event }: { event: unknown }): boolean {
  return (event as { output?: StepOutcome | ValidateOutcome | ApplyOutcome }).output?.ok === true;
}
