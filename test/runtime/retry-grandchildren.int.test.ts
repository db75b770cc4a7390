import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCallCounter } from '../helpers/call-counter.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

// A retry starts a child over from strategize (docs/reference/subplans.md): a child
// whose own child merged before the attempt failed spawns that grandchild
// again under its name, and it starts over in place (issue 44).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// the child fans out to a grandchild that writes x.txt, then fails once on a step after the merge
function nested(flaky: string) {
  return planYaml({
    name: 'demo/retry',
    automation: 'review',
    // a fresh sandbox per attempt keeps nothing: the attempts are counted by a service outside
    network: true,
    strategy: {
      steps: [
        {
          title: 'Fan out',
          subplans: {
            retries: 1,
            entries: [
              {
                goal: 'Delegate x, then check',
                resourceScopes: ['x.txt', 'ok.txt'],
                strategy: {
                  steps: [
                    {
                      title: 'Fan out again',
                      subplans: {
                        entries: [
                          {
                            goal: 'Write x',
                            resourceScopes: ['x.txt'],
                            strategy: { steps: [step('Write', 'fs/write-file', { path: 'x.txt', content: 'x\n' })] },
                          },
                        ],
                      },
                    },
                    step('Flaky', 'shell/run', { command: flaky }),
                  ],
                },
              },
            ],
          },
        },
      ],
    },
  });
}

describe('retrying a child plan that has children of its own (LevelDB)', () => {
  it('starts the grandchild over in place on the next attempt and merges it again', async () => {
    const counter = await startCallCounter();
    cleanups.push(counter.close);
    const made = await projectWithRuntime({ 'README.md': '# project\n' }, { store: 'level' });
    cleanups.push(made.close);
    const { runtime, dir } = made;
    const flaky = `${counter.call('flaky')}; [ "$calls" -gt 1 ] || exit 3; echo ok > ok.txt`;
    const plan = await runtime.run((await runtime.createPlan(nested(flaky))).id);
    expect({ phase: plan.phase, status: plan.status, error: plan.error?.message }).toEqual({
      phase: 'validate',
      status: 'complete',
      error: undefined,
    });
    expect(counter.counts()).toEqual({ flaky: 2 });

    const [child] = (await runtime.tree(plan.id)).children;
    expect(child!.subplan).toEqual({ status: 'complete', attempt: 2 });
    expect(child!.children.map((grandchild) => [grandchild.name, grandchild.status, grandchild.subplan])).toEqual([
      ['demo/retry-1-1', 'done', { status: 'complete', attempt: 1 }],
    ]);
    const grandchild = child!.children[0]!;
    // one grandchild, spawned by each attempt of the child and started over in place by the second
    const spawned = (await runtime.events(child!.id))
      .filter((event) => event.type === 'subplan.spawned')
      .map((event) => event.data.childId);
    expect(spawned).toEqual([grandchild.id, grandchild.id]);
    const journal = (await runtime.events(grandchild.id)).map((event) => event.type);
    expect(
      journal.filter((type) => type === 'plan.created' || type === 'plan.resumed' || type === 'merge.completed'),
    ).toEqual(['plan.created', 'plan.resumed']);
    expect(journal.filter((type) => type === 'step.completed')).toHaveLength(2);
    const worktree = join(dir, plan.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'x.txt'), 'utf8')).toBe('x\n');
    expect(readFileSync(join(worktree, 'ok.txt'), 'utf8')).toBe('ok\n');
    expect(existsSync(join(worktree, 'README.md'))).toBe(true);
  });
});
