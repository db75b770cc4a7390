import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { HEADER_PLAN, project } from './runtime-fixture.js';

// What a run records: its journal of transitions, its decisions, and events
// published only once stored.

describe('runtime on real git and LevelDB', () => {
  it('journals every transition with seq increasing by one from 1', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN);
    await runtime.run(plan.id);
    const events = await runtime.events(plan.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.map((event) => event.type)).toEqual([
      'plan.created',
      'phase.started',
      'phase.completed',
      'checkpoint.created',
      'phase.started',
      'checkpoint.created',
      'step.started',
      'tool.called',
      'step.completed',
      'checkpoint.created',
      // a step that only read takes no checkpoint
      'step.started',
      'tool.called',
      'step.completed',
      'step.started',
      'tool.called',
      'step.completed',
      'checkpoint.created',
      'phase.completed',
      'checkpoint.created',
      'phase.started',
      'phase.completed',
      'checkpoint.created',
      'phase.started',
      'phase.completed',
    ]);
    expect(events.find((event) => event.type === 'step.started')?.data).toEqual({
      index: 0,
      title: 'Write the header',
    });
  });

  it('records the strategy root and one step decision per step, with structured payloads', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN);
    const record = await runtime.run(plan.id, { until: 'strategize' });
    const { root } = await runtime.explain(plan.id);
    expect(root).toMatchObject({
      id: record.decisionRootId,
      type: 'strategy',
      parentId: null,
      payload: { goal: 'Change the project', strategist: 'scripted', stepCount: 3 },
    });
    expect(root!.children.map((child) => [child.type, child.title, child.payload.index, child.payload.tool])).toEqual([
      ['step', 'Write the header', 0, 'fs/write-file'],
      ['step', 'Read it back', 1, 'fs/read-file'],
      ['step', 'Prepend it', 2, 'shell/run'],
    ]);
    expect(root!.children.map((child) => child.id)).toEqual(record.strategyDecisionIds);
  });

  it('publishes an event only once it is persisted', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN);
    const checks: Promise<void>[] = [];
    const seen: JournalEvent[] = [];
    runtime.subscribe(plan.id, (event) => {
      seen.push(event);
      checks.push(
        runtime
          .events(plan.id, { afterSeq: event.seq - 1, limit: 1 })
          .then(([stored]) => expect(stored).toEqual(event)),
      );
    });
    await runtime.run(plan.id, { until: 'execute' });
    await Promise.all(checks);
    expect(seen.length).toBeGreaterThan(5);
    expect(existsSync(join(dir, '.troupe', 'db'))).toBe(true);
  });
});
