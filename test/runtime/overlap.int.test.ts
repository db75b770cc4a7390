import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Decision, DecisionNode, JournalEvent, PlanRecord } from '../../src/domain/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

// Overlapping children end to end (issue 38): the overlap decision at
// strategize, serialize making the later child wait for the earlier one's
// merge, and conflicts predicted between children while they still run.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(files?: Record<string, string>) {
  const made = await projectWithRuntime(files);
  cleanups.push(made.close);
  return made;
}

const child = (name: string, scopes: string[], steps: unknown[]) => ({
  name: `demo/${name}`,
  goal: `Change ${name}`,
  resourceScopes: scopes,
  strategy: { steps },
});
const writeA = (content: string) => step('Write a', 'fs/write-file', { path: 'src/a.ts', content });
const docs = child('docs', ['docs/**'], [step('Write docs', 'fs/write-file', { path: 'docs/c.md', content: '# c\n' })]);

function group(entries: unknown[], settings: Record<string, unknown>, automation = 'review') {
  return planYaml({
    name: 'demo/fan',
    automation,
    strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', maxParallel: 3, entries, ...settings } }] },
  });
}

function decisionsOf(node: DecisionNode | null): Decision[] {
  return node ? [node, ...node.children.flatMap(decisionsOf)] : [];
}

const kids = async (runtime: LocalRuntime, parent: PlanRecord) =>
  (await runtime.listPlans({ all: true })).filter((plan) => plan.parentId === parent.id);
const typed = (events: JournalEvent[], type: string) => events.filter((event) => event.type === type);

describe('overlapping children', () => {
  it('warn: records the overlap at strategize, then predicts the conflict while both children still run', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(
      group(
        [
          child('core', ['src/**'], [writeA('export const a = 2;\n')]),
          child('api', ['src/a.ts'], [writeA('export const a = 3;\n')]),
          docs,
        ],
        { overlap: 'warn' },
        'manual',
      ),
    );
    await runtime.run(plan.id);
    const overlap = decisionsOf((await runtime.explain(plan.id)).root).find((decision) => decision.type === 'overlap')!;
    expect(overlap.payload).toEqual({
      policy: 'warn',
      pairs: [
        {
          entries: ['demo/core', 'demo/api'],
          patterns: ['src/**', 'src/a.ts'],
          example: 'src/a.ts',
          files: ['src/a.ts'],
          fileCount: 1,
        },
      ],
      edges: [],
      pairCount: 1,
      edgeCount: 0,
    });
    expect(overlap.title).toBe('demo/core and demo/api may write the same files: they run side by side');
    expect(typed(await runtime.events(plan.id), 'overlap.detected')).toMatchObject([
      { phase: 'strategize', data: { step: 0, policy: 'warn' } },
    ]);

    // manual children: each is driven through execute by hand, so both have step commits and neither validated
    const parentRun = runtime.run(plan.id);
    await expect.poll(async () => (await kids(runtime, plan)).length, { timeout: 10_000 }).toBe(3);
    for (const kid of await kids(runtime, plan)) {
      await runtime.runPhase(kid.id, 'strategize');
      await runtime.runPhase(kid.id, 'execute');
    }
    await runtime.forecast!.idle();
    const [core, api] = [
      (await kids(runtime, plan)).find((kid) => kid.name === 'demo/core')!,
      (await kids(runtime, plan)).find((kid) => kid.name === 'demo/api')!,
    ];
    await expect
      .poll(async () => (await runtime.getPlan(plan.id)).predictedConflicts)
      .toEqual([
        {
          step: 0,
          children: [core.id, api.id],
          names: ['demo/core', 'demo/api'],
          files: ['src/a.ts'],
          kinds: ['content'],
        },
      ]);
    expect(typed(await runtime.events(plan.id), 'conflict.predicted').map((event) => event.data)).toEqual([
      {
        step: 0,
        children: [
          { childId: core.id, name: 'demo/core' },
          { childId: api.id, name: 'demo/api' },
        ],
        files: ['src/a.ts'],
        kinds: ['content'],
      },
    ]);
    // the docs child touches other files: it was never merged with anyone ahead of time
    expect(runtime.forecast!.counts()).toMatchObject({ pairs: 1, files: 1 });

    for (const kid of await kids(runtime, plan)) await runtime.runPhase(kid.id, 'validate');
    // as predicted: the second one's merge conflicts
    await expect(parentRun).resolves.toMatchObject({ phase: 'execute', status: 'waiting' });
    expect(typed(await runtime.events(plan.id), 'conflict.predicted')).toHaveLength(1);
  });

  it('serialize: the overlapping child waits for the earlier one to merge and starts from it; the others run alongside', async () => {
    const { dir, runtime } = await project();
    const edit = step('Edit a', 'fs/edit-file', { path: 'src/a.ts', edits: [{ oldText: 'a = 2', newText: 'a = 3' }] });
    const plan = await runtime.createPlan(
      group([child('core', ['src/**'], [writeA('export const a = 2;\n')]), child('api', ['src/a.ts'], [edit]), docs], {
        overlap: 'serialize',
      }),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ phase: 'execute', status: 'complete', predictedConflicts: [] });
    // the edit found "a = 2": it started from the merged result of demo/core
    expect(readFileSync(join(dir, record.sandbox!.worktree, 'src/a.ts'), 'utf8')).toBe('export const a = 3;\n');
    const byName = new Map((await kids(runtime, plan)).map((kid) => [kid.name, kid]));
    expect(byName.get('demo/api')!.sandbox!.baseCommit).toBe(byName.get('demo/core')!.appliedCommit);

    const overlap = decisionsOf((await runtime.explain(plan.id)).root).find((decision) => decision.type === 'overlap')!;
    expect(overlap.payload).toMatchObject({ policy: 'serialize', edges: [{ from: 'demo/core', to: 'demo/api' }] });
    expect(overlap.rationale).toContain('demo/api waits until demo/core is merged');
    const events = await runtime.events(plan.id);
    const at = (type: string, name: string) =>
      events.findIndex((event) => event.type === type && event.data.name === name);
    expect(at('subplan.spawned', 'demo/api')).toBeGreaterThan(at('merge.completed', 'demo/core'));
    expect(at('subplan.spawned', 'demo/docs')).toBeLessThan(at('merge.completed', 'demo/core'));
  });

  it('subplan_spawn with overlap: serialize starts the overlapping child once the first merged, from its result', async () => {
    const { runtime } = await project({ 'README.md': '# project\n', 'shared.txt': 'one\n' });
    const parent = await runtime.createPlan(planYaml({ name: 'demo/agent', resourceScopes: ['shared.txt'] }));
    await runtime.run(parent.id);
    const spawned = await runtime.spawnSubplans(parent.id, {
      children: [
        { name: 'demo/first', goal: 'First' },
        { name: 'demo/second', goal: 'Second' },
      ],
      overlap: 'serialize',
    });
    expect(spawned.children.map((kid) => [kid.name, kid.status])).toEqual([
      ['demo/first', 'running'],
      ['demo/second', 'pending'],
    ]);
    expect(spawned.overlap).toMatchObject({ policy: 'serialize', edges: [{ from: 'demo/first', to: 'demo/second' }] });
    const [first, second] = spawned.children;
    await runtime.callTool(first!.id, {
      tool: 'fs/write-file',
      input: { path: 'shared.txt', content: 'one\nfirst\n' },
    });
    await runtime.finish(first!.id);
    await expect
      .poll(async () => (await runtime.getPlan(second!.id).catch(() => null))?.phase, { timeout: 15_000 })
      .toBe('execute');
    expect((await runtime.getPlan(second!.id)).sandbox!.baseCommit).toBe(
      (await runtime.getPlan(first!.id)).appliedCommit,
    );
    expect(await runtime.callTool(second!.id, { tool: 'fs/read-file', input: { path: 'shared.txt' } })).toMatchObject({
      output: { content: 'one\nfirst\n' },
    });
  });

  it('serialize: waits that would go round with dependsOn fail strategize naming the entries', async () => {
    const { runtime } = await project();
    const first = { ...child('core', ['src/**'], [writeA('x\n')]), dependsOn: ['demo/api'] };
    const plan = await runtime.createPlan(
      group([first, child('api', ['src/a.ts'], [writeA('y\n')])], { mode: 'dependency-ordered', overlap: 'serialize' }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'strategize', status: 'failed', error: { code: 'VALIDATION_ERROR' } });
    expect(record.error!.message).toContain(
      'steps[0].subplans.overlap: serialize would make a cycle with dependsOn: demo/core → demo/api → demo/core',
    );
    expect(await kids(runtime, plan)).toEqual([]);
  });

  it('allow, and children that touch separate files: no decision, no event, no merge ahead of time', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(
      group([child('core', ['src/**'], [writeA('export const a = 2;\n')]), docs], {}),
    );
    expect(await runtime.run(plan.id, { until: 'execute' })).toMatchObject({ status: 'complete' });
    expect(runtime.forecast!.counts()).toMatchObject({ pairs: 0, files: 0 });
    expect(runtime.forecast!.counts().moves).toBeGreaterThanOrEqual(2);

    const allowed = await runtime.createPlan(
      group(
        [
          child('one', ['src/**'], [step('One', 'fs/write-file', { path: 'src/one.ts', content: '1\n' })]),
          child('two', ['src/**'], [step('Two', 'fs/write-file', { path: 'src/two.ts', content: '2\n' })]),
        ],
        { overlap: 'allow' },
      ).replace('demo/fan', 'demo/allowed'),
    );
    expect(await runtime.run(allowed.id, { until: 'execute' })).toMatchObject({ status: 'complete' });
    expect(decisionsOf((await runtime.explain(allowed.id)).root).some((decision) => decision.type === 'overlap')).toBe(
      false,
    );
    expect(typed(await runtime.events(allowed.id), 'overlap.detected')).toEqual([]);
  });

  it('a group that names no policy takes the project’s default from .troupe/config.json', async () => {
    const repo = await project();
    writeFileSync(join(repo.dir, '.troupe', 'config.json'), JSON.stringify({ overlap: 'serialize' }));
    await repo.runtime.close();
    const { createRuntime } = await import('../../src/runtime/index.js');
    const runtime = await createRuntime({ dir: repo.dir, report: () => {} });
    cleanups.push(() => runtime.close());
    const plan = await runtime.createPlan(
      group(
        [
          child('one', ['src/**'], [step('One', 'fs/write-file', { path: 'src/one.ts', content: '1\n' })]),
          child('two', ['src/a.ts'], [writeA('2\n')]),
        ],
        {},
      ),
    );
    await runtime.run(plan.id, { until: 'strategize' });
    const overlap = decisionsOf((await runtime.explain(plan.id)).root).find((decision) => decision.type === 'overlap')!;
    expect(overlap.payload).toMatchObject({ policy: 'serialize', edges: [{ from: 'demo/one', to: 'demo/two' }] });
  });
});
