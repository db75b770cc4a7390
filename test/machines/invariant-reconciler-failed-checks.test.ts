import { describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise, toPromise } from 'xstate';
import { invariantReconcilerMachine, type CheckInput } from '../../machines/index.js';
import type { InvariantResult } from '../../src/domain/index.js';
import { INVARIANTS, gated, reconcileInput, resultOf } from './invariant-reconciler-fixtures.js';

describe('invariantReconcilerMachine', () => {
  describe('a check that cannot run', () => {
    it('counts a rejected check as a violation saying why, and still runs the others', async () => {
      const machine = invariantReconcilerMachine.provide({
        actors: {
          runCheck: fromPromise<InvariantResult, CheckInput>(async ({ input }) => {
            if (input.invariant.id === 'header-exists') throw new Error('spawn ENOENT');
            return resultOf(input, true);
          }),
        },
      });
      const actor = createActor(machine, { input: reconcileInput() }).start();
      const output = await toPromise(actor);
      expect(actor.getSnapshot().value).toBe('violated');
      expect(output.outcome).toBe('violated');
      expect(output.results).toEqual([
        { id: 'tests-pass', tier: 'project', check: 'command', passed: true, message: 'holds', durationMs: 5 },
        {
          id: 'header-exists',
          tier: 'plan',
          check: 'file-exists',
          passed: false,
          message: 'the check could not run: spawn ENOENT',
          durationMs: 0,
        },
        { id: 'in-scope', tier: 'parent', check: 'paths-within', passed: true, message: 'holds', durationMs: 5 },
      ]);
    });

    it('says what a check threw when it is not an Error', async () => {
      const machine = invariantReconcilerMachine.provide({
        actors: { runCheck: fromPromise<InvariantResult, CheckInput>(() => Promise.reject('disk full')) },
      });
      const output = await toPromise(
        createActor(machine, { input: reconcileInput({ invariants: INVARIANTS.slice(0, 1) }) }).start(),
      );
      expect(output.results).toEqual([
        {
          id: 'tests-pass',
          tier: 'project',
          check: 'command',
          passed: false,
          message: 'the check could not run: disk full',
          durationMs: 0,
        },
      ]);
    });

    it('frees the slot of a rejected check so the next one starts', async () => {
      const checks = gated();
      const actor = createActor(checks.machine, { input: reconcileInput({ concurrency: 1 }) }).start();
      checks.check('tests-pass').reject(new Error('killed'));
      await vi.waitFor(() => expect(checks.started).toEqual(['tests-pass', 'header-exists']));
      checks.check('header-exists').pass();
      await vi.waitFor(() => expect(checks.started).toHaveLength(3));
      checks.check('in-scope').pass();
      const output = await toPromise(actor);
      expect(output.results.map((result) => result.message)).toEqual([
        'the check could not run: killed',
        'holds',
        'holds',
      ]);
    });

    it('fails loudly without a provided runCheck actor: every invariant is violated, saying what is missing', async () => {
      const actor = createActor(invariantReconcilerMachine, {
        input: reconcileInput({ invariants: INVARIANTS.slice(0, 2) }),
      }).start();
      const output = await toPromise(actor);
      expect(output.outcome).toBe('violated');
      expect(output.results).toHaveLength(2);
      for (const result of output.results) {
        expect(result.passed).toBe(false);
        expect(result.message).toBe('the check could not run: invariantReconcilerMachine needs the "runCheck" actor');
      }
    });
  });
});
