import { describe, expect, it } from 'vitest';
import type { Reconciler } from '../../actors/index.js';
import { planYaml, step } from './fixtures.js';
import { flatten, project, reconciledEvents } from './invariants-fixture.js';

describe('a custom reconciler', () => {
  // checks the cheap invariants after each step and all of them elsewhere
  function thrifty(seen: string[]): Reconciler {
    return {
      name: 'thrifty',
      async reconcile({ trigger, invariants }, { runCheck }) {
        seen.push(trigger);
        const chosen =
          trigger === 'post-step' ? invariants.filter((invariant) => invariant.check !== 'command') : invariants;
        return Promise.all(chosen.map(runCheck));
      },
    };
  }
  const PLAN = planYaml({
    invariants: [
      { id: 'readme-present', check: 'command', run: 'test -f README.md' },
      { id: 'source', check: 'file-exists', path: 'src/a.ts' },
    ],
    strategy: { steps: [step('b', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' })] },
  });

  it('given to createRuntime is used, and named as the actor of its decisions', async () => {
    const seen: string[] = [];
    const { runtime } = await project({ actors: { reconciler: thrifty(seen) } });
    const plan = await runtime.createPlan(PLAN);
    expect(await runtime.run(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(seen).toEqual(['post-strategize', 'post-step', 'post-validate']);
    expect(
      reconciledEvents(await runtime.events(plan.id)).map(({ trigger, results }) => [
        trigger,
        results.map((result) => result.id),
      ]),
    ).toEqual([
      ['post-strategize', ['readme-present', 'source']],
      ['post-step', ['source']],
      ['post-validate', ['readme-present', 'source']],
    ]);
    const reconciliations = flatten((await runtime.explain(plan.id)).root).filter(
      (decision) => decision.type === 'reconciliation',
    );
    expect(reconciliations.map((decision) => decision.actor)).toEqual(['thrifty', 'thrifty', 'thrifty']);
  });

  it('can be chosen by name in .troupe/config.json', async () => {
    const seen: string[] = [];
    const { runtime } = await project({
      store: 'memory',
      config: { actors: { reconciler: 'thrifty' } },
      actors: { reconcilers: [thrifty(seen)] },
    });
    const plan = await runtime.createPlan(PLAN);
    await runtime.run(plan.id, { until: 'strategize' });
    expect(seen).toEqual(['post-strategize']);
    expect(
      flatten((await runtime.explain(plan.id)).root).find((decision) => decision.type === 'reconciliation')!.actor,
    ).toBe('thrifty');
  });

  it('that answers something other than results fails the phase; never a pass', async () => {
    const broken: Reconciler = { name: 'broken', reconcile: async () => [{ id: 'source', passed: true }] as never };
    const { runtime } = await project({ store: 'memory', actors: { reconciler: broken } });
    const plan = await runtime.createPlan(PLAN);
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'strategize', status: 'failed' });
    expect(record.error).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: expect.stringContaining('reconciler "broken"'),
    });
  });
});
