import { describe, expect, it, vi } from 'vitest';
import { createActor, toPromise } from 'xstate';
import { gated, reconcileInput } from './invariant-reconciler-fixtures.js';

describe('invariantReconcilerMachine', () => {
  describe('results that do not belong', () => {
    it('ignores a second answer for a check that already answered', async () => {
      const checks = gated();
      const actor = createActor(checks.machine, { input: reconcileInput({ concurrency: 1 }) }).start();
      checks.check('tests-pass').pass('first answer');
      await vi.waitFor(() => expect(checks.started).toHaveLength(2));
      const before = actor.getSnapshot().context;
      actor.send({
        type: 'xstate.done.actor.check-0',
        actorId: 'check-0',
        output: {
          id: 'tests-pass',
          tier: 'project',
          check: 'command',
          passed: false,
          message: 'late duplicate',
          durationMs: 1,
        },
      } as never);
      const after = actor.getSnapshot().context;
      expect(after.results[0]).toEqual({
        id: 'tests-pass',
        tier: 'project',
        check: 'command',
        passed: true,
        message: 'first answer',
        durationMs: 5,
      });
      // the duplicate frees no slot: the third check has not started
      expect(after.running).toBe(before.running);
      expect(checks.started).toEqual(['tests-pass', 'header-exists']);
      checks.check('header-exists').pass();
      await vi.waitFor(() => expect(checks.started).toHaveLength(3));
      checks.check('in-scope').pass();
      expect((await toPromise(actor)).outcome).toBe('reconciled');
    });

    it('ignores a second failure for a check that already answered', async () => {
      const checks = gated();
      const actor = createActor(checks.machine, { input: reconcileInput({ concurrency: 1 }) }).start();
      checks.check('tests-pass').pass();
      await vi.waitFor(() => expect(checks.started).toHaveLength(2));
      actor.send({ type: 'xstate.error.actor.check-0', actorId: 'check-0', error: new Error('late') } as never);
      expect(actor.getSnapshot().context.results[0]?.passed).toBe(true);
      expect(actor.getSnapshot().context.running).toBe(1);
      actor.stop();
    });

    it('ignores an answer for a check index it does not have', () => {
      const checks = gated();
      const actor = createActor(checks.machine, { input: reconcileInput({ concurrency: 1 }) }).start();
      actor.send({ type: 'xstate.done.actor.check-9', actorId: 'check-9', output: { passed: false } } as never);
      expect(actor.getSnapshot().context.results).toEqual([null, null, null]);
      expect(actor.getSnapshot().context.running).toBe(1);
      expect(actor.getSnapshot().value).toBe('checking');
      actor.stop();
    });

    it('does not let an answer from an actor that is not one of its checks take a check’s place', async () => {
      const checks = gated();
      const actor = createActor(checks.machine, { input: reconcileInput({ concurrency: 1 }) }).start();
      actor.send({
        type: 'xstate.done.actor.other',
        actorId: 'other',
        output: { passed: false, message: 'not a check', durationMs: 1 },
      } as never);
      expect(actor.getSnapshot().context.results).toEqual([null, null, null]);
      expect(actor.getSnapshot().context.running).toBe(1);
      expect(checks.started).toEqual(['tests-pass']);
      checks.check('tests-pass').pass('the real answer');
      await vi.waitFor(() => expect(checks.started).toHaveLength(2));
      checks.check('header-exists').pass();
      await vi.waitFor(() => expect(checks.started).toHaveLength(3));
      checks.check('in-scope').pass();
      const output = await toPromise(actor);
      expect(output.results[0]).toEqual({
        id: 'tests-pass',
        tier: 'project',
        check: 'command',
        passed: true,
        message: 'the real answer',
        durationMs: 5,
      });
      expect(output.outcome).toBe('reconciled');
    });

    it('does not take an answer for a check it has not started yet', async () => {
      const checks = gated();
      const actor = createActor(checks.machine, { input: reconcileInput({ concurrency: 1 }) }).start();
      actor.send({
        type: 'xstate.done.actor.check-2',
        actorId: 'check-2',
        output: {
          id: 'in-scope',
          tier: 'parent',
          check: 'paths-within',
          passed: false,
          message: 'early',
          durationMs: 1,
        },
      } as never);
      expect(actor.getSnapshot().context.results[2]).toBeNull();
      // nor for the very next one to start
      actor.send({
        type: 'xstate.done.actor.check-1',
        actorId: 'check-1',
        output: {
          id: 'header-exists',
          tier: 'plan',
          check: 'file-exists',
          passed: false,
          message: 'early',
          durationMs: 1,
        },
      } as never);
      expect(actor.getSnapshot().context.results).toEqual([null, null, null]);
      // the concurrency bound still holds: only the first check runs
      expect(checks.running()).toEqual(['tests-pass']);
      actor.stop();
    });
  });
});
