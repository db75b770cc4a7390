import { createActor, fromPromise, waitFor } from 'xstate';
import {
  initialState,
  invariantReconcilerMachine,
  type CommitMergeInput,
  type CommitMergeOutput,
  subplanSupervisorMachine,
  type GroupConfig,
  type LoadGroupInput,
  type MergeChildInput,
  type MergeChildOutput,
  type RunChildInput,
  type RunChildOutput,
  type SupervisedChild,
  type SupervisorState,
  planLifecycleMachine,
  planPosition,
  type CheckInput,
  type ApplyOutcome,
  type ExecuteStepInput,
  type PlanContext,
  type PlanEmitted,
  type StepOutcome,
  type StrategizeOutput,
  type ValidateOutcome,
} from '../../machines/index.js';
import type { Automation, InvariantResult, PlanError, SandboxInfo, TieredInvariant } from '../../src/domain/index.js';
import type { PrepareSandboxInput, StrategizeInput, ValidateInput, ApplyInput } from '../../machines/index.js';

export const INPUT = { planId: 'P', name: 'demo/x', automation: 'review' as const };

export const SANDBOX: SandboxInfo = {
  worktree: '.troupe/worktrees/P',
  branch: 'troupe/demo-x-p',
  baseCommit: 'base',
  headCommit: 'base',
};

export function context(overrides: Partial<PlanContext> = {}): PlanContext {
  return {
    planId: 'P',
    name: 'demo/x',
    automation: 'review',
    phase: 'strategize',
    target: null,
    decisionRootId: null,
    stepCount: 0,
    lastCompletedStep: null,
    toolCalls: 0,
    sandbox: SANDBOX,
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
    child: null,
    groupSteps: [],
    group: null,
    subplanStatuses: {},
    subplanConfig: null,
    clean: true,
    sideEffects: 0,
    open: false,
    correction: null,
    ...overrides,
  };
}

export function error(retryable: boolean, overrides: Partial<PlanError> = {}): PlanError {
  return {
    code: retryable ? 'DIRTY_WORKTREE' : 'TOOL_FAILED',
    message: 'it broke',
    phase: 'apply',
    retryable,
    ...overrides,
  };
}

/** A snapshot of the machine at a given state value, without running anything. */
export function at(value: unknown, overrides: Partial<PlanContext> = {}) {
  return planLifecycleMachine.resolveState({ value: value as never, context: context(overrides) });
}

/** Scripted stand-ins for the I/O actors, recording what they were asked. */
export function scriptedActors(
  options: {
    steps?: number;
    failStep?: number;
    validateOk?: boolean;
    applyOk?: boolean;
    /** The invariants strategize reports (tier plan unless given). */
    invariants?: TieredInvariant[];
    reconciliation?: boolean;
    /** Whether an invariant holds at a check; default: always. */
    holds?: (input: CheckInput) => boolean;
    /** Steps write to the sandbox (a changeset and a writing tool call each); default: they change nothing. */
    writes?: boolean;
    /** Strategize says the plan is agent-driven: open for steps from outside once its own ran. */
    open?: boolean;
  } = {},
) {
  const calls: {
    executed: ExecuteStepInput[];
    strategized: number;
    validated: number;
    applied: number;
    checked: CheckInput[];
  } = {
    executed: [],
    strategized: 0,
    validated: 0,
    applied: 0,
    checked: [],
  };
  const stepCount = options.steps ?? 2;
  const actors = {
    prepareSandbox: fromPromise<SandboxInfo, PrepareSandboxInput>(async () => SANDBOX),
    strategize: fromPromise<StrategizeOutput, StrategizeInput>(async () => {
      calls.strategized += 1;
      const steps = Array.from({ length: stepCount }, (_, index) => ({
        decisionId: `D${index}`,
        title: `step ${index}`,
      }));
      return {
        decisions: [],
        decisionRootId: 'ROOT',
        steps,
        invariants: options.invariants ?? [],
        reconciliation: options.reconciliation ?? true,
        groupSteps: [],
        ...(options.open ? { open: true } : {}),
      };
    }),
    executeStep: fromPromise<StepOutcome, ExecuteStepInput>(async ({ input }) => {
      calls.executed.push(input);
      if (input.index === options.failStep) {
        return {
          ok: false,
          index: input.index,
          error: { code: 'TOOL_FAILED', message: 'exit 1', details: { exitCode: 1 } },
          calls: [{ tool: 'shell/run', success: false, durationMs: 1, code: 'TOOL_FAILED' }],
        };
      }
      const changeset = options.writes
        ? { id: 'CS', planId: 'P', baseCommit: 'base', headCommit: `c${input.index}`, files: [] }
        : null;
      return {
        ok: true,
        index: input.index,
        decisionId: `D${input.index}`,
        headCommit: `c${input.index}`,
        changeset,
        calls: [{ tool: 'fs/write-file', success: true, durationMs: 1, writes: options.writes ?? false }],
      };
    }),
    validate: fromPromise<ValidateOutcome, ValidateInput>(async () => {
      calls.validated += 1;
      return options.validateOk === false
        ? { ok: false, results: [], error: { code: 'TOOL_FAILED', message: 'tests failed', retryable: true } }
        : { ok: true, results: [] };
    }),
    apply: fromPromise<ApplyOutcome, ApplyInput>(async () => {
      calls.applied += 1;
      return options.applyOk === false
        ? { ok: false, error: { code: 'DIRTY_WORKTREE', message: 'dirty', retryable: true } }
        : { ok: true, commit: 'applied' };
    }),
    reconcile: invariantReconcilerMachine.provide({
      actors: {
        runCheck: fromPromise<InvariantResult, CheckInput>(async ({ input }) => {
          calls.checked.push(input);
          const passed = options.holds?.(input) ?? true;
          const { id, tier, check } = input.invariant;
          return { id, tier, check, passed, message: passed ? 'holds' : 'broken', durationMs: 1 };
        }),
      },
    }),
  };
  return { actors, calls };
}

/** Start a plan actor with scripted actors and collect what it emits. */
export function startPlan(automation: Automation, options: Parameters<typeof scriptedActors>[0] = {}) {
  const { actors, calls } = scriptedActors(options);
  const actor = createActor(planLifecycleMachine.provide({ actors }), {
    input: { planId: 'P', name: 'demo/x', automation },
  });
  const emitted: PlanEmitted[] = [];
  actor.on('*', (event) => emitted.push(event as PlanEmitted));
  actor.start();
  // at rest: not running a phase (reconciling and correcting read as processing too)
  const rest = () =>
    waitFor(
      actor,
      (snapshot) =>
        snapshot.status !== 'active' || planPosition(snapshot.value as never, snapshot.context).status !== 'processing',
    );
  return { actor, calls, emitted, rest };
}

/** What a journal emitted: `[type, data]` per entry, in order. */
export const journal = (emitted: PlanEmitted[]) =>
  emitted.flatMap((event) => (event.type === 'journal' ? [[event.entry.type, event.entry.data] as const] : []));

/** How the children of a {@link groupPlan} run and merge. */
export interface GroupPlanScript {
  runChild: (input: RunChildInput) => Promise<RunChildOutput>;
  mergeChild: (input: MergeChildInput) => Promise<MergeChildOutput>;
  /** The merge commit of a child's merge whose conflicts the user resolved. */
  commitMerge?: (input: CommitMergeInput) => Promise<CommitMergeOutput>;
  /** The plan's invariants (none unless given): each group step is reconciled when there are some. */
  invariants?: TieredInvariant[];
}

/**
 * A plan whose steps are groups of subplans, run by the real supervisor
 * with scripted `runChild` and `mergeChild`; started and told to run.
 * `children` is one group's children, or each step's.
 */
export function groupPlan(
  children: SupervisedChild[] | SupervisedChild[][],
  config: GroupConfig,
  scripted: GroupPlanScript,
) {
  const groups = Array.isArray(children[0]) ? (children as SupervisedChild[][]) : [children as SupervisedChild[]];
  const loaded: LoadGroupInput[] = [];
  const { actors } = scriptedActors();
  const machine = planLifecycleMachine.provide({
    actors: {
      ...actors,
      ...(scripted.commitMerge
        ? { commitMerge: fromPromise<CommitMergeOutput, CommitMergeInput>(({ input }) => scripted.commitMerge!(input)) }
        : {}),
      strategize: fromPromise<StrategizeOutput, StrategizeInput>(async () => ({
        decisions: [],
        decisionRootId: 'ROOT',
        steps: groups.map((_, index) => ({ decisionId: `G${index}`, title: `fan out ${index}` })),
        invariants: scripted.invariants ?? [],
        reconciliation: true,
        groupSteps: groups.map((_, index) => index),
      })),
      loadGroup: fromPromise<SupervisorState, LoadGroupInput>(async ({ input }) => {
        loaded.push(input);
        return initialState({
          planId: input.planId,
          stepIndex: input.index,
          groupDecisionId: `G${input.index}`,
          config,
          children: groups[input.index]!,
          head: input.head,
        });
      }),
      supervise: subplanSupervisorMachine.provide({
        actors: {
          startChild: fromPromise(async () => ({ startedAt: 1 })),
          runChild: fromPromise<RunChildOutput, RunChildInput>(({ input }) => scripted.runChild(input)),
          mergeChild: fromPromise<MergeChildOutput, MergeChildInput>(({ input }) => scripted.mergeChild(input)),
          cancelChildren: fromPromise(async () => {}),
        },
      }),
    },
  });
  const actor = createActor(machine, { input: INPUT });
  const emitted: PlanEmitted[] = [];
  actor.on('*', (event) => emitted.push(event as PlanEmitted));
  actor.start();
  actor.send({ type: 'plan.run' });
  return { actor, emitted, loaded };
}

/** The emitted events as lines: journal entries whole, the rest by what identifies them. */
export function trail(emitted: readonly PlanEmitted[]): string[] {
  return emitted.map((event) => {
    switch (event.type) {
      case 'journal':
        return `journal ${event.entry.type} ${event.entry.phase} ${JSON.stringify(event.entry.data)}`;
      case 'checkpoint':
        return `checkpoint ${event.trigger} (${event.point.phase}, ${event.point.status}) at ${event.context.sandbox?.headCommit}${event.context.clean ? '' : ' not clean'}`;
      case 'changeset':
        return `changeset ${event.changeset.id} at ${event.changeset.headCommit}`;
      case 'reconciliation':
        return `reconciliation ${event.trigger}${event.step === undefined ? '' : ` step ${event.step}`} under ${event.parentId}: ${event.outcome}`;
      case 'decisions':
        return `decisions ${event.decisions.map((decision) => decision.id).join(',')}`;
      case 'steps':
        return `steps ${event.steps.map((step) => step.decisionId).join(',')}`;
      default:
        return `${event.type} ${JSON.stringify(event)}`;
    }
  });
}
