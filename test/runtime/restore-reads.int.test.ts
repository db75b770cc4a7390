// A plan taken over by another process (a worker taking a child) has what
// its first transitions read — its journal and log seqs, its record, its
// plan file — asked for as it is restored, while its sandbox is still being
// checked out, so neither its actors nor its writes wait a round trip each.
// Real LevelDB and git; the store only counts what it is asked.
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { defaultStorePath, LevelStore } from '../../src/store/index.js';
import { countingCalls } from '../helpers/counting-store.js';
import { tempRepo } from '../helpers/temp.js';
import { until } from '../helpers/scale-out.js';
import { planYaml, step } from './fixtures.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a plan taken over by another process', () => {
  it('asks its journal and log seqs, its record and its plan file while its sandbox is still being taken, not at its first transitions', async () => {
    const repo = await tempRepo({ 'README.md': '# taken\n' });
    cleanups.push(repo.cleanup);
    const first = await createRuntime({ dir: repo.dir, report: () => {} });
    const plan = await first.createPlan(
      planYaml({
        name: 'demo/taken',
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'a.txt', content: 'a\n' })] },
      }),
    );
    await first.close();

    // the project's LevelDB store, counting the reads a plan's first transitions make
    const asked = ['lastEventSeq', 'lastLogSeq', 'getPlan', 'getSpec'] as const;
    const { store, calls: reads } = countingCalls(new LevelStore({ path: defaultStorePath(repo.dir) }), asked);
    const runtime = await createRuntime({ dir: repo.dir, store, resume: false, report: () => {} });
    cleanups.push(() => runtime.close());
    const known = await runtime.getPlan(plan.id);
    const before = asked.map((method) => reads(method));
    let taken!: () => void;
    const sandbox = new Promise<void>((resolve) => (taken = resolve));
    const job = runtime.runChildJob(plan.id, 1, new AbortController().signal, { known, ready: sandbox });
    // the sandbox is not there yet: the plan is restored meanwhile, and each of these asked for once
    const made = () => asked.map((method, index) => `${method} ${reads(method) - before[index]!}`).join(', ');
    await until(
      () => asked.every((method, index) => reads(method) === before[index]! + 1),
      10_000,
      () => `while the sandbox was taken the store was asked: ${made()}`,
    );
    taken();
    // (a root plan is no child of attempt 1: the job ends at once; PlanPersistence's tests show the first write takes the read)
    expect(await job).toMatchObject({ ok: false, cancelled: true });
  }, 30_000);

  it('reads no more ahead for a plan whose validate ended: its merge or apply comes next, not its own work', async () => {
    const repo = await tempRepo({ 'README.md': '# validated\n' });
    cleanups.push(repo.cleanup);
    const first = await createRuntime({ dir: repo.dir, report: () => {} });
    const plan = await first.createPlan(
      planYaml({
        name: 'demo/validated',
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'a.txt', content: 'a\n' })] },
      }),
    );
    expect(await first.run(plan.id, { until: 'validate' })).toMatchObject({ phase: 'validate', status: 'complete' });
    await first.close();

    const asked = ['lastEventSeq', 'lastLogSeq', 'getSpec'] as const;
    const { store, calls: reads } = countingCalls(new LevelStore({ path: defaultStorePath(repo.dir) }), asked);
    const runtime = await createRuntime({ dir: repo.dir, store, resume: false, report: () => {} });
    cleanups.push(() => runtime.close());
    const known = await runtime.getPlan(plan.id);
    expect(
      await runtime.runChildJob(plan.id, 1, new AbortController().signal, { known, ready: Promise.resolve() }),
    ).toMatchObject({ ok: false, cancelled: true });
    // restored (its journal seq asked for its next write), and nothing else read ahead
    expect(asked.map((method) => [method, reads(method)])).toEqual([
      ['lastEventSeq', 1],
      ['lastLogSeq', 0],
      ['getSpec', 0],
    ]);
  }, 30_000);
});
