import { describe, expect, it, vi } from 'vitest';
import { createActor, toPromise } from 'xstate';
import { DEFAULT_CHECK_CONCURRENCY } from '../../machines/index.js';
import { gated, immediate, invariants, reconcileInput } from './invariant-reconciler-fixtures.js';

describe('invariantReconcilerMachine', () => {
  describe('concurrency', () => {
    it(`runs at most ${DEFAULT_CHECK_CONCURRENCY} checks at once by default`, async () => {
      const checks = gated();
      const actor = createActor(checks.machine, { input: reconcileInput({ invariants: invariants(6) }) }).start();
      expect(checks.started).toEqual(['inv-0', 'inv-1', 'inv-2', 'inv-3']);
      expect(actor.getSnapshot().context.running).toBe(DEFAULT_CHECK_CONCURRENCY);
      checks.check('inv-2').pass();
      await vi.waitFor(() => expect(checks.started).toHaveLength(5));
      expect(checks.started[4]).toBe('inv-4');
      for (const id of checks.running()) checks.check(id).pass();
      await vi.waitFor(() => expect(checks.started).toHaveLength(6));
      checks.check('inv-5').pass();
      const output = await toPromise(actor);
      expect(output.outcome).toBe('reconciled');
      expect(checks.stats.maxRunning).toBe(DEFAULT_CHECK_CONCURRENCY);
    });

    it('never runs more than `concurrency` checks and runs them all eventually', async () => {
      const checks = gated();
      const actor = createActor(checks.machine, {
        input: reconcileInput({ invariants: invariants(7), concurrency: 2 }),
      });
      const runningSeen: number[] = [];
      actor.subscribe((snapshot) => runningSeen.push(snapshot.context.running));
      actor.start();
      expect(checks.running()).toEqual(['inv-0', 'inv-1']);
      // answer the newest running check first each time, so starts and answers interleave
      while (checks.started.length < 7 || checks.running().length > 0) {
        const running = checks.running();
        expect(running.length).toBeLessThanOrEqual(2);
        const newest = running.at(-1);
        if (newest === undefined) break;
        const before = checks.started.length;
        checks.check(newest).pass();
        if (before < 7) await vi.waitFor(() => expect(checks.started.length).toBe(before + 1));
      }
      const output = await toPromise(actor);
      expect(checks.stats.maxRunning).toBe(2);
      expect(Math.max(...runningSeen)).toBe(2);
      expect([...checks.started].sort()).toEqual(invariants(7).map((invariant) => invariant.id));
      expect(output.results.map((result) => result.id)).toEqual(invariants(7).map((invariant) => invariant.id));
      expect(output.outcome).toBe('reconciled');
    });

    it('runs the checks one after another, in order, with concurrency 1', async () => {
      const checks = gated();
      const actor = createActor(checks.machine, { input: reconcileInput({ concurrency: 1 }) }).start();
      expect(checks.started).toEqual(['tests-pass']);
      checks.check('tests-pass').fail();
      await vi.waitFor(() => expect(checks.started).toEqual(['tests-pass', 'header-exists']));
      expect(checks.running()).toEqual(['header-exists']);
      checks.check('header-exists').pass();
      await vi.waitFor(() => expect(checks.started).toEqual(['tests-pass', 'header-exists', 'in-scope']));
      checks.check('in-scope').pass();
      const output = await toPromise(actor);
      expect(checks.stats.maxRunning).toBe(1);
      // a failure does not stop the remaining checks: every result is reported
      expect(output.outcome).toBe('violated');
      expect(output.results.map((result) => result.passed)).toEqual([false, true, true]);
    });

    it('runs one check at a time when asked for fewer than one', () => {
      const checks = gated();
      const actor = createActor(checks.machine, { input: reconcileInput({ concurrency: 0 }) }).start();
      expect(checks.started).toEqual(['tests-pass']);
      expect(actor.getSnapshot().context.concurrency).toBe(1);
      actor.stop();
    });

    it('uses the default when the concurrency asked for is not a number', async () => {
      const checks = immediate();
      const actor = createActor(checks.machine, {
        input: reconcileInput({ invariants: invariants(6), concurrency: Number.NaN }),
      }).start();
      expect(actor.getSnapshot().context.concurrency).toBe(DEFAULT_CHECK_CONCURRENCY);
      expect((await toPromise(actor)).outcome).toBe('reconciled');
      expect(checks.checked).toHaveLength(6);
    });
  });
});
