import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';

// Validate after a crash (issue 73): what a power cut emptied in a sandbox's
// files is not the plan's doing — validate runs on the last step commit.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('validate after a crash', () => {
  it('puts the sandbox back at its last step commit first, so it never blames the plan for files a crash emptied', async () => {
    const repo = await tempRepo({ 'README.md': '# r\n' });
    cleanups.push(repo.cleanup);
    const first = await createRuntime({ dir: repo.dir, report: () => {} });
    const plan = await first.createPlan(
      planYaml({
        name: 'crash/validate',
        validate: [{ run: 'test "$(cat a.txt)" = alpha' }],
        strategy: { steps: [step('Write a', 'fs/write-file', { path: 'a.txt', content: 'alpha\n' })] },
      }),
    );
    const executed = await first.run(plan.id, { until: 'execute' });
    expect(executed).toMatchObject({ phase: 'execute', status: 'complete' });
    await first.close();
    // what a power cut leaves of a file the checkout wrote and nobody synced
    writeFileSync(join(repo.dir, executed.sandbox!.worktree, 'a.txt'), '');

    const second = await createRuntime({ dir: repo.dir, report: () => {} });
    cleanups.push(() => second.close());
    expect(await second.run(plan.id)).toMatchObject({ phase: 'validate', status: 'complete', error: null });
  });
});
