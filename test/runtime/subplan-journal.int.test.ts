import { afterEach, describe, expect, it } from 'vitest';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

// issue 18, item 13: the parent's journal, read in order, tells the children
// as they ran — a child `running` only after the `complete` that freed its slot.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const writer = (name: string, dependsOn: string[] = []) => ({
  name: `demo/${name}`,
  goal: `Write ${name}`,
  resourceScopes: [`${name}.txt`],
  dependsOn,
  strategy: { steps: [step(`Write ${name}`, 'fs/write-file', { path: `${name}.txt`, content: `${name}\n` })] },
});

describe('the journal of a group of child plans', () => {
  it.each([
    ['dependency-ordered', [writer('a'), writer('b'), writer('c', ['demo/a']), writer('d')]],
    ['parallel', [writer('a'), writer('b'), writer('c')]],
  ])('never shows more children running than maxParallel, read in order (%s)', async (mode, entries) => {
    const made = await projectWithRuntime();
    cleanups.push(made.close);
    const { runtime } = made;
    const plan = await runtime.createPlan(
      planYaml({
        name: 'demo/fan',
        strategy: { steps: [{ title: 'Fan out', subplans: { mode, maxParallel: 1, entries } }] },
      }),
    );
    expect(await runtime.run(plan.id, { until: 'execute' })).toMatchObject({ phase: 'execute', status: 'complete' });
    const statuses = new Map<string, string>();
    const lines: string[] = [];
    for (const event of await runtime.events(plan.id)) {
      if (event.type !== 'subplan.spawned' && event.type !== 'subplan.status') continue;
      statuses.set(String(event.data.childId), String(event.data.status));
      lines.push(`${event.type} ${String(event.data.name)} ${String(event.data.status)}`);
      const running = [...statuses.values()].filter((status) => status === 'running' || status === 'retrying').length;
      expect(running, lines.join('\n')).toBeLessThanOrEqual(1);
    }
    // every child was started, and journaled once as running and once as complete
    expect(lines.filter((line) => line.startsWith('subplan.spawned'))).toHaveLength(entries.length);
    expect(lines.filter((line) => line.endsWith(' complete'))).toHaveLength(entries.length);
  });
});
