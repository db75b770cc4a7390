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
 * The plan machine with troupe's I/O actors provided. Every actor first
 * waits until the transition that started it is persisted, so work starts
 * only from a durable state — and finds the decisions that transition
 * recorded in the store.
 */
export function providePlanMachine(services: ActorServices, chosen: ChosenActors, persisted: (planId: string) => Promise<void>) {
  return planLifecycleMachine.provide({
    actors: {
      prepareSandbox: fromPromise(async ({ input }) => {
        await persisted(input.planId);
        return prepareSandbox(input, services);
      }),
      strategize: fromPromise(async ({ input, signal }) => {
        await persisted(input.planId);
        return strategizePlan(input, services, chosen.strategist, signal);
      }),
      executeStep: fromPromise(async ({ input, signal }) => {
        await persisted(input.planId);
        return executePlanStep(input, services, chosen.executor, signal);
      }),
      validate: fromPromise(async ({ input, signal }) => {
        await persisted(input.planId);
        return validatePlan(input, services, signal);
      }),
      apply: fromPromise(async ({ input }) => {
        await persisted(input.planId);
        return applyPlan(input, services);
      }),
    },
  });
}

/** The plan machine as provided by {@link providePlanMachine}. */
export type ProvidedPlanMachine = ReturnType<typeof providePlanMachine>;
