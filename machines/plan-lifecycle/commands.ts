import { and, assign, emit, enqueueActions, not, or, stateIn } from 'xstate';
import { driveTarget, phaseIndex, type Phase } from '../../src/domain/index.js';
import { journal } from './journal.js';
import type { PlanCommand } from './plan-command.js';
import type { PlanContext } from './plan-context.js';
import { planSetup } from './plan-setup.js';

// Commands are handled at the root so every phase rule is one named guard;
// a command no guard allows is left unhandled and the runtime answers
// PHASE_GUARD (snapshot.can(command) is false).

/** The failure stored on the plan can be fixed by running the same phase again (a dirty tree was cleaned, a timeout may pass). */
export function isRetryableFailure({ context }: { context: PlanContext }): boolean {
  return context.error?.retryable === true;
}

/** The drive asked for by `plan.run` reaches `phase`, by the plan's automation or the event's `until`. */
export function driveReaches(
  { context, event }: { context: PlanContext; event: PlanCommand },
  params: { phase: Phase },
): boolean {
  const until = event.type === 'plan.run' ? event.until : undefined;
  return phaseIndex(driveTarget(context.automation, params.phase, until)) >= phaseIndex(params.phase);
}

/** `plan.resolve` names a file that is open in the merge the plan is waiting on. */
export function isOpenConflict({ context, event }: { context: PlanContext; event: PlanCommand }): boolean {
  return (
    event.type === 'plan.resolve' &&
    context.merge !== null &&
    context.merge.commit === null &&
    context.merge.open.includes(event.file)
  );
}

/** `plan.corrected` appended steps: they run first, and their reconciliation follows the last one (SPEC §10). */
export function appendsSteps({ event }: { event: PlanCommand }): boolean {
  return event.type === 'plan.corrected' && (event.appended ?? 0) > 0;
}

/**
 * The phase rules of SPEC §5, one named guard each: what each command needs
 * of the plan's position (read with `stateIn`) and of its context.
 *
 * @example
 * planSetup.extend({ guards: commandGuards }).createStateConfig({ on: { 'plan.execute': { guard: 'canExecute', target: '.execute.processing' } } });
 */
export const commandGuards = {
  /** Strategize is complete (its reconciliation passed): execute may start. */
  isStrategizeComplete: stateIn('#plan.strategize.complete'),
  /** Execute is complete: validate may start. */
  isExecuteComplete: stateIn('#plan.execute.complete'),
  /** Validate is complete: apply may start. */
  isValidateComplete: stateIn('#plan.validate.complete'),
  /** `plan.run` starts strategize only from queued; a failed one is restarted by `plan.strategize`. */
  isStrategizeQueued: stateIn('#plan.strategize.queued'),
  isRetryableFailure,
  /** Nothing leaves a terminal status (done, cancelled, invalidated). */
  isNotTerminal: not(or([stateIn('#plan.done'), stateIn('#plan.cancelled'), stateIn('#plan.invalidated')])),
  /** Strategize may run: it is queued, or it failed (strategize → strategize restarts it). */
  canStrategize: or([stateIn('#plan.strategize.queued'), stateIn('#plan.strategize.failed')]),
  /**
   * Execute may run: strategize is complete, execute was requeued by a
   * rollback or correction, or it failed in a way a re-run can fix (a step
   * timed out): the failed step runs again from the last step commit.
   */
  canExecute: or([
    'isStrategizeComplete',
    stateIn('#plan.execute.queued'),
    and([stateIn('#plan.execute.failed'), 'isRetryableFailure']),
  ]),
  /** Validate may run: execute is complete, validate is queued, or it failed in a way a re-run can fix. */
  canValidate: or([
    'isExecuteComplete',
    stateIn('#plan.validate.queued'),
    and([stateIn('#plan.validate.failed'), 'isRetryableFailure']),
  ]),
  /** The plan is not a child plan: a child's apply is its parent merging it. */
  isRootPlan: ({ context }: { context: PlanContext }) => context.child === null,
  /** Apply may run: a root plan whose validate is complete, whose apply is queued, or failed in a way a re-run can fix. */
  canApply: and([
    'isRootPlan',
    or([
      'isValidateComplete',
      stateIn('#plan.apply.queued'),
      and([stateIn('#plan.apply.failed'), 'isRetryableFailure']),
    ]),
  ]),
  /** A child plan that validated was merged into its parent: it is done. */
  canBeMerged: and([not('isRootPlan'), 'isValidateComplete']),
  driveReaches,
  /** `plan.run` may start execute: execute may run and the drive reaches it. */
  canRunExecute: and(['canExecute', { type: 'driveReaches', params: { phase: 'execute' as const } }]),
  /** `plan.run` may start validate. */
  canRunValidate: and(['canValidate', { type: 'driveReaches', params: { phase: 'validate' as const } }]),
  /** `plan.run` may start apply (only `auto` or `--until apply` reach it). */
  canRunApply: and(['canApply', { type: 'driveReaches', params: { phase: 'apply' as const } }]),
  /**
   * A correction may be reconciled: the plan is past strategize and at rest
   * (not running a phase, not waiting, not ended).
   */
  canReconcileCorrection: or([
    stateIn('#plan.strategize.complete'),
    stateIn('#plan.execute.queued'),
    stateIn('#plan.execute.complete'),
    stateIn('#plan.execute.failed'),
    stateIn('#plan.validate.queued'),
    stateIn('#plan.validate.complete'),
    stateIn('#plan.validate.failed'),
    stateIn('#plan.apply.queued'),
    stateIn('#plan.apply.failed'),
  ]),
  appendsSteps,
  isOpenConflict,
};

/**
 * The actions of commands, for `setup`: how far the plan is driven.
 *
 * @example
 * planSetup.extend({ actions: commandActions }).createStateConfig({ on: { 'plan.run': { actions: { type: 'aimByDrive', params: { phase: 'strategize' } } } } });
 */
export const commandActions = {
  /** A phase command runs exactly that phase. */
  aimAt: assign<PlanContext, PlanCommand, { phase: Phase }, PlanCommand, never>({
    target: (_, params: { phase: Phase }) => params.phase,
  }),
  /** `plan.run` runs as far as the automation or `until` allows. */
  aimByDrive: assign<PlanContext, PlanCommand, { phase: Phase }, PlanCommand, never>({
    target: ({ context, event }, params: { phase: Phase }) =>
      driveTarget(context.automation, params.phase, event.type === 'plan.run' ? event.until : undefined),
  }),
};

const commandsSetup = planSetup.extend({ actions: commandActions, guards: commandGuards });

/**
 * The plan's commands (DESIGN §3), as the root's transitions: a phase command
 * runs its phase, `plan.run` drives as far as the automation allows, a
 * correction is reconciled, a conflict resolved, the plan merged or cancelled.
 *
 * @example
 * planSetup.extend({ actions, guards }).createMachine({ id: 'plan', on: commandTransitions, states });
 */
export const commandTransitions = commandsSetup.createStateConfig({
  on: {
    'plan.strategize': {
      guard: 'canStrategize',
      target: '.strategize.processing',
      actions: { type: 'aimAt', params: { phase: 'strategize' } },
    },
    'plan.execute': {
      guard: 'canExecute',
      target: '.execute.processing',
      actions: { type: 'aimAt', params: { phase: 'execute' } },
    },
    'plan.validate': {
      guard: 'canValidate',
      target: '.validate.processing',
      actions: { type: 'aimAt', params: { phase: 'validate' } },
    },
    'plan.apply': {
      guard: 'canApply',
      target: '.apply.processing',
      actions: [
        { type: 'aimAt', params: { phase: 'apply' } },
        assign({
          applyStrategy: ({ event }) => (event.type === 'plan.apply' ? event.strategy : undefined) ?? 'three-way',
        }),
      ],
    },
    'plan.run': [
      {
        guard: 'isStrategizeQueued',
        target: '.strategize.processing',
        actions: { type: 'aimByDrive', params: { phase: 'strategize' } },
      },
      {
        guard: 'canRunExecute',
        target: '.execute.processing',
        actions: { type: 'aimByDrive', params: { phase: 'execute' } },
      },
      {
        guard: 'canRunValidate',
        target: '.validate.processing',
        actions: { type: 'aimByDrive', params: { phase: 'validate' } },
      },
      {
        guard: 'canRunApply',
        target: '.apply.processing',
        actions: { type: 'aimByDrive', params: { phase: 'apply' } },
      },
    ],
    'plan.corrected': [
      {
        // appended steps run first; the last of them reconciles as post-correction (SPEC §10)
        guard: and(['canReconcileCorrection', 'appendsSteps']),
        target: '.execute.queued',
        actions: [
          'stopDriving',
          assign(({ context, event }) => {
            const appended = event.type === 'plan.corrected' ? (event.appended ?? 0) : 0;
            const at = (context.lastCompletedStep ?? -1) + 1;
            return {
              phase: 'execute' as const,
              error: null,
              correction: {
                decisionId: event.type === 'plan.corrected' ? event.decisionId : '',
                through: at + appended - 1,
              },
              stepCount: context.stepCount + appended,
              // appended steps go right after the last executed one: later groups move down
              groupSteps: context.groupSteps.map((index) => (index >= at ? index + appended : index)),
            };
          }),
        ],
      },
      {
        guard: 'canReconcileCorrection',
        target: '.execute.correcting',
        actions: [
          'stopDriving',
          assign(({ event }) => ({
            pendingReconcile: {
              trigger: 'post-correction' as const,
              decisionId: event.type === 'plan.corrected' ? event.decisionId : null,
            },
          })),
        ],
      },
    ],
    // one conflicting file resolved; the waiting state moves on when none are left
    'plan.resolve': {
      guard: 'isOpenConflict',
      actions: [
        assign({
          merge: ({ context, event }) => {
            const merge = context.merge!;
            const file = event.type === 'plan.resolve' ? event.file : '';
            return { ...merge, open: merge.open.filter((open) => open !== file) };
          },
        }),
        emit(({ context, event }) =>
          journal({
            type: 'conflict.resolved',
            phase: context.phase,
            data:
              event.type === 'plan.resolve'
                ? { file: event.file, with: event.with, remaining: context.merge?.open.length ?? 0 }
                : {},
          }),
        ),
      ],
    },
    'plan.merged': {
      guard: 'canBeMerged',
      target: '.done',
      actions: [
        assign({ phase: 'apply', appliedCommit: ({ event }) => (event.type === 'plan.merged' ? event.commit : null) }),
        emit(({ context, event }) =>
          journal({
            type: 'phase.completed',
            phase: 'apply',
            data: {
              commit: event.type === 'plan.merged' ? event.commit : null,
              mergedInto: context.child?.parentId ?? null,
            },
          }),
        ),
      ],
    },
    // plan update: the next reconciliation checks the invariants of the edited plan file;
    // its decision, its journal entry and the new file are written with this snapshot, in one batch
    'plan.updated': {
      guard: 'isNotTerminal',
      actions: assign({
        invariants: ({ context, event }) => (event.type === 'plan.updated' ? event.invariants : context.invariants),
      }),
    },
    'plan.cancel': {
      guard: 'isNotTerminal',
      target: '.cancelled',
      actions: [
        'stopDriving',
        // a cancelled plan leaves no open conflicts behind
        enqueueActions(({ context, enqueue }) => {
          if (context.merge) enqueue.emit({ type: 'conflicts', closed: context.merge.files });
        }),
        emit(({ context, event }) =>
          journal({
            type: 'plan.cancelled',
            phase: context.phase,
            data: event.type === 'plan.cancel' && event.reason ? { reason: event.reason } : {},
          }),
        ),
      ],
    },
  },
}).on;
