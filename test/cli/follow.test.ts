import { afterEach, describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('troupe events --follow', () => {
  it('carries on through a change of owner, printing every event once and in order', async () => {
    const repo = await tempRepo();
    cleanups.push(repo.cleanup);
    const first = await openRuntime({ dir: repo.dir, resume: false, report: () => {} });
    const plan = await first.runtime.createPlan(
      planYaml({
        automation: 'auto',
        strategy: {
          steps: [0, 1, 2].map((index) =>
            step(`Step ${index}`, 'shell/run', { command: `sleep 0.3; echo ${index} >> log` }),
          ),
        },
      }),
    );
    const following = runCli(repo.dir, ['events', plan.id, '--follow']);
    const stepped = new Promise<void>((resolve) =>
      first.runtime.subscribe(plan.id, (event) => event.type === 'step.started' && resolve()),
    );
    const interrupted = first.runtime.run(plan.id).catch((error: unknown) => error);
    await stepped;
    // the owner goes away mid-step (Ctrl-C): the follower becomes the owner
    await first.close({ force: true });
    await interrupted;

    await expect
      .poll(
        async () => {
          const probe = await openRuntime({ dir: repo.dir, resume: false });
          const role = probe.role;
          await probe.close();
          return role;
        },
        { timeout: 10_000 },
      )
      .toBe('client');
    const second = await openRuntime({ dir: repo.dir, resume: false });
    cleanups.push(() => second.close());
    expect(await second.runtime.run(plan.id)).toMatchObject({ status: 'done' });

    const result = await following;
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; type: string; phase?: string });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.some((event) => event.type === 'plan.resumed')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'phase.completed', phase: 'apply' });
  });
});
