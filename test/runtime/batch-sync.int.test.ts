import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore } from '../../src/store/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';

// What reaches LevelDB, and with which `sync`: a real LevelStore whose
// database's own write calls (`_batch`, `_del`, where every write ends) are
// watched — a step checkpoint goes unsynced, a phase boundary, a manual
// checkpoint and a plan at rest synced, and a close flushes what was left.

interface Write {
  sync: boolean;
  keys: string[];
  /** Journal event types and checkpoint triggers the write holds. */
  events: string[];
  checkpoints: string[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Operation = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };
type Database = {
  _batch(operations: Operation[], options: { sync?: boolean }): Promise<void>;
  _del(key: string, options: { sync?: boolean }): Promise<void>;
};

/** A runtime on a LevelStore whose database's writes are recorded as they reach LevelDB. */
async function watchedRuntime() {
  const repo = await tempRepo({ 'README.md': '# project\n' });
  const store = new LevelStore({ path: join(repo.dir, '.troupe', 'db') });
  const runtime = await createRuntime({ dir: repo.dir, store, resume: false, report: () => {} });
  cleanups.push(async () => {
    await runtime.close();
    await repo.cleanup();
  });
  const writes: Write[] = [];
  const db = store.db as unknown as Database;
  const [batch, del] = [db._batch.bind(db), db._del.bind(db)];
  db._batch = (operations, options) => {
    writes.push(described(operations, options.sync === true));
    return batch(operations, options);
  };
  db._del = (key, options) => {
    writes.push(described([{ type: 'del', key }], options.sync === true));
    return del(key, options);
  };
  return { runtime, writes };
}

function described(operations: Operation[], sync: boolean): Write {
  const valuesUnder = (sublevel: string) =>
    operations.flatMap((operation) =>
      operation.type === 'put' && operation.key.startsWith(`!${sublevel}!`)
        ? [JSON.parse(operation.value) as Record<string, unknown>]
        : [],
    );
  return {
    sync,
    keys: operations.map((operation) => operation.key),
    events: valuesUnder('evt').map((event) => String(event.type)),
    checkpoints: valuesUnder('ckpt').map((checkpoint) => String(checkpoint.trigger)),
  };
}

const writing = (count: number) =>
  Array.from({ length: count }, (_, index) =>
    step(`Write ${index}`, 'fs/write-file', { path: `notes/${index}.txt`, content: `note ${index}\n` }),
  );

describe('what is synced', () => {
  it('writes step checkpoints unsynced, and execute starting and ending synced, its last write leaving the plan at rest', async () => {
    const { runtime, writes } = await watchedRuntime();
    const plan = await runtime.createPlan(
      planYaml({ name: 'demo/sync', automation: 'manual', strategy: { steps: writing(3) } }),
    );
    await runtime.run(plan.id, { until: 'strategize' });
    writes.length = 0;
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ phase: 'execute', status: 'complete' });

    const steps = writes.filter((write) => write.checkpoints.includes('step'));
    expect(steps.flatMap((write) => write.checkpoints.filter((trigger) => trigger === 'step'))).toHaveLength(3);
    // a batch of step checkpoints alone is not synced (one may share the batch that ends execute)
    const alone = steps.filter(
      (write) => write.checkpoints.every((trigger) => trigger === 'step') && !write.events.includes('phase.completed'),
    );
    expect(alone.length).toBeGreaterThan(0);
    expect(alone.map((write) => write.sync)).toEqual(alone.map(() => false));
    // execute's start (its pre-execute checkpoint) and its end (phase.completed, post-execute) are
    expect(writes.find((write) => write.checkpoints.includes('pre-execute'))?.sync).toBe(true);
    const end = writes.find((write) => write.events.includes('phase.completed'));
    expect(end).toMatchObject({ sync: true, checkpoints: expect.arrayContaining(['post-execute']) });
    expect(writes.at(-1)?.sync).toBe(true);
  });

  it('syncs a manual checkpoint; a step an agent makes waits unsynced until the store closes, which flushes it', async () => {
    const { runtime, writes } = await watchedRuntime();
    const created = await runtime.createPlan(planYaml({ name: 'demo/agent-sync', resourceScopes: ['**'] }));
    const plan = await runtime.run(created.id);
    expect(plan).toMatchObject({ phase: 'execute', status: 'waiting', agentDriven: true });

    writes.length = 0;
    const result = await runtime.callTool(plan.id, { tool: 'fs/write-file', input: { path: 'a.txt', content: 'a\n' } });
    expect(result.ok).toBe(true);
    await runtime.getPlan(plan.id);
    const step = writes.find((write) => write.checkpoints.includes('step'));
    expect(step).toMatchObject({ sync: false, events: expect.arrayContaining(['step.completed']) });
    // between two calls of its agent the plan is not at rest: nothing of the call was synced
    expect(writes.filter((write) => write.sync)).toEqual([]);

    await runtime.createCheckpoint(plan.id, { label: 'by-hand' });
    expect(writes.at(-1)).toMatchObject({ sync: true, checkpoints: ['manual'] });

    await runtime.callTool(plan.id, { tool: 'fs/write-file', input: { path: 'b.txt', content: 'b\n' } });
    await runtime.getPlan(plan.id);
    expect(writes.at(-1)?.sync).toBe(false);
    await runtime.close();
    // one synced delete of a key never written: LevelDB's log synced with everything before it
    expect(writes.at(-1)).toEqual({ sync: true, keys: ['!meta!sync'], events: [], checkpoints: [] });
  });

  it('closes without a write when the last one was synced', async () => {
    const { runtime, writes } = await watchedRuntime();
    const plan = await runtime.createPlan(
      planYaml({ name: 'demo/rest', automation: 'manual', strategy: { steps: writing(1) } }),
    );
    await runtime.run(plan.id, { until: 'execute' });
    const before = writes.length;
    expect(writes.at(-1)?.sync).toBe(true);
    await runtime.close();
    expect(writes.slice(before)).toEqual([]);
  });
});
