import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planRecordOf } from '../../machines/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore } from '../../src/store/index.js';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';
import { runUntilKilled } from '../helpers/kill-after.js';

const STEPS = 12;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// each step appends its number to log.txt: a step that landed twice shows up as a repeated line
const PLAN = planYaml({
  name: 'demo/crash',
  strategy: {
    steps: Array.from({ length: STEPS }, (_, index) =>
      step(`Append ${index}`, 'shell/run', { command: `sleep 0.05; echo ${index} >> log.txt` }),
    ),
  },
});

describe('resume after kill -9', () => {
  // deterministic kill points: right after start, mid-strategize, between and inside steps
  for (const killAfter of [2, 4, 7, 12, 19, 26]) {
    it(`finishes the plan with every step's effect exactly once (killed after ${killAfter} lines of output)`, async () => {
      const repo = await tempRepo({ 'README.md': '# crash\n' });
      cleanups.push(repo.cleanup);
      const setup = await createRuntime({ dir: repo.dir, report: () => {} });
      const plan = await setup.createPlan(PLAN);
      await setup.close();

      const output = await runUntilKilled(join(import.meta.dirname, 'crash-child.ts'), [repo.dir, plan.id], killAfter);
      // the child never closes its runtime: every run ends in a kill -9, wherever it lands
      expect(output.length).toBeGreaterThanOrEqual(killAfter);

      // what the killed process left is consistent: the record was written with its snapshot
      const store = new LevelStore({ path: join(repo.dir, '.troupe', 'db') });
      await store.open();
      const record = (await store.getPlan(plan.id))!;
      const stored = (await store.getSnapshot(plan.id))!;
      const events = await store.readEvents(plan.id);
      await store.close();
      const fromSnapshot = planRecordOf(record, stored.snapshot as never, record.updatedAt, record.strategyDecisionIds);
      expect({ phase: record.phase, status: record.status, lastCompletedStep: record.lastCompletedStep }).toEqual({
        phase: fromSnapshot.phase,
        status: fromSnapshot.status,
        lastCompletedStep: fromSnapshot.lastCompletedStep,
      });
      const completed = events.filter((event) => event.type === 'step.completed').map((event) => event.data.index);
      expect(completed).toEqual(Array.from({ length: (record.lastCompletedStep ?? -1) + 1 }, (_, index) => index));

      // a new runtime restores the plan and finishes what the killed one was doing
      const runtime = await createRuntime({ dir: repo.dir, report: () => {} });
      cleanups.push(() => runtime.close());
      const finished = await runtime.run(plan.id, { until: 'execute' });
      expect(finished).toMatchObject({
        phase: 'execute',
        status: 'complete',
        lastCompletedStep: STEPS - 1,
        error: null,
      });
      const worktree = join(repo.dir, finished.sandbox!.worktree);
      const journal0 = (await runtime.events(plan.id))
        .map((event) => `${event.seq} ${event.type} ${JSON.stringify(event.data)}`)
        .join('\n');
      expect(
        readFileSync(join(worktree, 'log.txt'), 'utf8'),
        `killed at (${record.phase}, ${record.status}) after step ${record.lastCompletedStep}; journal:\n${journal0}`,
      ).toBe(Array.from({ length: STEPS }, (_, index) => `${index}\n`).join(''));
      expect(git(worktree, 'status', '--porcelain')).toBe('');
      expect(git(worktree, 'rev-list', '--count', `${finished.sandbox!.baseCommit}..HEAD`)).toBe(String(STEPS));
      const journal = await runtime.events(plan.id);
      expect(journal.map((event) => event.seq)).toEqual(journal.map((_, index) => index + 1));
      if (record.status === 'processing') expect(journal.some((event) => event.type === 'plan.resumed')).toBe(true);
    });
  }
});
