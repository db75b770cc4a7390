import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { parallelPlan, planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// Issue 74: statuses say what is — the overlap strategize found, the step a resumed plan runs again.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const NO_COLOR = { env: { NO_COLOR: '1' } };

async function repo(): Promise<string> {
  const made = await tempRepo({ 'README.md': '# statuses\n', 'src/a.ts': 'export const a = 1;\n' });
  cleanups.push(made.cleanup);
  return made.dir;
}

describe('what plan run and plan resume say', () => {
  it('plan run prints the overlap strategize found between the children of a group', async () => {
    const dir = await repo();
    const write = (path: string) => ({ steps: [step('Write', 'fs/write-file', { path, content: 'x\n' })] });
    const entries = [
      { name: 'demo/wide', goal: 'Anything in src', resourceScopes: ['src/**'], strategy: write('src/b.ts') },
      { name: 'demo/narrow', goal: 'Only a.ts', resourceScopes: ['src/a.ts'], strategy: write('src/a.ts') },
    ];
    writeFileSync(join(dir, 'fan.yaml'), parallelPlan('demo/fan', entries));
    const result = await runCli(dir, ['plan', 'run', 'fan.yaml', '--until', 'strategize'], NO_COLOR);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      '▸ strategize\n  ! step 1: demo/wide ↔ demo/narrow (src/a.ts) may write the same files; they run side by side\n✓ strategize complete',
    );
  });

  it('plan resume prints the line of the step it runs again after an interruption', async () => {
    const dir = await repo();
    const first = await createRuntime({ dir, store: 'level', resume: false, report: () => {} });
    const plan = await first.createPlan(
      planYaml({
        name: 'demo/slow',
        automation: 'review',
        strategy: { steps: [step('Sleep a while', 'shell/run', { command: 'sleep 1; echo slept > slept.txt' })] },
      }),
    );
    const started = new Promise<void>((resolve) =>
      first.subscribe(plan.id, (event) => event.type === 'step.started' && resolve()),
    );
    const interrupted = first.run(plan.id).catch((error: unknown) => error);
    await started;
    await first.close();
    expect(await interrupted).toMatchObject({ code: 'CANCELLED' });

    const resumed = await runCli(dir, ['plan', 'resume', 'demo/slow'], NO_COLOR);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/↻ resumed after an interruption\n {2}step 1: Sleep a while\n/);
    const events = (await runCli(dir, ['events', 'demo/slow', '--type', 'step.started', '--json'])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { data: Record<string, unknown> });
    expect(events.map((event) => event.data)).toEqual([
      { index: 0, title: 'Sleep a while' },
      { index: 0, title: 'Sleep a while', rerun: true },
    ]);
  });
});
