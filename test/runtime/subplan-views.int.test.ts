import { describe, expect, it } from 'vitest';
import type { Strategist, StrategistInput } from '../../actors/index.js';
import { planYaml, step } from './fixtures.js';
import { project } from './runtime-fixture.js';
import { group, writer } from './subplans-fixture.js';

// What a child plan sees of its parent (the group's contextView and what it
// inherits), and what the tree shows of a plan and its children.

describe('what a child plan is given', () => {
  it("its own goal, the parent view its group allows, the parent's automation, environment and invariants", async () => {
    const seen = new Map<string, StrategistInput>();
    const strategist: Strategist = {
      name: 'recording',
      async strategize(input) {
        seen.set(input.plan.name, input);
        return { steps: input.spec.strategy?.steps ?? [] };
      },
    };
    const { runtime } = await project(
      { 'README.md': '# project\n', 'src/a.ts': 'a\n', 'docs/b.md': 'b\n' },
      { actors: { strategist } },
    );
    const entry = (name: string, scope: string) => ({
      name,
      goal: `Goal of ${name}`,
      definitionOfDone: `${name} is done`,
      resourceScopes: [scope],
      strategy: { steps: [step('Check env', 'shell/run', { command: `test "$GREETING" = hello` })] },
    });
    const plan = await runtime.createPlan(
      planYaml({
        name: 'demo/views',
        env: { GREETING: 'hello' },
        invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }],
        strategy: {
          steps: [
            { title: 'Full', subplans: { contextView: 'full', entries: [entry('demo/full', 'src/**')] } },
            { title: 'Skeleton', subplans: { contextView: 'skeleton', entries: [entry('demo/skeleton', 'src/**')] } },
            { title: 'None', subplans: { contextView: 'none', entries: [entry('demo/none', 'src/**')] } },
          ],
        },
      }),
    );
    expect(await runtime.run(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });

    const full = seen.get('demo/full')!;
    expect(full.plan).toMatchObject({ goal: 'Goal of demo/full', parentId: plan.id, automation: 'review' });
    expect(full.spec).toMatchObject({ definitionOfDone: 'demo/full is done', env: { GREETING: 'hello' } });
    expect(full.parent).toMatchObject({
      view: 'full',
      name: 'demo/views',
      goal: 'Change the project',
      files: ['README.md', 'docs/b.md', 'src/a.ts'],
    });
    expect(full.parent!.decisions.some((decision) => decision.type === 'subplan_spawn' && decision.payload)).toBe(true);
    expect(seen.get('demo/skeleton')!.parent).toMatchObject({ view: 'skeleton', files: ['src/a.ts'] });
    expect(seen.get('demo/skeleton')!.parent!.decisions.every((decision) => decision.payload === undefined)).toBe(true);
    expect(seen.get('demo/none')!.parent).toBeUndefined();
    // the parent's invariants are checked in the child, as the parent tier
    expect(full.invariants).toEqual([expect.objectContaining({ id: 'readme', tier: 'parent' })]);
  });

  it('shows the plan and its children in the tree, with their status and attempt as the parent sees them', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(group([writer('a.txt', 'a\n'), writer('b.txt', 'b\n')]));
    await runtime.run(plan.id);
    const tree = await runtime.tree(plan.id);
    expect(tree).toMatchObject({ id: plan.id, name: 'demo/fan', phase: 'validate', status: 'complete', subplan: null });
    expect(tree.children.map((child) => [child.name, child.phase, child.status, child.subplan])).toEqual([
      ['demo/fan-1', 'apply', 'done', { status: 'complete', attempt: 1 }],
      ['demo/fan-2', 'apply', 'done', { status: 'complete', attempt: 1 }],
    ]);
    await expect(runtime.tree('demo/nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
