// A plan taken over by another process (a worker taking a child) has its
// journal seq asked for as it is restored — while its sandbox is still being
// checked out — so its first transition waits for no round trip to the store.
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
  it('asks its journal seq while its sandbox is still being taken, not at its first transition', async () => {
    const repo = await tempRepo({ 'README.md': '# taken\n' });
    cleanups.push(repo.cleanup);
    const first = await createRuntime({ dir: repo.dir, report: () => {} });
    const plan = await first.createPlan(planYaml({ name: 'demo/taken', strategy: { steps: [step('Write', 'fs/write-file', { path: 'a.txt', content: 'a\n' })] } }));
    await first.close();

    // the project's LevelDB store, counting the journal seq reads
    const { store, calls: reads } = countingCalls(new LevelStore({ path: defaultStorePath(repo.dir) }), 'lastEventSeq');
    const runtime = await createRuntime({ dir: repo.dir, store, resume: false, report: () => {} });
    cleanups.push(() => runtime.close());
    const known = await runtime.getPlan(plan.id);
    const before = reads();
    let taken!: () => void;
    const sandbox = new Promise<void>((resolve) => (taken = resolve));
    const job = runtime.runChildJob(plan.id, 1, new AbortController().signal, { known, ready: sandbox });
    // the sandbox is not there yet: the plan is restored meanwhile, and its seq asked for
    await until(() => reads() === before + 1, 10_000, () => `the journal seq was read ${reads() - before} times while the sandbox was taken`);
    taken();
    // (a root plan is no child of attempt 1: the job ends at once; PlanPersistence's tests show the first write takes the read)
    expect(await job).toMatchObject({ ok: false, cancelled: true });
  }, 30_000);
});
