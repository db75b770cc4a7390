import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { runUntilKilled } from '../helpers/kill-after.js';
import { step } from './fixtures.js';
import { cleanups, project } from './runtime-fixture.js';
import { children, group } from './subplans-fixture.js';

// A fan-out whose process is killed -9 while children are created, run and
// merged (fan-out-child.ts): the next runtime finishes it, each child once.

describe('subplans after kill -9', () => {
  // while children are created, while they run, while they merge
  for (const killAfter of [4, 12, 30]) {
    it(`finishes the fan-out without a second copy of any child (killed after ${killAfter} lines)`, async () => {
      const { dir, runtime } = await project();
      const entries = ['a', 'b', 'c', 'd'].map((name) => ({
        goal: `Append ${name}`,
        resourceScopes: [`${name}.txt`],
        strategy: {
          steps: [step(`Append ${name}`, 'shell/run', { command: `sleep 0.1; echo ${name} >> ${name}.txt` })],
        },
      }));
      const plan = await runtime.createPlan(group(entries, { maxParallel: 2 }));
      await runtime.close();

      const output = await runUntilKilled(join(import.meta.dirname, 'fan-out-child.ts'), [dir, plan.id], killAfter);
      // the child never closes its runtime: every run ends in a kill -9, wherever it lands
      expect(output.length).toBeGreaterThanOrEqual(killAfter);

      const again = await createRuntime({ dir, report: () => {} });
      cleanups.push(() => again.close());
      const record = await again.run(plan.id, { until: 'execute' });
      expect(record).toMatchObject({ phase: 'execute', status: 'complete', error: null });
      const kids = await children(again, plan);
      expect(kids.map((kid) => kid.name)).toEqual(['demo/fan-1', 'demo/fan-2', 'demo/fan-3', 'demo/fan-4']);
      expect(kids.every((kid) => kid.status === 'done')).toBe(true);
      const worktree = join(dir, record.sandbox!.worktree);
      // each child's effect landed exactly once
      for (const name of ['a', 'b', 'c', 'd'])
        expect(readFileSync(join(worktree, `${name}.txt`), 'utf8')).toBe(`${name}\n`);
      const spawned = (await again.events(plan.id))
        .filter((event) => event.type === 'subplan.spawned')
        .map((event) => event.data.childId);
      expect(new Set(spawned).size).toBe(4);
    });
  }
});
