import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, toPromise, waitFor } from 'xstate';
import { invariantReconcilerMachine, type CheckInput } from '../../machines/index.js';
import type { InvariantResult } from '../../src/domain/index.js';
import { INVARIANTS, gated, immediate, reconcileInput, resultOf } from './invariant-reconciler-fixtures.js';
import { SANDBOX } from './plan-lifecycle-fixtures.js';

describe('invariantReconcilerMachine', () => {
  it('ends reconciled with every result in invariant order when every invariant holds', async () => {
    const { machine, checked } = immediate();
    const actor = createActor(machine, { input: reconcileInput() }).start();
    const output = await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('reconciled');
    expect(output).toEqual({
      outcome: 'reconciled',
      trigger: 'post-strategize',
      results: [
        { id: 'tests-pass', tier: 'project', check: 'command', passed: true, message: 'holds', durationMs: 5 },
        { id: 'header-exists', tier: 'plan', check: 'file-exists', passed: true, message: 'holds', durationMs: 5 },
        { id: 'in-scope', tier: 'parent', check: 'paths-within', passed: true, message: 'holds', durationMs: 5 },
      ],
    });
    expect(output).not.toHaveProperty('step');
    expect(checked.map((input) => input.invariant.id)).toEqual(['tests-pass', 'header-exists', 'in-scope']);
  });

  it('gives each check the plan, the trigger, its invariant and the sandbox', async () => {
    const { machine, checked } = immediate();
    await toPromise(createActor(machine, { input: reconcileInput({ trigger: 'post-step', step: 2 }) }).start());
    expect(checked).toEqual(
      INVARIANTS.map((invariant) => ({ planId: 'P', trigger: 'post-step', invariant, sandbox: SANDBOX })),
    );
  });

  it('reports the step a post-step reconciliation follows', async () => {
    const { machine } = immediate();
    const output = await toPromise(
      createActor(machine, { input: reconcileInput({ trigger: 'post-step', step: 0 }) }).start(),
    );
    expect(output).toMatchObject({ outcome: 'reconciled', trigger: 'post-step', step: 0 });
  });

  it('ends violated when one invariant fails, still reporting every result in invariant order', async () => {
    const { machine } = immediate((input) => input.invariant.id !== 'header-exists');
    const actor = createActor(machine, { input: reconcileInput({ trigger: 'post-validate' }) }).start();
    const output = await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('violated');
    expect(output.outcome).toBe('violated');
    expect(output.trigger).toBe('post-validate');
    expect(output.results.map(({ id, tier, check, passed }) => ({ id, tier, check, passed }))).toEqual([
      { id: 'tests-pass', tier: 'project', check: 'command', passed: true },
      { id: 'header-exists', tier: 'plan', check: 'file-exists', passed: false },
      { id: 'in-scope', tier: 'parent', check: 'paths-within', passed: true },
    ]);
    expect(output.results[1]?.message).toBe('broken');
  });

  it('keeps the invariant order when the checks answer in another order', async () => {
    const checks = gated();
    const actor = createActor(checks.machine, { input: reconcileInput() }).start();
    checks.check('in-scope').fail('3 paths outside src/**');
    checks.check('tests-pass').pass();
    checks.check('header-exists').pass();
    const output = await toPromise(actor);
    expect(output.outcome).toBe('violated');
    expect(output.results.map((result) => [result.id, result.passed, result.message])).toEqual([
      ['tests-pass', true, 'holds'],
      ['header-exists', true, 'holds'],
      ['in-scope', false, '3 paths outside src/**'],
    ]);
  });

  it('names every result after the invariant as declared, whatever the check runner said', async () => {
    // the runner for tests-pass claims to be header-exists, with another tier and check, and fails
    const machine = invariantReconcilerMachine.provide({
      actors: {
        runCheck: fromPromise<InvariantResult, CheckInput>(async ({ input }) =>
          input.invariant.id === 'tests-pass'
            ? {
                id: 'header-exists',
                tier: 'parent',
                check: 'acme/other',
                passed: false,
                message: 'exit code 1',
                durationMs: 7,
              }
            : resultOf(input, true),
        ),
      },
    });
    const output = await toPromise(createActor(machine, { input: reconcileInput() }).start());
    expect(output.results).toEqual([
      { id: 'tests-pass', tier: 'project', check: 'command', passed: false, message: 'exit code 1', durationMs: 7 },
      { id: 'header-exists', tier: 'plan', check: 'file-exists', passed: true, message: 'holds', durationMs: 5 },
      { id: 'in-scope', tier: 'parent', check: 'paths-within', passed: true, message: 'holds', durationMs: 5 },
    ]);
  });

  it('ends reconciled at once with no results when there are no invariants', async () => {
    const { machine, checked } = immediate();
    const actor = createActor(machine, { input: reconcileInput({ invariants: [] }) }).start();
    expect(actor.getSnapshot().status).toBe('done');
    expect(actor.getSnapshot().value).toBe('reconciled');
    expect(actor.getSnapshot().output).toEqual({ outcome: 'reconciled', trigger: 'post-strategize', results: [] });
    expect(checked).toEqual([]);
  });

  it('runs each check as a child actor named check-<index>', () => {
    const checks = gated();
    const actor = createActor(checks.machine, { input: reconcileInput() }).start();
    expect(Object.keys(actor.getSnapshot().children).sort()).toEqual(['check-0', 'check-1', 'check-2']);
    actor.stop();
  });

  it('is done once every check answered, not before', async () => {
    const checks = gated();
    const actor = createActor(checks.machine, { input: reconcileInput() }).start();
    checks.check('tests-pass').pass();
    checks.check('header-exists').pass();
    await waitFor(actor, (snapshot) => snapshot.context.results[1] !== null);
    expect(actor.getSnapshot().value).toBe('checking');
    expect(actor.getSnapshot().status).toBe('active');
    checks.check('in-scope').pass();
    expect((await toPromise(actor)).outcome).toBe('reconciled');
  });
});
