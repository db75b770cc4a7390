import { isRetryableByDefault, type Phase, type PlanError } from '../../src/domain/index.js';
import type { ActorFailure } from '../outcomes.js';

/**
 * What a provided actor reported as failed, as the plan's error in `phase`
 * (and at `step`); retryable as the actor said, or as its code is by default.
 *
 * @example
 * assign({ error: ({ event }) => failure('validate', event.output.error) });
 */
export function failure(phase: Phase, error: ActorFailure, step?: number): PlanError {
  return {
    code: error.code,
    message: error.message,
    phase,
    ...(step === undefined ? {} : { step }),
    ...(error.details === undefined ? {} : { details: error.details }),
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    retryable: error.retryable ?? isRetryableByDefault(error.code),
  };
}
