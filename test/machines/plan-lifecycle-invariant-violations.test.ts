import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import { invariantReconcilerMachine, planLifecycleMachine, type CheckInput } from '../../machines/index.js';
import type { InvariantResult } from '../../src/domain/index.js';
import { INPUT, scriptedActors, startPlan } from './plan-lifecycle-fixtures.js';
import {
  INVARIANTS,
  journal,
  journalTypes,
  position,
  reconciliations,
  summary,
} from './plan-lifecycle-reconciliation-fixtures.js';

describe('planLifecycleMachine: invariant reconciliation', () => {
  describe('a violation', () => {
    it('after strategize fails strategize with INVARIANT_VIOLATED and refuses execute', async () => {
      const plan = startPlan('auto', {
        steps: 2,
        invariants: INVARIANTS,
        holds: (input) => input.invariant.id !== 'header-exists',
      });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(position(snapshot)).toEqual({ phase: 'strategize', status: 'failed' });
      expect(snapshot.context.error).toEqual({
        code: 'INVARIANT_VIOLATED',
        message: 'invariant "header-exists" (plan) does not hold after strategize: broken',
        phase: 'strategize',
        details: {
          trigger: 'post-strategize',
          violations: [{ id: 'header-exists', tier: 'plan', check: 'file-exists', message: 'broken' }],
        },
        hint: expect.stringContaining('restart strategize: troupe plan strategize demo/x'),
        retryable: false,
      });
      expect(snapshot.can({ type: 'plan.execute' })).toBe(false);
      expect(snapshot.can({ type: 'plan.run' })).toBe(false);
      // the way on: restart strategize once the project holds the invariant
      expect(snapshot.can({ type: 'plan.strategize' })).toBe(true);
      expect(plan.calls.executed).toEqual([]);
      expect(snapshot.context.target).toBeNull();
      expect(reconciliations(plan.emitted).map(summary)).toEqual([
        { parentId: 'ROOT', trigger: 'post-strategize', step: undefined, outcome: 'violated' },
      ]);
      expect(reconciliations(plan.emitted)[0]?.results.map((result) => result.passed)).toEqual([true, false]);
      expect(journalTypes(plan.emitted)).toEqual(['phase.started', 'invariant.violated', 'phase.failed']);
      expect(journal(plan.emitted).at(-1)?.data).toEqual({
        code: 'INVARIANT_VIOLATED',
        message: 'invariant "header-exists" (plan) does not hold after strategize: broken',
      });
    });

    it('after step 2 of 3 fails execute there: step 3 never runs and execute cannot simply run again', async () => {
      const plan = startPlan('review', {
        steps: 3,
        invariants: INVARIANTS,
        holds: (input) =>
          !(input.trigger === 'post-step' && input.sandbox.headCommit === 'c1' && input.invariant.id === 'tests-pass'),
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
        details: {
          trigger: 'post-step',
          violations: [{ id: 'tests-pass', tier: 'project', check: 'command', message: 'broken' }],
        },
        hint: expect.stringMatching(
          /committed in the sandbox \(\.troupe\/worktrees\/P\).*troupe plan correct demo\/x --mode append.*troupe plan correct demo\/x --mode revert/,
        ),
        retryable: false,
      });
      expect(snapshot.can({ type: 'plan.execute' })).toBe(false);
      expect(snapshot.can({ type: 'plan.run' })).toBe(false);
      expect(snapshot.can({ type: 'plan.validate' })).toBe(false);
      expect(reconciliations(plan.emitted).map(summary).slice(-2)).toEqual([
        { parentId: 'D0', trigger: 'post-step', step: 0, outcome: 'reconciled' },
        { parentId: 'D1', trigger: 'post-step', step: 1, outcome: 'violated' },
      ]);
      expect(journalTypes(plan.emitted).slice(-4)).toEqual([
        'tool.called',
        'step.completed',
        'invariant.violated',
        'phase.failed',
      ]);
      expect(journal(plan.emitted).at(-2)?.data).toMatchObject({ trigger: 'post-step', step: 1 });
      expect(plan.calls.validated).toBe(0);
    });

    it('names every failed invariant when more than one breaks', async () => {
      const plan = startPlan('review', {
        steps: 1,
        invariants: INVARIANTS,
        holds: (input) => input.trigger !== 'post-step',
      });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(snapshot.context.error?.message).toBe(
        '2 invariants do not hold after step 1: tests-pass (project), header-exists (plan)',
      );
      expect(snapshot.context.error?.details).toEqual({
        trigger: 'post-step',
        violations: [
          { id: 'tests-pass', tier: 'project', check: 'command', message: 'broken' },
          { id: 'header-exists', tier: 'plan', check: 'file-exists', message: 'broken' },
        ],
      });
    });

    it('after validate fails validate and refuses apply, even under auto', async () => {
      const plan = startPlan('auto', {
        steps: 2,
        invariants: INVARIANTS,
        holds: (input) => input.trigger !== 'post-validate' || input.invariant.id !== 'tests-pass',
      });
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
      expect(reconciliations(plan.emitted).at(-1)).toMatchObject({
        parentId: 'ROOT',
        trigger: 'post-validate',
        outcome: 'violated',
      });
      expect(journalTypes(plan.emitted).slice(-3)).toEqual(['phase.started', 'invariant.violated', 'phase.failed']);
      expect(snapshot.context.error?.hint).toBe(
        'the sandbox as validate left it is kept (.troupe/worktrees/P) for you to inspect; correct the plan: append a step that fixes it ' +
          `(troupe plan correct demo/x --mode append --step '{"title": …, "tool": …, "input": …}'), or go back to its last clean checkpoint (troupe plan correct demo/x --mode revert) — see docs/reference/checkpoints.md`,
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
      const actor = createActor(
        planLifecycleMachine.provide({
          actors: { ...actors, reconcile: invariantReconcilerMachine.provide({ actors: { runCheck } }) },
        }),
        { input: INPUT },
      );
      actor.start().send({ type: 'plan.run' });
      return (await waitFor(actor, (snapshot) => position(snapshot).status === 'failed')).context.error!;
    }

    it('says the sandbox could not run the checks, not that they broke, when every failure is SANDBOX_UNAVAILABLE', async () => {
      const unavailable = { passed: false, message: 'SANDBOX_UNAVAILABLE: bubblewrap cannot create a namespace' };
      const error = await violatedBy({ 'tests-pass': unavailable, 'header-exists': unavailable });
      expect(error.code).toBe('SANDBOX_UNAVAILABLE');
      expect(error.hint).toMatch(
        /^.+; then what broke it is committed in the sandbox \(\.troupe\/worktrees\/P\) for you to inspect; /,
      );
      expect(error.hint!.startsWith('what broke it')).toBe(false);
      // one check that did run and broke: the rule broke
      expect(
        (await violatedBy({ 'tests-pass': unavailable, 'header-exists': { passed: false, message: 'missing' } })).code,
      ).toBe('INVARIANT_VIOLATED');
      expect(
        (
          await violatedBy({
            'tests-pass': { passed: false, message: 'broken, not SANDBOX_UNAVAILABLE' },
            'header-exists': { passed: true, message: 'holds' },
          })
        ).code,
      ).toBe('INVARIANT_VIOLATED');
    });

    it('lists each broken invariant with the lines of output that say why, when its check gave some', async () => {
      const error = await violatedBy({
        'tests-pass': { passed: false, message: 'exit 1', lines: ['FAIL parses dates'] },
        'header-exists': { passed: false, message: 'missing' },
      });
      expect(error.details).toEqual({
        trigger: 'post-step',
        violations: [
          { id: 'tests-pass', tier: 'project', check: 'command', message: 'exit 1', lines: ['FAIL parses dates'] },
          { id: 'header-exists', tier: 'plan', check: 'file-exists', message: 'missing' },
        ],
      });
    });
  });
});
