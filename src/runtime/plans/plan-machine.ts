import { fromPromise } from 'xstate';
import {
  invariantReconcilerMachine,
  planLifecycleMachine,
  subplanSupervisorMachine,
  type ReconcileInput,
  type ReconcileOutput,
} from '../../../machines/index.js';
import {
  applyPlan,
  cancelChildren,
  commitMerge,
  loadGroup,
  mergeChild,
  runChild,
  startChild,
  defaultReconciler,
  executePlanStep,
  prepareSandbox,
  reconcileOutput,
  runInvariantCheck,
  strategizePlan,
  validatePlan,
  type ActorServices,
  type CheckRegistry,
} from '../../../actors/index.js';
import type { ChosenActors } from '../plugins/index.js';

/**
 * The plan machine with troupe's I/O actors provided. The actors do not
 * wait for the write of the transition that started them: they are
 * idempotent (a restore re-runs one in flight from its last commit), and the
 * decisions a transition recorded are readable at once (RecentDecisions).
 */
export function providePlanMachine(services: ActorServices, chosen: ChosenActors, checks: CheckRegistry) {
  const runCheck = fromPromise<Awaited<ReturnType<typeof runInvariantCheck>>, Parameters<typeof runInvariantCheck>[0]>(
    ({ input, signal }) => runInvariantCheck(input, services, checks, signal),
  );
  const { reconciler } = chosen;
  // the default reconciler runs as the plan's child machine (the inspector
  // shows it and its checks); another one runs as a promise
  const reconcile =
    reconciler === defaultReconciler
      ? invariantReconcilerMachine.provide({ actors: { runCheck } })
      : // any logic with the reconciler's input and output may replace the machine;
        // XState's types only know the machine, hence the cast
        (fromPromise<ReconcileOutput, ReconcileInput>(async ({ input, signal }) => {
          const results = await reconciler.reconcile(input, {
            runCheck: (invariant) =>
              runInvariantCheck(
                { planId: input.planId, trigger: input.trigger, invariant, sandbox: input.sandbox },
                services,
                checks,
                signal,
              ),
            signal,
          });
          return reconcileOutput(reconciler, input, results);
        }) as unknown as typeof invariantReconcilerMachine);
  return planLifecycleMachine.provide({
    actors: {
      prepareSandbox: fromPromise(({ input }) => prepareSandbox(input, services)),
      strategize: fromPromise(({ input, signal }) => strategizePlan(input, services, chosen.strategist, signal)),
      executeStep: fromPromise(({ input, signal }) => executePlanStep(input, services, chosen.executor, signal)),
      validate: fromPromise(({ input, signal }) => validatePlan(input, services, signal)),
      apply: fromPromise(({ input }) => applyPlan(input, services)),
      commitMerge: fromPromise(({ input }) => commitMerge(input, services)),
      loadGroup: fromPromise(({ input }) => loadGroup(input, services)),
      // the supervisor is the plan's child machine; its actors reach child plans through the runtime
      supervise: subplanSupervisorMachine.provide({
        actors: {
          startChild: fromPromise(({ input }) => startChild(input, services)),
          runChild: fromPromise(({ input, signal }) => runChild(input, services, signal)),
          mergeChild: fromPromise(({ input }) => mergeChild(input, services)),
          cancelChildren: fromPromise(({ input }) => cancelChildren(input, services)),
        },
      }),
      reconcile,
    },
  });
}

/** The plan machine as provided by {@link providePlanMachine}. */
export type ProvidedPlanMachine = ReturnType<typeof providePlanMachine>;
