import { fromPromise } from 'xstate';
import { planLifecycleMachine } from '../../machines/index.js';
import {
  applyPlan,
  executePlanStep,
  prepareSandbox,
  strategizePlan,
  validatePlan,
  type ActorServices,
} from '../../actors/index.js';
import type { ChosenActors } from './actor-registry.js';

/**
 * The plan machine with troupe's I/O actors provided. The actors do not
 * wait for the write of the transition that started them: they are
 * idempotent (a restore re-runs one in flight from its last commit), and the
 * decisions a transition recorded are readable at once (RecentDecisions).
 */
export function providePlanMachine(services: ActorServices, chosen: ChosenActors) {
  return planLifecycleMachine.provide({
    actors: {
      prepareSandbox: fromPromise(({ input }) => prepareSandbox(input, services)),
      strategize: fromPromise(({ input, signal }) => strategizePlan(input, services, chosen.strategist, signal)),
      executeStep: fromPromise(({ input, signal }) => executePlanStep(input, services, chosen.executor, signal)),
      validate: fromPromise(({ input, signal }) => validatePlan(input, services, signal)),
      apply: fromPromise(({ input }) => applyPlan(input, services)),
    },
  });
}

/** The plan machine as provided by {@link providePlanMachine}. */
export type ProvidedPlanMachine = ReturnType<typeof providePlanMachine>;
