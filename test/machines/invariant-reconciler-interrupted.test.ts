import { describe, expect, it, vi } from 'vitest';
import { createActor, toPromise } from 'xstate';
import type { InvariantResult } from '../../src/domain/index.js';
import { gated, immediate, invariants, reconcileInput } from './invariant-reconciler-fixtures.js';

describe('invariantReconcilerMachine', () => {
  describe('restore', () => {
    it('re-runs only the checks in flight when restored from a snapshot taken during them, and ends with every result', async () => {
      const checks = gated();
      const first = createActor(checks.machine, {
        input: reconcileInput({ invariants: invariants(4), concurrency: 2 }),
      }).start();
      checks.check('inv-0').fail('answered before the crash');
      await vi.waitFor(() => expect(checks.started).toEqual(['inv-0', 'inv-1', 'inv-2']));
      checks.check('inv-1').pass('answered before the crash');
      await vi.waitFor(() => expect(checks.started).toEqual(['inv-0', 'inv-1', 'inv-2', 'inv-3']));
      // inv-2 and inv-3 are in flight when the process "dies"
      const persisted = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
      first.stop();
      expect(persisted.context.results.map((result: InvariantResult | null) => result?.id ?? null)).toEqual([
        'inv-0',
        'inv-1',
        null,
        null,
      ]);

      const { machine, checked } = immediate();
      const restored = createActor(machine, { snapshot: persisted, input: reconcileInput() }).start();
      const output = await toPromise(restored);
      expect(checked.map((input) => input.invariant.id).sort()).toEqual(['inv-2', 'inv-3']);
      expect(output.outcome).toBe('violated');
      expect(output.results.map((result) => [result.id, result.passed, result.message])).toEqual([
        ['inv-0', false, 'answered before the crash'],
        ['inv-1', true, 'answered before the crash'],
        ['inv-2', true, 'holds'],
        ['inv-3', true, 'holds'],
      ]);
    });

    it('starts the checks not yet begun after the restored ones, still within the concurrency', async () => {
      const checks = gated();
      const first = createActor(checks.machine, {
        input: reconcileInput({ invariants: invariants(3), concurrency: 1 }),
      }).start();
      checks.check('inv-0').pass();
      await vi.waitFor(() => expect(checks.started).toEqual(['inv-0', 'inv-1']));
      const persisted = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
      first.stop();

      const again = gated();
      const restored = createActor(again.machine, { snapshot: persisted, input: reconcileInput() }).start();
      await vi.waitFor(() => expect(again.started).toEqual(['inv-1']));
      again.check('inv-1').pass();
      await vi.waitFor(() => expect(again.started).toEqual(['inv-1', 'inv-2']));
      again.check('inv-2').pass();
      const output = await toPromise(restored);
      expect(again.stats.maxRunning).toBe(1);
      expect(output).toMatchObject({ outcome: 'reconciled', trigger: 'post-strategize' });
      expect(output.results.map((result) => result.id)).toEqual(['inv-0', 'inv-1', 'inv-2']);
    });
  });

  it('stops its running checks when it is stopped: their signals abort', () => {
    const checks = gated();
    const actor = createActor(checks.machine, { input: reconcileInput() }).start();
    actor.stop();
    expect(checks.aborted.sort()).toEqual(['header-exists', 'in-scope', 'tests-pass']);
  });
});
