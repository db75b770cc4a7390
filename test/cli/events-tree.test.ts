import { afterEach, describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

interface Line {
  seq: number;
  ts: string;
  planId: string;
  plan: string;
  type: string;
  data: Record<string, unknown>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// a plan that fans out to two children, one of which fans out again: three generations
function familyPlan(): string {
  const write = (name: string) => step('Write', 'fs/write-file', { path: `${name}.txt`, content: `${name}\n` });
  const grandchild = { goal: 'Write z', resourceScopes: ['z.txt'], strategy: { steps: [write('z')] } };
  const entries = [
    { goal: 'Write x', resourceScopes: ['x.txt'], strategy: { steps: [write('x')] } },
    {
      goal: 'Write y and z',
      resourceScopes: ['y.txt', 'z.txt'],
      strategy: {
        steps: [write('y'), { title: 'Fan out again', subplans: { mode: 'parallel', entries: [grandchild] } }],
      },
    },
  ];
  return planYaml({
    name: 'demo/family',
    automation: 'auto',
    strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', maxParallel: 2, entries } }] },
  });
}

function parse(stdout: string): Line[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
}

// each plan's events once, in seq order, from 1
function expectWholeJournals(lines: Line[]): void {
  for (const planId of new Set(lines.map((line) => line.planId))) {
    const seqs = lines.filter((line) => line.planId === planId).map((line) => line.seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
  }
}

describe('troupe events --tree', () => {
  it('interleaves a plan’s and its descendants’ events in time order, each naming its plan', async () => {
    const repo = await tempRepo({ 'README.md': '# tree\n' });
    cleanups.push(repo.cleanup);
    const session = await openRuntime({ dir: repo.dir, resume: false, report: () => {} });
    const plan = await session.runtime.createPlan(familyPlan());
    expect(await session.runtime.run(plan.id)).toMatchObject({ status: 'done' });
    await session.close();

    const result = await runCli(repo.dir, ['events', 'demo/family', '--tree']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = parse(result.stdout);
    expect(new Set(lines.map((line) => line.plan))).toEqual(
      new Set(['demo/family', 'demo/family-1', 'demo/family-2', 'demo/family-2-1']),
    );
    expect(Object.keys(lines[0]!).slice(0, 5)).toEqual(['seq', 'ts', 'planId', 'plan', 'type']);
    expect(lines[0]).toMatchObject({ plan: 'demo/family', seq: 1, type: 'plan.created' });
    expect(lines.map((line) => line.ts)).toEqual(lines.map((line) => line.ts).sort());
    expectWholeJournals(lines);
    // ties keep the parent before its children
    const created = lines.filter((line) => line.type === 'plan.created').map((line) => line.plan);
    expect(created.indexOf('demo/family-2')).toBeLessThan(created.indexOf('demo/family-2-1'));
    expect(lines.at(-1)).toMatchObject({ plan: 'demo/family', type: 'phase.completed' });

    // without --tree: the plan's own journal, as before
    const own = parse((await runCli(repo.dir, ['events', 'demo/family'])).stdout);
    expect(own.every((line) => line.plan === undefined && line.planId === plan.id)).toBe(true);
    expect(own).toHaveLength(lines.filter((line) => line.planId === plan.id).length);
  });

  it('follows the whole tree, children spawned later included, until the root ends', async () => {
    const repo = await tempRepo({ 'README.md': '# tree\n' });
    cleanups.push(repo.cleanup);
    const host = await openRuntime({ dir: repo.dir, resume: false, report: () => {} });
    cleanups.push(() => host.close());
    const plan = await host.runtime.createPlan(familyPlan());
    const following = runCli(repo.dir, ['events', 'demo/family', '--tree', '--follow']);
    // the follower is listening before any child exists
    await expect.poll(async () => (await host.runtime.events(plan.id)).length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await host.runtime.run(plan.id)).toMatchObject({ status: 'done' });

    const result = await following;
    expect(result.code, result.stderr).toBe(0);
    const lines = parse(result.stdout);
    expect(new Set(lines.map((line) => line.plan))).toEqual(
      new Set(['demo/family', 'demo/family-1', 'demo/family-2', 'demo/family-2-1']),
    );
    expectWholeJournals(lines);
    const stored = await Promise.all(
      (await host.runtime.listPlans({ all: true })).map((record) => host.runtime.events(record.id)),
    );
    expect(lines).toHaveLength(stored.flat().length);
    expect(lines.at(-1)).toMatchObject({ plan: 'demo/family', type: 'phase.completed', phase: 'apply' });
  });
});
