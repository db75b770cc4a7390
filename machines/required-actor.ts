import { fromPromise } from 'xstate';
import { TroupeError } from '../src/domain/index.js';

/**
 * The default of an I/O actor a machine needs the runtime to provide: it
 * fails, saying which actor is missing and how to provide it, so a machine
 * used on its own never hangs on work nobody does.
 *
 * @example
 * setup({ actors: { apply: requiredActor<ApplyOutcome, ApplyInput>('planLifecycleMachine', 'apply') } });
 */
export function requiredActor<TOutput, TInput>(machine: string, name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new TroupeError('INTERNAL_ERROR', `${machine} needs the "${name}" actor`, {
      hint: `provide it: ${machine}.provide({ actors: { ${name}: … } })`,
    });
  });
}
