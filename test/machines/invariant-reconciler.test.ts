import { describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise, toPromise, waitFor } from 'xstate';
import { DEFAULT_CHECK_CONCURRENCY, invariantReconcilerMachine, type CheckInput, type ReconcileInput } from '../../machines/index.js';
import type { InvariantResult, TieredInvariant } from '../../src/domain/index.js';
import { SANDBOX } from './plan-lifecycle-fixtures.js';

const INVARIANTS: TieredInvariant[] = [
  { id: 'tests-pass', check: 'command', run: 'npm test --silent', tier: 'project' },
  { id: 'header-exists', check: 'file-exists', path: 'LICENSE_HEADER', tier: 'plan' },
  { id: 'in-scope', check: 'paths-within', tier: 'parent' },
];

function invariants(count: number): TieredInvariant[] {
  return Array.from({ length: count }, (_, index) => ({ id: `inv-${index}`, check: 'file-exists' as const, path: `f${index}`, tier: 'plan' as const }));
}

function reconcileInput(overrides: Partial<ReconcileInput> = {}): ReconcileInput {
  return { planId: 'P', trigger: 'post-strategize', invariants: INVARIANTS, sandbox: SANDBOX, ...overrides };
}

function resultOf(input: CheckInput, passed: boolean, message = passed ? 'holds' : 'broken'): InvariantResult {
  const { id, tier, check } = input.invariant;
  return { id, tier, check, passed, message, durationMs: 5 };
}

/** A reconciler whose checks answer at once: `holds` decides each one. */
function immediate(holds: (input: CheckInput) => boolean = () => true) {
  const checked: CheckInput[] = [];
  const machine = invariantReconcilerMachine.provide({
    actors: {
      runCheck: fromPromise<InvariantResult, CheckInput>(async ({ input }) => {
        checked.push(input);
        return resultOf(input, holds(input));
      }),
    },
  });
  return { machine, checked };
}

/** A reconciler whose checks answer only when the test says so; it counts how many run at once. */
function gated() {
  const open = new Map<string, { pass: (message?: string) => void; fail: (message?: string) => void; reject: (error: unknown) => void }>();
  const started: string[] = [];
  const aborted: string[] = [];
  const stats = { running: 0, maxRunning: 0 };
  const machine = invariantReconcilerMachine.provide({
    actors: {
      runCheck: fromPromise<InvariantResult, CheckInput>(({ input, signal }) => {
        const id = input.invariant.id;
        started.push(id);
        stats.running += 1;
        stats.maxRunning = Math.max(stats.maxRunning, stats.running);
        signal.addEventListener('abort', () => aborted.push(id));
        return new Promise<InvariantResult>((resolve, reject) => {
          const settle = () => {
            stats.running -= 1;
            open.delete(id);
          };
          open.set(id, {
            pass: (message) => (settle(), resolve(resultOf(input, true, message))),
            fail: (message) => (settle(), resolve(resultOf(input, false, message))),
            reject: (error) => (settle(), reject(error)),
          });
        });
      }),
    },
  });
  const check = (id: string) => {
    const entry = open.get(id);
    if (!entry) throw new Error(`check ${id} is not running (running: ${[...open.keys()].join(', ')})`);
    return entry;
  };
  return { machine, started, aborted, stats, check, running: () => [...open.keys()] };
}

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
    expect(checked).toEqual(INVARIANTS.map((invariant) => ({ planId: 'P', trigger: 'post-step', invariant, sandbox: SANDBOX })));
  });

  it('reports the step a post-step reconciliation follows', async () => {
    const { machine } = immediate();
    const output = await toPromise(createActor(machine, { input: reconcileInput({ trigger: 'post-step', step: 0 }) }).start());
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
            ? { id: 'header-exists', tier: 'parent', check: 'acme/other', passed: false, message: 'exit code 1', durationMs: 7 }
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
      const actor = createActor(checks.machine, { input: reconcileInput({ invariants: invariants(7), concurrency: 2 }) });
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
      const actor = createActor(checks.machine, { input: reconcileInput({ invariants: invariants(6), concurrency: Number.NaN }) }).start();
      expect(actor.getSnapshot().context.concurrency).toBe(DEFAULT_CHECK_CONCURRENCY);
      expect((await toPromise(actor)).outcome).toBe('reconciled');
      expect(checks.checked).toHaveLength(6);
    });
  });

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
        { id: 'header-exists', tier: 'plan', check: 'file-exists', passed: false, message: 'the check could not run: spawn ENOENT', durationMs: 0 },
        { id: 'in-scope', tier: 'parent', check: 'paths-within', passed: true, message: 'holds', durationMs: 5 },
      ]);
    });

    it('says what a check threw when it is not an Error', async () => {
      const machine = invariantReconcilerMachine.provide({
        actors: { runCheck: fromPromise<InvariantResult, CheckInput>(() => Promise.reject('disk full')) },
      });
      const output = await toPromise(createActor(machine, { input: reconcileInput({ invariants: INVARIANTS.slice(0, 1) }) }).start());
      expect(output.results).toEqual([{ id: 'tests-pass', tier: 'project', check: 'command', passed: false, message: 'the check could not run: disk full', durationMs: 0 }]);
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
      expect(output.results.map((result) => result.message)).toEqual(['the check could not run: killed', 'holds', 'holds']);
    });

    it('fails loudly without a provided runCheck actor: every invariant is violated, saying what is missing', async () => {
      const actor = createActor(invariantReconcilerMachine, { input: reconcileInput({ invariants: INVARIANTS.slice(0, 2) }) }).start();
      const output = await toPromise(actor);
      expect(output.outcome).toBe('violated');
      expect(output.results).toHaveLength(2);
      for (const result of output.results) {
        expect(result.passed).toBe(false);
        expect(result.message).toBe('the check could not run: invariantReconcilerMachine needs the "runCheck" actor');
      }
    });
  });

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
        output: { id: 'tests-pass', tier: 'project', check: 'command', passed: false, message: 'late duplicate', durationMs: 1 },
      } as never);
      const after = actor.getSnapshot().context;
      expect(after.results[0]).toEqual({ id: 'tests-pass', tier: 'project', check: 'command', passed: true, message: 'first answer', durationMs: 5 });
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
      actor.send({ type: 'xstate.done.actor.other', actorId: 'other', output: { passed: false, message: 'not a check', durationMs: 1 } } as never);
      expect(actor.getSnapshot().context.results).toEqual([null, null, null]);
      expect(actor.getSnapshot().context.running).toBe(1);
      expect(checks.started).toEqual(['tests-pass']);
      checks.check('tests-pass').pass('the real answer');
      await vi.waitFor(() => expect(checks.started).toHaveLength(2));
      checks.check('header-exists').pass();
      await vi.waitFor(() => expect(checks.started).toHaveLength(3));
      checks.check('in-scope').pass();
      const output = await toPromise(actor);
      expect(output.results[0]).toEqual({ id: 'tests-pass', tier: 'project', check: 'command', passed: true, message: 'the real answer', durationMs: 5 });
      expect(output.outcome).toBe('reconciled');
    });

    it('does not take an answer for a check it has not started yet', async () => {
      const checks = gated();
      const actor = createActor(checks.machine, { input: reconcileInput({ concurrency: 1 }) }).start();
      actor.send({ type: 'xstate.done.actor.check-2', actorId: 'check-2', output: { id: 'in-scope', tier: 'parent', check: 'paths-within', passed: false, message: 'early', durationMs: 1 } } as never);
      expect(actor.getSnapshot().context.results[2]).toBeNull();
      // nor for the very next one to start
      actor.send({ type: 'xstate.done.actor.check-1', actorId: 'check-1', output: { id: 'header-exists', tier: 'plan', check: 'file-exists', passed: false, message: 'early', durationMs: 1 } } as never);
      expect(actor.getSnapshot().context.results).toEqual([null, null, null]);
      // the concurrency bound still holds: only the first check runs
      expect(checks.running()).toEqual(['tests-pass']);
      actor.stop();
    });
  });

  describe('restore', () => {
    it('re-runs only the checks in flight when restored from a snapshot taken during them, and ends with every result', async () => {
      const checks = gated();
      const first = createActor(checks.machine, { input: reconcileInput({ invariants: invariants(4), concurrency: 2 }) }).start();
      checks.check('inv-0').fail('answered before the crash');
      await vi.waitFor(() => expect(checks.started).toEqual(['inv-0', 'inv-1', 'inv-2']));
      checks.check('inv-1').pass('answered before the crash');
      await vi.waitFor(() => expect(checks.started).toEqual(['inv-0', 'inv-1', 'inv-2', 'inv-3']));
      // inv-2 and inv-3 are in flight when the process "dies"
      const persisted = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
      first.stop();
      expect(persisted.context.results.map((result: InvariantResult | null) => result?.id ?? null)).toEqual(['inv-0', 'inv-1', null, null]);

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
      const first = createActor(checks.machine, { input: reconcileInput({ invariants: invariants(3), concurrency: 1 }) }).start();
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
