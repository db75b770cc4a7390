import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { planLifecycleMachine } from '../../machines/index.js';
import { TroupeError } from '../../src/domain/index.js';
import { context, INPUT, scriptedActors } from './plan-lifecycle-fixtures.js';

// A restored snapshot that breaks what the machine relies on stops it with
// an INTERNAL_ERROR naming the plan, rather than handing an actor a sandbox
// that is not there.

describe('planLifecycleMachine: a snapshot without what it needs', () => {
  it('a plan restored in execute without a sandbox runs no step: INTERNAL_ERROR names the plan', async () => {
    const { actors, calls } = scriptedActors({ steps: 1 });
    const machine = planLifecycleMachine.provide({ actors });
    const snapshot = machine.resolveState({
      value: { execute: 'queued' } as never,
      context: context({ phase: 'execute', stepCount: 1, sandbox: null }),
    });
    const actor = createActor(machine, { input: INPUT, snapshot });
    const stopped = new Promise<unknown>((resolve) => actor.subscribe({ error: resolve }));
    actor.start();
    actor.send({ type: 'plan.execute' });
    const error = await stopped;
    expect(error).toBeInstanceOf(TroupeError);
    expect(error).toMatchObject({ code: 'INTERNAL_ERROR', message: 'plan demo/x has no sandbox' });
    expect(actor.getSnapshot().status).toBe('error');
    expect(calls.executed).toEqual([]);
  });
});
