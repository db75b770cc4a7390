import { commandActions, commandGuards, commandTransitions } from './commands.js';
import { planSetup } from './plan-setup.js';
import { strategizeState } from './strategize.js';
import { executeActions, executeGuards, executeState } from './execute.js';
import { groupActions, groupGuards } from './subplan-group.js';
import { validateState } from './validate.js';
import { applyGuards, applyState } from './apply.js';
import { reconcilingActions, reconcilingGuards } from './reconciling.js';
import { resolvingActions, resolvingGuards } from './resolving.js';

/**
 * Version of the persisted shape of this machine. Bump it when states or
 * context change incompatibly, and add a migration (DESIGN §3).
 *
 * @example
 * const stored = await store.getSnapshot(planId);
 * if (stored && stored.machineVersion !== PLAN_MACHINE_VERSION) console.log('snapshot needs a migration');
 */
export const PLAN_MACHINE_VERSION = 8;

/**
 * The lifecycle of one plan (SPEC §5, DESIGN §3): strategize → execute →
 * validate → apply, each `queued → processing → complete | failed`, then
 * `done`; `cancelled` from anywhere. Pure: I/O happens in the provided
 * actors, and history leaves through emitted events.
 *
 * @example
 * const machine = planLifecycleMachine.provide({ actors: { prepareSandbox, strategize, executeStep, validate, apply } });
 * const actor = createActor(machine, { input: { planId, name: 'demo/x', automation: 'review' } }).start();
 * actor.send({ type: 'plan.run' });
 */
export const planLifecycleMachine = planSetup
  .extend({
    guards: {
      ...commandGuards,
      ...reconcilingGuards,
      ...resolvingGuards,
      ...applyGuards,
      ...groupGuards,
      ...executeGuards,
    },
    actions: {
      ...commandActions,
      ...reconcilingActions,
      ...resolvingActions,
      ...groupActions,
      ...executeActions,
    },
  })
  .createMachine({
    id: 'plan',
    context: ({ input }) => ({
      planId: input.planId,
      name: input.name,
      automation: input.automation,
      phase: 'strategize',
      target: null,
      decisionRootId: null,
      stepCount: 0,
      lastCompletedStep: null,
      toolCalls: 0,
      sandbox: input.child?.sandbox ?? null,
      changesetId: null,
      appliedCommit: null,
      error: null,
      lastCheckpointId: null,
      reversionCount: 0,
      invariants: [],
      reconciliation: true,
      pendingReconcile: null,
      applyStrategy: 'three-way',
      merge: null,
      child: input.child ?? null,
      groupSteps: [],
      group: null,
      subplanStatuses: {},
      subplanConfig: null,
      clean: true,
      sideEffects: 0,
      open: false,
      correction: null,
    }),
    initial: 'strategize',
    // every command is a transition of the root, guarded by a named phase rule (commands.ts);
    // predictions come while children run, whatever state the parent is in (even waiting on a merge)
    on: { ...commandTransitions, 'subplans.predicted': { guard: 'isGroupPrediction', actions: 'recordPredictions' } },
    states: {
      strategize: strategizeState,
      execute: executeState,
      validate: validateState,
      apply: applyState,
      done: { type: 'final', entry: 'stopDriving' },
      cancelled: { type: 'final' },
      invalidated: { type: 'final' },
    },
  });
