import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { LiveStepLine } from '../../src/cli/live-step-line.js';
import { planYaml, projectWithRuntime, step } from '../runtime/fixtures.js';

// The live line of a long step on a terminal (issue 36), drawn in this
// process from a real plan's events: its number, title, clock and the last
// line its command wrote; erased around progress lines and when it ends.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the live line of a running step', () => {
  it('draws the step, its clock and its last output line in place, cut to the width, and erases itself', async () => {
    const made = await projectWithRuntime();
    cleanups.push(made.close);
    const { runtime } = made;
    const command = 'for n in 1 2 3 4 5 6; do echo tick $n; sleep 0.5; done';
    const plan = await runtime.createPlan(
      planYaml({ name: 'demo/live', strategy: { steps: [step('Count slowly', 'shell/run', { command })] } }),
    );
    const written: string[] = [];
    const line = new LiveStepLine(runtime, { write: (text) => written.push(text), columns: 60 });
    const events: JournalEvent[] = [];
    const stop = runtime.subscribe(plan.id, (event) => {
      events.push(event);
      line.event(event);
    });
    try {
      await runtime.run(plan.id, { until: 'execute' });
    } finally {
      stop();
    }
    const drawn = written.filter((text) => text.includes('step 1: Count slowly'));
    expect(drawn.length).toBeGreaterThan(0);
    // each draw erases the line first and fits the terminal (59 columns, one left for the cursor)
    for (const text of drawn) {
      expect(text.startsWith('\r\u001b[2K')).toBe(true);
      expect([...text.slice('\r\u001b[2K'.length)].length).toBeLessThanOrEqual(59);
    }
    expect(drawn.some((text) => /· \d+(\.\d)? s · tick \d/.test(text))).toBe(true);
    // the step ended: the line was erased, and a progress line around it erases nothing more
    expect(written.at(-1)).toBe('\r\u001b[2K');
    const before = written.length;
    line.around(() => written.push('progress\n'));
    expect(written.slice(before)).toEqual(['progress\n']);
    line.stop();
    expect(events.some((event) => event.type === 'step.completed')).toBe(true);
  }, 60_000);
});
