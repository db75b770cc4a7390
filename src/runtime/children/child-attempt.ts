import type { PlanError, PlanRecord } from '../../domain/index.js';
import { planPosition, type PlanContext, type RunChildOutput } from '../../../machines/index.js';
import type { ChildPlans } from '../../../actors/index.js';
import type { WatchedPlan } from './watched-plan.js';

/** What watching a child's attempt calls on the runtime: cancel it past its deadline, hand it to its model. */
export interface AttemptHost {
  cancel(planId: string, reason: string): Promise<void>;
  /** A child with a model, open in execute, is handed to its model (which finishes it up to `until`). */
  models?: { start(planId: string, options: { until: 'validate' }): void };
}

/**
 * Drive a child's attempt in this process and answer how it ended: a child
 * that is not manual is run to `(validate, complete)`; past the request's
 * deadline the attempt is cancelled and answered `TIMEOUT`; when `signal`
 * aborts (the supervisor went away) the watch stops and the child goes on.
 *
 * @example
 * const outcome = await watchAttempt(plan, request, signal, host);
 * if (!outcome.ok) console.log(outcome.error.code);
 */
export function watchAttempt(
  plan: WatchedPlan,
  request: Parameters<ChildPlans['run']>[0],
  signal: AbortSignal,
  host: AttemptHost,
): Promise<RunChildOutput> {
  if (plan.snapshot().context.child?.attempt !== request.attempt) {
    return Promise.resolve({
      ok: false,
      cancelled: true,
      error: { code: 'CANCELLED', message: `attempt ${request.attempt} of ${plan.identity.name} was superseded` },
    });
  }
  // manual children are driven by the user, phase by phase (SPEC §8)
  if (plan.identity.automation !== 'manual') plan.send({ type: 'plan.run', until: 'validate' });
  return new Promise<RunChildOutput>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let stop = () => {};
    const finish = (outcome: RunChildOutput) => {
      stop();
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      resolve(outcome);
    };
    // the supervisor went away (its plan waits or stopped): stop watching, the child goes on
    const aborted = () =>
      finish({ ok: false, cancelled: true, error: { code: 'CANCELLED', message: 'no longer watched' } });
    const driven = plan.identity.automation !== 'manual';
    const check = () => {
      // past the deadline the attempt is being cancelled: that is the timeout, not a cancellation
      if (timedOut) return;
      const snapshot = plan.snapshot();
      const outcome = attemptOutcome(snapshot);
      if (outcome) finish(outcome);
      // open in execute: a child with a model is its model's to drive (the others wait for their agent)
      else if (driven && snapshot.context.open) host.models?.start(request.childId, { until: 'validate' });
    };
    stop = plan.watch(check);
    signal.addEventListener('abort', aborted, { once: true });
    if (request.deadline !== null) {
      timer = setTimeout(
        () => {
          timedOut = true;
          void host.cancel(request.childId, `attempt ${request.attempt} timed out`).finally(() =>
            finish({
              ok: false,
              error: {
                code: 'TIMEOUT',
                message: `${plan.identity.name} did not validate in time (attempt ${request.attempt}); it was cancelled and its processes stopped`,
                retryable: true,
              },
            }),
          );
        },
        Math.max(0, request.deadline - Date.now()),
      );
    }
    check();
  });
}

/** How an attempt ended, from the child's snapshot; null while it goes on (or waits for the user). */
function attemptOutcome(snapshot: { status: string; value: unknown; context: PlanContext }): RunChildOutput | null {
  const { context } = snapshot;
  const position = planPosition(snapshot.value as never, context);
  if (position.status === 'done') return { ok: true, head: context.sandbox?.headCommit ?? '' };
  if (position.status === 'cancelled' || position.status === 'invalidated') {
    // the child plan itself was cancelled (its user or agent no longer wants it): the group goes on without it
    return {
      ok: false,
      cancelled: true,
      ...(position.status === 'cancelled' ? { withdrawn: true } : {}),
      error: { code: 'CANCELLED', message: `${context.name} was ${position.status}` },
    };
  }
  if (position.status === 'failed') {
    const error: PlanError = context.error ?? {
      code: 'INTERNAL_ERROR',
      message: `${context.name} failed`,
      phase: position.phase,
      retryable: false,
    };
    return {
      ok: false,
      error: {
        code: error.code,
        message: `${context.name}: ${error.message}`,
        ...(error.details ? { details: error.details } : {}),
        retryable: error.retryable,
      },
    };
  }
  if (position.phase === 'validate' && position.status === 'complete')
    return { ok: true, head: context.sandbox?.headCommit ?? '' };
  return null;
}

/**
 * How the attempt of a child that has ended (it has no live actor) is
 * answered: `done` is a success, anything else a cancellation.
 *
 * @example
 * const outcome = endedOutcome(await services.readPlan(childId));
 */
export function endedOutcome(record: PlanRecord): RunChildOutput {
  if (record.status === 'done') return { ok: true, head: record.sandbox?.headCommit ?? '' };
  return {
    ok: false,
    cancelled: true,
    ...(record.status === 'cancelled' ? { withdrawn: true } : {}),
    error: { code: 'CANCELLED', message: `${record.name} is ${record.status}` },
  };
}
