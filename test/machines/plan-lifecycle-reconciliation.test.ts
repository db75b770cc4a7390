import { describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import {
  invariantReconcilerMachine,
  planLifecycleMachine,
  planPosition,
  type CheckInput,
  type PlanContext,
  type PlanEmitted,
  type ReconcileInput,
  type ReconcileOutput,
  type ReconciliationEmitted,
} from '../../machines/index.js';
import type { InvariantResult, JournalEntry, TieredInvariant } from '../../src/domain/index.js';
import { INPUT, SANDBOX, scriptedActors, startPlan } from './plan-lifecycle-fixtures.js';

const INVARIANTS: TieredInvariant[] = [
  { id: 'tests-pass', check: 'command', run: 'npm test --silent', tier: 'project' },
  { id: 'header-exists', check: 'file-exists', path: 'LICENSE_HEADER', tier: 'plan' },
];

const position = (snapshot: { value: unknown; context: PlanContext }) => planPosition(snapshot.value as never, snapshot.context);
const journal = (emitted: PlanEmitted[]): JournalEntry[] => emitted.flatMap((event) => (event.type === 'journal' ? [event.entry] : []));
const journalTypes = (emitted: PlanEmitted[]) => journal(emitted).map((entry) => entry.type);
const reconciliations = (emitted: PlanEmitted[]) => emitted.filter((event): event is ReconciliationEmitted => event.type === 'reconciliation');
const invariantEntries = (emitted: PlanEmitted[]) => journal(emitted).filter((entry) => entry.type.startsWith('invariant.'));
const summary = (event: ReconciliationEmitted) => ({ parentId: event.parentId, trigger: event.trigger, step: event.step, outcome: event.outcome });

function resultOf(input: CheckInput, passed: boolean): InvariantResult {
  const { id, tier, check } = input.invariant;
  return { id, tier, check, passed, message: passed ? 'holds' : 'broken', durationMs: 1 };
}

/**
 * A plan whose invariant checks wait for the test when `gate(input)` says so
 * (the others answer at once with `holds`). Each waiting check can be
 * answered, and records when its signal aborts.
 */
function startGatedPlan(
  automation: 'manual' | 'review' | 'auto',
  options: Parameters<typeof scriptedActors>[0] & { gate: (input: CheckInput) => boolean },
) {
  const { actors, calls } = scriptedActors(options);
  const waiting: { input: CheckInput; answer: (passed: boolean) => void; aborted: () => boolean }[] = [];
  const runCheck = fromPromise<InvariantResult, CheckInput>(async ({ input, signal }) => {
    calls.checked.push(input);
    if (!options.gate(input)) return resultOf(input, options.holds?.(input) ?? true);
    let aborted = false;
    signal.addEventListener('abort', () => (aborted = true));
    return new Promise<InvariantResult>((resolve) => waiting.push({ input, answer: (passed) => resolve(resultOf(input, passed)), aborted: () => aborted }));
  });
  const actor = createActor(planLifecycleMachine.provide({ actors: { ...actors, reconcile: invariantReconcilerMachine.provide({ actors: { runCheck } }) } }), {
    input: { planId: 'P', name: 'demo/x', automation },
  });
  const emitted: PlanEmitted[] = [];
  actor.on('*', (event) => emitted.push(event as PlanEmitted));
  actor.start();
  return { actor, calls, emitted, waiting };
}

describe('planLifecycleMachine: invariant reconciliation', () => {
  describe('a plan whose invariants hold', () => {
    it('reconciles after strategize, after every step and after validate, each under its decision', async () => {
      const plan = startPlan('review', { steps: 3, invariants: INVARIANTS });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(position(snapshot)).toEqual({ phase: 'validate', status: 'complete' });
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1, 2]);
      expect(reconciliations(plan.emitted).map(summary)).toEqual([
        { parentId: 'ROOT', trigger: 'post-strategize', step: undefined, outcome: 'reconciled' },
        { parentId: 'D0', trigger: 'post-step', step: 0, outcome: 'reconciled' },
        { parentId: 'D1', trigger: 'post-step', step: 1, outcome: 'reconciled' },
        { parentId: 'D2', trigger: 'post-step', step: 2, outcome: 'reconciled' },
        { parentId: 'ROOT', trigger: 'post-validate', step: undefined, outcome: 'reconciled' },
      ]);
      for (const event of reconciliations(plan.emitted)) {
        expect(event.results.map(({ id, tier, check, passed }) => ({ id, tier, check, passed }))).toEqual([
          { id: 'tests-pass', tier: 'project', check: 'command', passed: true },
          { id: 'header-exists', tier: 'plan', check: 'file-exists', passed: true },
        ]);
      }
      // a reconciliation that follows no step carries no step key at all
      expect(reconciliations(plan.emitted)[0]).not.toHaveProperty('step');
      expect(reconciliations(plan.emitted)[4]).not.toHaveProperty('step');
    });

    it('journals invariant.reconciled with the trigger, the step and every result', async () => {
      const plan = startPlan('review', { steps: 3, invariants: INVARIANTS });
      plan.actor.send({ type: 'plan.run' });
      await plan.rest();
      const entries = invariantEntries(plan.emitted);
      expect(entries.map((entry) => ({ type: entry.type, phase: entry.phase, trigger: entry.data.trigger, step: entry.data.step }))).toEqual([
        { type: 'invariant.reconciled', phase: 'strategize', trigger: 'post-strategize', step: undefined },
        { type: 'invariant.reconciled', phase: 'execute', trigger: 'post-step', step: 0 },
        { type: 'invariant.reconciled', phase: 'execute', trigger: 'post-step', step: 1 },
        { type: 'invariant.reconciled', phase: 'execute', trigger: 'post-step', step: 2 },
        { type: 'invariant.reconciled', phase: 'validate', trigger: 'post-validate', step: undefined },
      ]);
      expect(entries[0]?.data).not.toHaveProperty('step');
      const reconciled = reconciliations(plan.emitted);
      entries.forEach((entry, at) => expect(entry.data.results).toEqual(reconciled[at]?.results));
    });

    it('journals each reconciliation after what it checks and before the phase completes', async () => {
      const plan = startPlan('review', { steps: 3, invariants: INVARIANTS });
      plan.actor.send({ type: 'plan.run' });
      await plan.rest();
      const step = ['step.started', 'tool.called', 'step.completed', 'invariant.reconciled'];
      expect(journalTypes(plan.emitted)).toEqual([
        'phase.started', 'invariant.reconciled', 'phase.completed',
        'phase.started', ...step, ...step, ...step, 'phase.completed',
        'phase.started', 'invariant.reconciled', 'phase.completed',
      ]);
    });

    it('checks every invariant at every trigger, against the sandbox as each step left it', async () => {
      const plan = startPlan('review', { steps: 3, invariants: INVARIANTS });
      plan.actor.send({ type: 'plan.run' });
      await plan.rest();
      expect(plan.calls.checked.map((input) => [input.trigger, input.invariant.id, input.sandbox.headCommit])).toEqual([
        ['post-strategize', 'tests-pass', 'base'], ['post-strategize', 'header-exists', 'base'],
        ['post-step', 'tests-pass', 'c0'], ['post-step', 'header-exists', 'c0'],
        ['post-step', 'tests-pass', 'c1'], ['post-step', 'header-exists', 'c1'],
        ['post-step', 'tests-pass', 'c2'], ['post-step', 'header-exists', 'c2'],
        ['post-validate', 'tests-pass', 'c2'], ['post-validate', 'header-exists', 'c2'],
      ]);
      expect(plan.calls.checked.every((input) => input.planId === 'P')).toBe(true);
    });

    it('keeps the invariants and leaves no reconciliation pending once it rests', async () => {
      const plan = startPlan('review', { steps: 1, invariants: INVARIANTS });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(snapshot.context.invariants).toEqual(INVARIANTS);
      expect(snapshot.context.reconciliation).toBe(true);
      expect(snapshot.context.pendingReconcile).toBeNull();
      expect(snapshot.context.error).toBeNull();
    });

    it('reads as processing while a reconciliation runs, and does not let execute start before it passes', async () => {
      const plan = startGatedPlan('manual', { steps: 1, invariants: INVARIANTS, gate: (input) => input.trigger === 'post-strategize' });
      plan.actor.send({ type: 'plan.run' });
      await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
      const reconciling = plan.actor.getSnapshot();
      expect(reconciling.value).toEqual({ strategize: { reconciling: 'checking' } });
      expect(position(reconciling)).toEqual({ phase: 'strategize', status: 'processing' });
      expect(reconciling.context.pendingReconcile).toEqual({ trigger: 'post-strategize', decisionId: 'ROOT' });
      expect(reconciling.can({ type: 'plan.execute' })).toBe(false);
      expect(reconciling.can({ type: 'plan.run' })).toBe(false);
      expect(reconciling.can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(false);
      expect(reconciliations(plan.emitted)).toEqual([]);
      for (const check of plan.waiting) check.answer(true);
      const complete = await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'complete');
      expect(position(complete)).toEqual({ phase: 'strategize', status: 'complete' });
      expect(complete.can({ type: 'plan.execute' })).toBe(true);
    });

    it('reads as processing while a post-step and a post-validate reconciliation run', async () => {
      const plan = startGatedPlan('review', { steps: 2, invariants: INVARIANTS, gate: (input) => input.trigger !== 'post-strategize' });
      plan.actor.send({ type: 'plan.run' });
      await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
      const afterStep = plan.actor.getSnapshot();
      expect(afterStep.value).toEqual({ execute: { processing: { reconciling: 'checking' } } });
      expect(position(afterStep)).toEqual({ phase: 'execute', status: 'processing' });
      expect(afterStep.context.pendingReconcile).toEqual({ trigger: 'post-step', decisionId: 'D0', step: 0, wrote: false });
      // the next step waits for the reconciliation
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0]);
      for (const check of plan.waiting.splice(0)) check.answer(true);
      await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1]);
      for (const check of plan.waiting.splice(0)) check.answer(true);
      await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
      const afterValidate = plan.actor.getSnapshot();
      expect(afterValidate.value).toEqual({ validate: { reconciling: 'checking' } });
      expect(position(afterValidate)).toEqual({ phase: 'validate', status: 'processing' });
      expect(afterValidate.can({ type: 'plan.apply' })).toBe(false);
      for (const check of plan.waiting.splice(0)) check.answer(true);
      expect(position(await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'complete'))).toEqual({ phase: 'validate', status: 'complete' });
    });
  });

  describe('a violation', () => {
    it('after strategize fails strategize with INVARIANT_VIOLATED and refuses execute', async () => {
      const plan = startPlan('auto', { steps: 2, invariants: INVARIANTS, holds: (input) => input.invariant.id !== 'header-exists' });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(position(snapshot)).toEqual({ phase: 'strategize', status: 'failed' });
      expect(snapshot.context.error).toEqual({
        code: 'INVARIANT_VIOLATED',
        message: 'invariant "header-exists" (plan) does not hold after strategize: broken',
        phase: 'strategize',
        details: { trigger: 'post-strategize', violations: [{ id: 'header-exists', tier: 'plan', check: 'file-exists', message: 'broken' }] },
        hint: expect.stringContaining('restart strategize: troupe plan strategize demo/x'),
        retryable: false,
      });
      expect(snapshot.can({ type: 'plan.execute' })).toBe(false);
      expect(snapshot.can({ type: 'plan.run' })).toBe(false);
      // the way on: restart strategize once the project holds the invariant
      expect(snapshot.can({ type: 'plan.strategize' })).toBe(true);
      expect(plan.calls.executed).toEqual([]);
      expect(snapshot.context.target).toBeNull();
      expect(reconciliations(plan.emitted).map(summary)).toEqual([{ parentId: 'ROOT', trigger: 'post-strategize', step: undefined, outcome: 'violated' }]);
      expect(reconciliations(plan.emitted)[0]?.results.map((result) => result.passed)).toEqual([true, false]);
      expect(journalTypes(plan.emitted)).toEqual(['phase.started', 'invariant.violated', 'phase.failed']);
      expect(journal(plan.emitted).at(-1)?.data).toEqual({ code: 'INVARIANT_VIOLATED', message: 'invariant "header-exists" (plan) does not hold after strategize: broken' });
    });

    it('after step 2 of 3 fails execute there: step 3 never runs and execute cannot simply run again', async () => {
      const plan = startPlan('review', {
        steps: 3,
        invariants: INVARIANTS,
        holds: (input) => !(input.trigger === 'post-step' && input.sandbox.headCommit === 'c1' && input.invariant.id === 'tests-pass'),
      });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(position(snapshot)).toEqual({ phase: 'execute', status: 'failed' });
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1]);
      expect(snapshot.context.lastCompletedStep).toBe(1);
      expect(snapshot.context.error).toEqual({
        code: 'INVARIANT_VIOLATED',
        message: 'invariant "tests-pass" (project) does not hold after step 2: broken',
        phase: 'execute',
        step: 1,
        details: { trigger: 'post-step', violations: [{ id: 'tests-pass', tier: 'project', check: 'command', message: 'broken' }] },
        hint: expect.stringMatching(/committed in the sandbox \(\.troupe\/worktrees\/P\).*troupe plan correct demo\/x --mode append.*troupe plan correct demo\/x --mode revert/),
        retryable: false,
      });
      expect(snapshot.can({ type: 'plan.execute' })).toBe(false);
      expect(snapshot.can({ type: 'plan.run' })).toBe(false);
      expect(snapshot.can({ type: 'plan.validate' })).toBe(false);
      expect(reconciliations(plan.emitted).map(summary).slice(-2)).toEqual([
        { parentId: 'D0', trigger: 'post-step', step: 0, outcome: 'reconciled' },
        { parentId: 'D1', trigger: 'post-step', step: 1, outcome: 'violated' },
      ]);
      expect(journalTypes(plan.emitted).slice(-4)).toEqual(['tool.called', 'step.completed', 'invariant.violated', 'phase.failed']);
      expect(journal(plan.emitted).at(-2)?.data).toMatchObject({ trigger: 'post-step', step: 1 });
      expect(plan.calls.validated).toBe(0);
    });

    it('names every failed invariant when more than one breaks', async () => {
      const plan = startPlan('review', { steps: 1, invariants: INVARIANTS, holds: (input) => input.trigger !== 'post-step' });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(snapshot.context.error?.message).toBe('2 invariants do not hold after step 1: tests-pass (project), header-exists (plan)');
      expect(snapshot.context.error?.details).toEqual({
        trigger: 'post-step',
        violations: [
          { id: 'tests-pass', tier: 'project', check: 'command', message: 'broken' },
          { id: 'header-exists', tier: 'plan', check: 'file-exists', message: 'broken' },
        ],
      });
    });

    it('after validate fails validate and refuses apply, even under auto', async () => {
      const plan = startPlan('auto', { steps: 2, invariants: INVARIANTS, holds: (input) => input.trigger !== 'post-validate' || input.invariant.id !== 'tests-pass' });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(position(snapshot)).toEqual({ phase: 'validate', status: 'failed' });
      expect(plan.calls.validated).toBe(1);
      expect(plan.calls.applied).toBe(0);
      expect(snapshot.context.error).toMatchObject({
        code: 'INVARIANT_VIOLATED',
        message: 'invariant "tests-pass" (project) does not hold after validate: broken',
        phase: 'validate',
        details: { trigger: 'post-validate' },
        retryable: false,
      });
      expect(snapshot.context.error).not.toHaveProperty('step');
      expect(snapshot.can({ type: 'plan.apply' })).toBe(false);
      expect(snapshot.can({ type: 'plan.validate' })).toBe(false);
      expect(snapshot.can({ type: 'plan.run' })).toBe(false);
      expect(reconciliations(plan.emitted).at(-1)).toMatchObject({ parentId: 'ROOT', trigger: 'post-validate', outcome: 'violated' });
      expect(journalTypes(plan.emitted).slice(-3)).toEqual(['phase.started', 'invariant.violated', 'phase.failed']);
      expect(snapshot.context.error?.hint).toBe(
        'the sandbox as validate left it is kept (.troupe/worktrees/P) for you to inspect; correct the plan: append a step that fixes it ' +
          `(troupe plan correct demo/x --mode append --step '{"title": …, "tool": …, "input": …}'), or go back to its last clean checkpoint (troupe plan correct demo/x --mode revert) — see docs/checkpoints.md`,
      );
    });

    /** A plan whose checks after step 0 end as `results` says, by invariant id. */
    async function violatedBy(results: Record<string, Pick<InvariantResult, 'passed' | 'message' | 'lines'>>) {
      const { actors } = scriptedActors({ steps: 1, invariants: INVARIANTS, writes: true });
      const runCheck = fromPromise<InvariantResult, CheckInput>(async ({ input }) => {
        const { id, tier, check } = input.invariant;
        const result = input.trigger === 'post-step' ? results[id]! : { passed: true, message: 'holds' };
        return { id, tier, check, durationMs: 1, ...result };
      });
      const actor = createActor(planLifecycleMachine.provide({ actors: { ...actors, reconcile: invariantReconcilerMachine.provide({ actors: { runCheck } }) } }), { input: INPUT });
      actor.start().send({ type: 'plan.run' });
      return (await waitFor(actor, (snapshot) => position(snapshot).status === 'failed')).context.error!;
    }

    it('says the sandbox could not run the checks, not that they broke, when every failure is SANDBOX_UNAVAILABLE', async () => {
      const unavailable = { passed: false, message: 'SANDBOX_UNAVAILABLE: bubblewrap cannot create a namespace' };
      const error = await violatedBy({ 'tests-pass': unavailable, 'header-exists': unavailable });
      expect(error.code).toBe('SANDBOX_UNAVAILABLE');
      expect(error.hint).toMatch(/^.+; then what broke it is committed in the sandbox \(\.troupe\/worktrees\/P\) for you to inspect; /);
      expect(error.hint!.startsWith('what broke it')).toBe(false);
      // one check that did run and broke: the rule broke
      expect((await violatedBy({ 'tests-pass': unavailable, 'header-exists': { passed: false, message: 'missing' } })).code).toBe('INVARIANT_VIOLATED');
      expect((await violatedBy({ 'tests-pass': { passed: false, message: 'broken, not SANDBOX_UNAVAILABLE' }, 'header-exists': { passed: true, message: 'holds' } })).code).toBe('INVARIANT_VIOLATED');
    });

    it('lists each broken invariant with the lines of output that say why, when its check gave some', async () => {
      const error = await violatedBy({ 'tests-pass': { passed: false, message: 'exit 1', lines: ['FAIL parses dates'] }, 'header-exists': { passed: false, message: 'missing' } });
      expect(error.details).toEqual({
        trigger: 'post-step',
        violations: [
          { id: 'tests-pass', tier: 'project', check: 'command', message: 'exit 1', lines: ['FAIL parses dates'] },
          { id: 'header-exists', tier: 'plan', check: 'file-exists', message: 'missing' },
        ],
      });
    });
  });

  describe('a reconciler provided whole', () => {
    /** A plan of one step that writes, reconciled by `answer`; what the reconciler was asked, and the plan once it rests. */
    async function reconciledBy(answer: (input: ReconcileInput) => ReconcileOutput) {
      const { actors } = scriptedActors({ steps: 1, invariants: INVARIANTS, writes: true });
      const asked: ReconcileInput[] = [];
      const reconcile = fromPromise<ReconcileOutput, ReconcileInput>(async ({ input }) => (asked.push(input), answer(input)));
      const actor = createActor(planLifecycleMachine.provide({ actors: { ...actors, reconcile: reconcile as never } }), { input: INPUT });
      actor.start().send({ type: 'plan.run' });
      const rest = await waitFor(actor, (snapshot) => position(snapshot).status !== 'processing');
      return { asked, rest };
    }

    it('is asked with the step only after a step: the key is absent after strategize and validate', async () => {
      const { asked, rest } = await reconciledBy((input) => ({ trigger: input.trigger, ...(input.step === undefined ? {} : { step: input.step }), outcome: 'reconciled', results: [] }));
      expect(position(rest)).toEqual({ phase: 'validate', status: 'complete' });
      const sandbox = { ...SANDBOX, headCommit: 'c0' };
      expect(asked).toStrictEqual([
        { planId: 'P', trigger: 'post-strategize', invariants: INVARIANTS, sandbox: SANDBOX },
        { planId: 'P', trigger: 'post-step', invariants: INVARIANTS, sandbox, step: 0 },
        { planId: 'P', trigger: 'post-validate', invariants: INVARIANTS, sandbox },
      ]);
    });

    it('that says violated without a failed check fails the phase with INVARIANT_VIOLATED, not SANDBOX_UNAVAILABLE', async () => {
      const { rest } = await reconciledBy((input) => ({ trigger: input.trigger, outcome: 'violated', results: [] }));
      expect(position(rest)).toEqual({ phase: 'strategize', status: 'failed' });
      expect(rest.context.error).toMatchObject({ code: 'INVARIANT_VIOLATED', details: { trigger: 'post-strategize', violations: [] } });
    });
  });

  describe('a plan that does not reconcile', () => {
    it('runs no check and emits no reconciliation when its plan file says reconciliation: false', async () => {
      const plan = startPlan('auto', { steps: 2, invariants: INVARIANTS, reconciliation: false, holds: () => false });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await waitFor(plan.actor, (s) => s.status === 'done');
      expect(snapshot.value).toBe('done');
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1]);
      expect(plan.calls.checked).toEqual([]);
      expect(reconciliations(plan.emitted)).toEqual([]);
      expect(invariantEntries(plan.emitted)).toEqual([]);
      expect(snapshot.context.reconciliation).toBe(false);
    });

    it('runs no check and emits no reconciliation when it has no invariants', async () => {
      const plan = startPlan('review', { steps: 2 });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(position(snapshot)).toEqual({ phase: 'validate', status: 'complete' });
      expect(plan.calls.checked).toEqual([]);
      expect(reconciliations(plan.emitted)).toEqual([]);
      expect(invariantEntries(plan.emitted)).toEqual([]);
    });

    it('leaves no reconciliation pending when it stops between phases', async () => {
      const plan = startPlan('manual', { steps: 1, invariants: INVARIANTS, reconciliation: false });
      plan.actor.send({ type: 'plan.run' });
      const strategized = await plan.rest();
      expect(position(strategized)).toEqual({ phase: 'strategize', status: 'complete' });
      expect(strategized.context.pendingReconcile).toBeNull();
      plan.actor.send({ type: 'plan.run' });
      const executed = await plan.rest();
      expect(position(executed)).toEqual({ phase: 'execute', status: 'complete' });
      expect(executed.context.pendingReconcile).toBeNull();
    });
  });

  describe('plan.corrected', () => {
    it('requeues execute when the invariants hold again, under the correction decision, and execute runs the rest', async () => {
      let broken = true;
      const plan = startPlan('review', {
        steps: 3,
        invariants: INVARIANTS,
        holds: (input) => !(broken && input.trigger === 'post-step' && input.sandbox.headCommit === 'c1'),
      });
      plan.actor.send({ type: 'plan.run' });
      const failed = await plan.rest();
      expect(position(failed)).toEqual({ phase: 'execute', status: 'failed' });
      expect(failed.can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(true);

      broken = false;
      const checkedBefore = plan.calls.checked.length;
      plan.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      const queued = await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'queued');
      expect(position(queued)).toEqual({ phase: 'execute', status: 'queued' });
      expect(queued.context.error).toBeNull();
      expect(queued.context.pendingReconcile).toBeNull();
      expect(queued.context.lastCompletedStep).toBe(1);
      expect(plan.calls.checked.slice(checkedBefore).map((input) => [input.trigger, input.invariant.id, input.sandbox.headCommit])).toEqual([
        ['post-correction', 'tests-pass', 'c1'],
        ['post-correction', 'header-exists', 'c1'],
      ]);
      const correction = reconciliations(plan.emitted).at(-1);
      expect(correction).toEqual({ type: 'reconciliation', parentId: 'C1', trigger: 'post-correction', outcome: 'reconciled', results: expect.any(Array) });
      expect(correction?.results).toHaveLength(2);
      expect(invariantEntries(plan.emitted).at(-1)).toMatchObject({ type: 'invariant.reconciled', phase: 'execute', data: { trigger: 'post-correction' } });
      // no step ran during the correction
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1]);

      expect(queued.can({ type: 'plan.execute' })).toBe(true);
      plan.actor.send({ type: 'plan.execute' });
      const complete = await plan.rest();
      expect(position(complete)).toEqual({ phase: 'execute', status: 'complete' });
      expect(plan.calls.executed.map((input) => ({ index: input.index, from: input.sandbox.headCommit }))).toEqual([
        { index: 0, from: 'base' },
        { index: 1, from: 'c0' },
        { index: 2, from: 'c1' },
      ]);
      expect(complete.context.lastCompletedStep).toBe(2);
      expect(reconciliations(plan.emitted).at(-1)).toMatchObject({ parentId: 'D2', trigger: 'post-step', step: 2, outcome: 'reconciled' });
    });

    it('fails execute again when the invariants still do not hold', async () => {
      const plan = startPlan('review', { steps: 3, invariants: INVARIANTS, holds: (input) => input.invariant.id !== 'header-exists' || input.trigger === 'post-strategize' });
      plan.actor.send({ type: 'plan.run' });
      expect(position(await plan.rest())).toEqual({ phase: 'execute', status: 'failed' });
      const emittedBefore = plan.emitted.length;
      plan.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      const failed = await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'failed' && plan.emitted.length > emittedBefore);
      expect(position(failed)).toEqual({ phase: 'execute', status: 'failed' });
      expect(failed.context.error).toEqual({
        code: 'INVARIANT_VIOLATED',
        message: 'invariant "header-exists" (plan) does not hold after the correction: broken',
        phase: 'execute',
        details: { trigger: 'post-correction', violations: [{ id: 'header-exists', tier: 'plan', check: 'file-exists', message: 'broken' }] },
        hint: expect.any(String),
        retryable: false,
      });
      expect(failed.can({ type: 'plan.execute' })).toBe(false);
      expect(reconciliations(plan.emitted).at(-1)).toMatchObject({ parentId: 'C1', trigger: 'post-correction', outcome: 'violated' });
      expect(reconciliations(plan.emitted).at(-1)).not.toHaveProperty('step');
      expect(journalTypes(plan.emitted.slice(emittedBefore))).toEqual(['invariant.violated', 'phase.failed']);
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0]);
      // another correction may be tried
      expect(failed.can({ type: 'plan.corrected', decisionId: 'C2' })).toBe(true);
    });

    it('reads as (execute, processing) while the correction is reconciled', async () => {
      let broken = true;
      const plan = startGatedPlan('review', {
        steps: 2,
        invariants: INVARIANTS,
        holds: (input) => !(broken && input.trigger === 'post-step'),
        gate: (input) => input.trigger === 'post-correction',
      });
      plan.actor.send({ type: 'plan.run' });
      await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'failed');
      broken = false;
      plan.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
      const correcting = plan.actor.getSnapshot();
      expect(correcting.value).toEqual({ execute: { correcting: 'checking' } });
      expect(position(correcting)).toEqual({ phase: 'execute', status: 'processing' });
      expect(correcting.context.pendingReconcile).toEqual({ trigger: 'post-correction', decisionId: 'C1' });
      expect(correcting.can({ type: 'plan.execute' })).toBe(false);
      expect(correcting.can({ type: 'plan.corrected', decisionId: 'C2' })).toBe(false);
      for (const check of plan.waiting) check.answer(true);
      expect(position(await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'queued'))).toEqual({ phase: 'execute', status: 'queued' });
    });

    it('requeues execute without checking anything on a plan that does not reconcile', async () => {
      const plan = startPlan('review', { steps: 2, invariants: INVARIANTS, reconciliation: false });
      plan.actor.send({ type: 'plan.run' });
      expect(position(await plan.rest())).toEqual({ phase: 'validate', status: 'complete' });
      plan.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      const queued = plan.actor.getSnapshot();
      expect(position(queued)).toEqual({ phase: 'execute', status: 'queued' });
      expect(queued.context.pendingReconcile).toBeNull();
      expect(plan.calls.checked).toEqual([]);
      expect(reconciliations(plan.emitted)).toEqual([]);
    });

    it('is refused before strategize is complete and once the plan has ended', async () => {
      const queued = startPlan('review', { invariants: INVARIANTS });
      expect(position(queued.actor.getSnapshot())).toEqual({ phase: 'strategize', status: 'queued' });
      expect(queued.actor.getSnapshot().can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(false);
      queued.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      expect(position(queued.actor.getSnapshot())).toEqual({ phase: 'strategize', status: 'queued' });

      const processing = startGatedPlan('review', { invariants: INVARIANTS, gate: () => true });
      processing.actor.send({ type: 'plan.run' });
      expect(position(processing.actor.getSnapshot())).toEqual({ phase: 'strategize', status: 'processing' });
      expect(processing.actor.getSnapshot().can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(false);
      processing.actor.stop();

      const done = startPlan('auto', { invariants: INVARIANTS });
      done.actor.send({ type: 'plan.run' });
      const ended = await waitFor(done.actor, (snapshot) => snapshot.status === 'done');
      expect(ended.can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(false);
      done.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      expect(done.actor.getSnapshot().value).toBe('done');
      expect(done.calls.checked.filter((input) => input.trigger === 'post-correction')).toEqual([]);

      const cancelled = startPlan('review', { invariants: INVARIANTS });
      cancelled.actor.send({ type: 'plan.cancel' });
      expect(cancelled.actor.getSnapshot().can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(false);
    });
  });

  it('cancels a running reconciliation: its checks are stopped and their signals abort', async () => {
    const plan = startGatedPlan('review', { steps: 2, invariants: INVARIANTS, gate: (input) => input.trigger === 'post-step' });
    plan.actor.send({ type: 'plan.run' });
    await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
    expect(position(plan.actor.getSnapshot())).toEqual({ phase: 'execute', status: 'processing' });
    plan.actor.send({ type: 'plan.cancel', reason: 'changed my mind' });
    const snapshot = plan.actor.getSnapshot();
    expect(snapshot.value).toBe('cancelled');
    expect(position(snapshot)).toEqual({ phase: 'execute', status: 'cancelled' });
    expect(plan.waiting.map((check) => check.aborted())).toEqual([true, true]);
    expect(snapshot.children).toEqual({});
    expect(journal(plan.emitted).at(-1)).toEqual({ type: 'plan.cancelled', phase: 'execute', data: { reason: 'changed my mind' } });
    // the post-step reconciliation never ended: nothing recorded for it, and no step ran after it
    expect(reconciliations(plan.emitted).map((event) => event.trigger)).toEqual(['post-strategize']);
    expect(plan.calls.executed.map((input) => input.index)).toEqual([0]);
  });

  describe('restore', () => {
    it('re-runs a post-step reconciliation in flight (not the step) and continues', async () => {
      const first = startGatedPlan('review', { steps: 3, invariants: INVARIANTS, gate: (input) => input.trigger === 'post-step' && input.sandbox.headCommit === 'c1' });
      first.actor.send({ type: 'plan.run' });
      await vi.waitFor(() => expect(first.waiting).toHaveLength(2));
      const persisted = JSON.parse(JSON.stringify(first.actor.getPersistedSnapshot()));
      first.actor.stop();
      expect(persisted.value).toEqual({ execute: { processing: { reconciling: 'checking' } } });
      expect(planPosition(persisted.value, persisted.context)).toEqual({ phase: 'execute', status: 'processing' });
      expect(persisted.context.pendingReconcile).toEqual({ trigger: 'post-step', decisionId: 'D1', step: 1, wrote: false });

      const { actors, calls } = scriptedActors({ steps: 3, invariants: INVARIANTS });
      const restored = createActor(planLifecycleMachine.provide({ actors }), { snapshot: persisted, input: INPUT });
      const emitted: PlanEmitted[] = [];
      restored.on('*', (event) => emitted.push(event as PlanEmitted));
      restored.start();
      const snapshot = await waitFor(restored, (s) => s.context.phase === 'validate' && position(s).status === 'complete');
      expect(calls.executed.map((input) => ({ index: input.index, from: input.sandbox.headCommit }))).toEqual([{ index: 2, from: 'c1' }]);
      expect(calls.strategized).toBe(0);
      expect(calls.checked.map((input) => [input.trigger, input.sandbox.headCommit])).toEqual([
        ['post-step', 'c1'], ['post-step', 'c1'],
        ['post-step', 'c2'], ['post-step', 'c2'],
        ['post-validate', 'c2'], ['post-validate', 'c2'],
      ]);
      expect(reconciliations(emitted).map(summary)).toEqual([
        { parentId: 'D1', trigger: 'post-step', step: 1, outcome: 'reconciled' },
        { parentId: 'D2', trigger: 'post-step', step: 2, outcome: 'reconciled' },
        { parentId: 'ROOT', trigger: 'post-validate', step: undefined, outcome: 'reconciled' },
      ]);
      expect(journalTypes(emitted).slice(0, 2)).toEqual(['invariant.reconciled', 'step.started']);
      expect(snapshot.context.lastCompletedStep).toBe(2);
      expect(snapshot.context.sandbox).toEqual({ ...SANDBOX, headCommit: 'c2' });
    });

    it('re-runs a correction’s reconciliation in flight and requeues execute', async () => {
      let broken = true;
      const first = startGatedPlan('review', {
        steps: 2,
        invariants: INVARIANTS,
        holds: (input) => !(broken && input.trigger === 'post-step'),
        gate: (input) => input.trigger === 'post-correction',
      });
      first.actor.send({ type: 'plan.run' });
      await waitFor(first.actor, (snapshot) => position(snapshot).status === 'failed');
      broken = false;
      first.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      await vi.waitFor(() => expect(first.waiting).toHaveLength(2));
      const persisted = JSON.parse(JSON.stringify(first.actor.getPersistedSnapshot()));
      first.actor.stop();

      const { actors, calls } = scriptedActors({ steps: 2, invariants: INVARIANTS });
      const restored = createActor(planLifecycleMachine.provide({ actors }), { snapshot: persisted, input: INPUT });
      const emitted: PlanEmitted[] = [];
      restored.on('*', (event) => emitted.push(event as PlanEmitted));
      restored.start();
      const snapshot = await waitFor(restored, (s) => position(s).status === 'queued');
      expect(position(snapshot)).toEqual({ phase: 'execute', status: 'queued' });
      expect(calls.checked.map((input) => input.trigger)).toEqual(['post-correction', 'post-correction']);
      expect(calls.executed).toEqual([]);
      expect(reconciliations(emitted).map(summary)).toEqual([{ parentId: 'C1', trigger: 'post-correction', step: undefined, outcome: 'reconciled' }]);
    });
  });

  it('fails the phase, not retryably, when the reconciler itself fails: nothing says the invariants hold', async () => {
    const { actors } = scriptedActors({ steps: 1, invariants: INVARIANTS });
    const actor = createActor(
      planLifecycleMachine.provide({
        actors: {
          ...actors,
          reconcile: fromPromise<never, unknown>(async () => {
            throw new Error('reconciler crashed');
          }) as never,
        },
      }),
      { input: INPUT },
    ).start();
    actor.send({ type: 'plan.run' });
    const snapshot = await waitFor(actor, (s) => position(s).status === 'failed');
    expect(position(snapshot)).toEqual({ phase: 'strategize', status: 'failed' });
    expect(snapshot.context.error).toMatchObject({ code: 'INTERNAL_ERROR', message: 'reconciler crashed', phase: 'strategize', hint: expect.stringContaining('invariants were not checked'), retryable: false });
    expect(snapshot.can({ type: 'plan.execute' })).toBe(false);
    expect(snapshot.context.target).toBeNull();
  });
});
