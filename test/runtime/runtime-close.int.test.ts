import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore } from '../../src/store/index.js';
import { tempRepo } from '../helpers/temp.js';

// Closing a runtime twice, as a command does when Ctrl-C (or SIGTERM) closes it and the
// command then closes it again on its way out: neither caller goes on before the store is closed.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('closing a runtime', () => {
  it('makes a second close wait for the first: the store is closed when either returns', async () => {
    const repo = await tempRepo();
    cleanups.push(repo.cleanup);
    const store = new LevelStore({ path: join(repo.dir, '.troupe', 'store') });
    // the real store, told apart only by when its close ends
    const closeStore = store.close.bind(store);
    let storeClosed = false;
    store.close = async () => {
      await closeStore();
      storeClosed = true;
    };
    const runtime = await createRuntime({ dir: repo.dir, store, report: () => {}, warn: () => {} });
    const first = runtime.close();
    await runtime.close();
    expect(storeClosed).toBe(true);
    await first;
  });
});
