import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore, defaultStorePath } from '../../src/store/index.js';
import { rejection } from '../helpers/rejection.js';
import { planYaml, step } from './fixtures.js';
import { cleanups, flatten, project, projectDir, reconciledEvents, runtimeOn } from './invariants-fixture.js';

describe('the project tier', () => {
  it('adds .troupe/config.json’s invariants, first, with tier project', async () => {
    const { runtime } = await project({
      config: { invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }] },
    });
    const plan = await runtime.createPlan(
      planYaml({
        invariants: [{ id: 'source', check: 'file-exists', path: 'src/a.ts' }],
        strategy: { steps: [step('w', 'fs/write-file', { path: 'b', content: '' })] },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const reconciled = reconciledEvents(await runtime.events(plan.id));
    expect(reconciled).toHaveLength(3);
    for (const { results } of reconciled)
      expect(results.map((result) => [result.id, result.tier, result.passed])).toEqual([
        ['readme', 'project', true],
        ['source', 'plan', true],
      ]);
    const enforcement = flatten((await runtime.explain(plan.id)).root).filter(
      (decision) => decision.type === 'invariant_enforcement',
    );
    expect(enforcement.map((decision) => [decision.payload.invariantId, decision.payload.tier])).toEqual([
      ['readme', 'project'],
      ['source', 'plan'],
    ]);
  });

  it('checks a plan with no invariants of its own', async () => {
    const { runtime } = await project({
      store: 'memory',
      config: { invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }] },
    });
    const plan = await runtime.createPlan(
      planYaml({ strategy: { steps: [step('Drop the readme', 'shell/run', { command: 'rm README.md' })] } }),
    );
    const record = await runtime.run(plan.id);
    expect(record.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      details: { violations: [{ id: 'readme', tier: 'project', message: 'README.md does not exist' }] },
    });
  });

  it('refuses a config invariant of a check nobody registered, naming the field, and leaves the store usable', async () => {
    for (const check of ['nope', 'acme/nope']) {
      const dir = await projectDir({ invariants: [{ id: 'x', check }] });
      const error = await rejection(createRuntime({ dir, report: () => {} }));
      expect(error.code, check).toBe('VALIDATION_ERROR');
      expect(error.message, check).toContain('invariants[0].check');
      expect(error.message, check).toContain('.troupe/config.json');
      // nothing was left open: fixing the config is enough
      writeFileSync(join(dir, '.troupe', 'config.json'), JSON.stringify({ invariants: [] }));
      const runtime = await runtimeOn(dir);
      expect(await runtime.listPlans()).toEqual([]);
    }
  });

  it('refuses a .troupe/config.json it cannot read as a file with VALIDATION_ERROR naming it', async () => {
    const dir = await projectDir({});
    rmSync(join(dir, '.troupe', 'config.json'));
    mkdirSync(join(dir, '.troupe', 'config.json'));
    const error = await rejection(createRuntime({ dir, report: () => {} }));
    expect(error).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: '.troupe/config.json: cannot be read (EISDIR)',
      hint: 'make .troupe/config.json a readable JSON file, or remove it',
    });
  });

  it('refuses an unknown reconciler in the config, naming actors.reconciler', async () => {
    const dir = await projectDir({ actors: { reconciler: 'nope' } });
    const error = await rejection(createRuntime({ dir, report: () => {} }));
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('actors.reconciler') });
    expect(error.message).toContain('unknown reconciler "nope" (registered: default)');
  });
});

describe('the parent tier', () => {
  it('gives a child its parent’s plan invariants with tier parent (and the project tier once)', async () => {
    const dir = await projectDir({ invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }] });
    const first = await createRuntime({ dir, report: () => {} });
    const parent = await first.createPlan(
      planYaml({ name: 'demo/parent', invariants: [{ id: 'no-secrets', check: 'file-absent', path: 'secrets.txt' }] }),
    );
    const child = await first.createPlan(
      planYaml({
        name: 'demo/parent-child',
        invariants: [{ id: 'source', check: 'file-exists', path: 'src/a.ts' }],
        strategy: { steps: [step('Leak', 'fs/write-file', { path: 'secrets.txt', content: 'hunter2\n' })] },
      }),
    );
    await first.close();
    // the child record as a subplan supervisor would write it: its parent is demo/parent
    const store = new LevelStore({ path: defaultStorePath(dir) });
    await store.open();
    const record = (await store.getPlan(child.id))!;
    await store.commit({ planId: child.id, record: { ...record, parentId: parent.id, rootId: parent.id } });
    await store.close();

    const runtime = await runtimeOn(dir);
    expect((await runtime.getPlan(child.id)).parentId).toBe(parent.id);
    const failed = await runtime.run(child.id);
    const reconciled = reconciledEvents(await runtime.events(child.id));
    expect(reconciled[0]!.results.map((result) => [result.id, result.tier, result.passed])).toEqual([
      ['readme', 'project', true],
      ['source', 'plan', true],
      ['no-secrets', 'parent', true],
    ]);
    expect(failed).toMatchObject({ phase: 'execute', status: 'failed' });
    expect(failed.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      message: 'invariant "no-secrets" (parent) does not hold after step 1: secrets.txt exists',
      details: {
        violations: [{ id: 'no-secrets', tier: 'parent', check: 'file-absent', message: 'secrets.txt exists' }],
      },
    });
    const enforcement = flatten((await runtime.explain(child.id)).root).filter(
      (decision) => decision.type === 'invariant_enforcement',
    );
    expect(enforcement.map((decision) => [decision.payload.invariantId, decision.payload.tier])).toEqual([
      ['readme', 'project'],
      ['source', 'plan'],
      ['no-secrets', 'parent'],
    ]);

    // the parent checks the same invariant as its own plan tier
    await runtime.run(parent.id, { until: 'strategize' });
    expect(
      reconciledEvents(await runtime.events(parent.id))[0]!.results.map((result) => [result.id, result.tier]),
    ).toEqual([
      ['readme', 'project'],
      ['no-secrets', 'plan'],
    ]);
  });

  it('gives a grandchild what its parent and its root check, without reading the root’s record (the root has no parent)', async () => {
    const dir = await projectDir({ invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }] });
    const first = await createRuntime({ dir, report: () => {} });
    const root = await first.createPlan(
      planYaml({ name: 'demo/root', invariants: [{ id: 'no-secrets', check: 'file-absent', path: 'secrets.txt' }] }),
    );
    const middle = await first.createPlan(
      planYaml({ name: 'demo/root-middle', invariants: [{ id: 'source', check: 'file-exists', path: 'src/a.ts' }] }),
    );
    const leaf = await first.createPlan(
      planYaml({
        name: 'demo/root-middle-leaf',
        invariants: [{ id: 'leaf-readme', check: 'file-exists', path: 'README.md' }],
      }),
    );
    await first.close();
    // the records as subplan supervisors would write them: root → middle → leaf
    const store = new LevelStore({ path: defaultStorePath(dir) });
    await store.open();
    for (const [id, parentId] of [
      [middle.id, root.id],
      [leaf.id, middle.id],
    ] as const) {
      await store.commit({ planId: id, record: { ...(await store.getPlan(id))!, parentId, rootId: root.id } });
    }
    // the same store, its plan reads counted by plan
    const reads = new Map<string, number>();
    const getPlan = store.getPlan.bind(store);
    store.getPlan = async (planId) => {
      reads.set(planId, (reads.get(planId) ?? 0) + 1);
      return getPlan(planId);
    };
    const runtime = await runtimeOn(dir, { store, resume: false });
    cleanups.push(() => store.close());

    const record = await runtime.run(leaf.id, { until: 'strategize' });
    expect(record).toMatchObject({ phase: 'strategize', status: 'complete' });
    expect(
      reconciledEvents(await runtime.events(leaf.id))[0]!.results.map((result) => [
        result.id,
        result.tier,
        result.passed,
      ]),
    ).toEqual([
      ['readme', 'project', true],
      ['leaf-readme', 'plan', true],
      ['source', 'parent', true],
      ['no-secrets', 'parent', true],
    ]);
    // the middle plan's record says who its parent is; the root's would only say it has none
    expect(reads.get(middle.id)).toBeGreaterThan(0);
    expect(reads.get(root.id) ?? 0).toBe(0);
  });
});
