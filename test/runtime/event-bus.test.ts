import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { planYaml, projectWithRuntime } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('subscribers of a runtime', () => {
  it('get every event even when another listener throws, and the throw is reported, not raised', async () => {
    const reported: [string, unknown][] = [];
    const { runtime, close } = await projectWithRuntime(undefined, {
      report: (message, error) => reported.push([message, error]),
    });
    cleanups.push(close);
    const broken = new Error('listener bug');
    runtime.subscribe('*', () => {
      throw broken;
    });
    const seen: JournalEvent[] = [];
    runtime.subscribe('*', (event) => seen.push(event));

    const plan = await runtime.createPlan(planYaml());
    await runtime.run(plan.id, { until: 'strategize' });

    expect(seen.map((event) => event.type)).toEqual([
      'plan.created',
      'phase.started',
      'phase.completed',
      'checkpoint.created',
    ]);
    expect(reported).toHaveLength(seen.length);
    expect(reported[0]).toEqual(['an event listener threw', broken]);
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'strategize', status: 'complete' });
  });
});
