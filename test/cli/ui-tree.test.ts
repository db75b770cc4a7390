import { describe, expect, it } from 'vitest';
import { planYaml, step } from '../runtime/fixtures.js';
import { ENTER, project, show, twoSteps, until } from './ui-fixture.js';

// the plan tree of `troupe ui` (Ink): what it shows of each plan, live, folded, or at all

describe('troupe ui (Ink)', () => {
  it('shows the plan tree with progress and the first plan’s details', async () => {
    const { runtime } = await project();
    await runtime.createPlan(planYaml({ name: 'demo/queued' }));
    const ran = await runtime.createPlan(twoSteps('demo/ran'));
    await runtime.run(ran.id);
    const view = show(runtime);
    const frame = await until(view.lastFrame, (text) => text.includes('phases'));
    // the newest plan first, and selected
    expect(frame).toMatch(
      /^ {4}demo\/ran {2}validate · complete {2}steps 2\/2\n {4}demo\/queued {2}strategize · queued {2}steps 0\/0\n/,
    );
    expect(frame).toContain(`demo/ran  ${ran.id}`);
    expect(frame).toContain('phases  strategize ✓  execute ✓  validate ✓');
    expect(frame).toMatch(/checkpoints {2}\(\d+ older not shown\)\n\s+\w+ {2}(step|post-execute|phase)/);
    // a validated plan is selected: A applies it (issue 74)
    expect(frame).toContain('↑↓ move · enter expand · A apply · r rollback · x cancel · a ended · q quit');
  });

  it('flags running, waiting and failed plans, hides plans that ended before it opened until a, and keeps one that ends while shown', async () => {
    const { runtime } = await project();
    const over = await runtime.createPlan(planYaml({ name: 'demo/over' }));
    await runtime.cancel(over.id);
    const failing = await runtime.createPlan(
      planYaml({ name: 'demo/failing', strategy: { steps: [step('Fail', 'shell/run', { command: 'exit 3' })] } }),
    );
    await runtime.run(failing.id);
    const live = await runtime.createPlan(planYaml({ name: 'demo/live' }));
    const view = show(runtime);
    const frame = await until(view.lastFrame, (text) => text.includes('demo/live') && text.includes('phases'));
    expect(frame).toMatch(
      /^ {4}demo\/live {2}strategize · queued {2}steps 0\/0\n✗ {3}demo\/failing {2}execute · failed {2}steps 0\/1\n/,
    );
    expect(frame).not.toContain('demo/over');
    expect(frame).toContain('steps 0/1\n  + 1 ended plan hidden · a shows it\n');
    expect(frame).toContain('x cancel · a ended · q quit');
    view.stdin.write('a');
    await until(
      view.lastFrame,
      (text) => text.includes('    demo/over  strategize · cancelled') && !text.includes('hidden'),
    );
    view.stdin.write('a');
    await until(view.lastFrame, (text) => !text.includes('demo/over') && text.includes('+ 1 ended plan hidden'));
    // ended while shown: it stays, below the plans still active
    await runtime.cancel(live.id);
    const after = await until(view.lastFrame, (text) => text.includes('demo/live  strategize · cancelled'));
    expect(after.indexOf('demo/failing')).toBeLessThan(after.indexOf('demo/live'));
  });

  it('updates the tree live when a plan is created and runs', async () => {
    const { runtime } = await project();
    await runtime.createPlan(planYaml({ name: 'demo/first' }));
    const view = show(runtime);
    await until(view.lastFrame, (text) => text.includes('demo/first'));
    const later = await runtime.createPlan(twoSteps('demo/later'));
    await until(view.lastFrame, (text) => text.includes('demo/later  strategize · queued'));
    await runtime.run(later.id);
    await until(view.lastFrame, (text) => text.includes('demo/later  validate · complete  steps 2/2'));
  });

  it('folds a plan whose children have all ended, and enter unfolds it to show them with their attempt', async () => {
    const { runtime } = await project();
    const fan = planYaml({
      name: 'demo/fan',
      automation: 'review',
      strategy: {
        steps: [
          {
            title: 'Fan out',
            subplans: {
              mode: 'parallel',
              entries: ['x', 'y'].map((child) => ({
                goal: `Write ${child}`,
                resourceScopes: [`${child}.txt`],
                strategy: { steps: [step('Write', 'fs/write-file', { path: `${child}.txt`, content: 'x\n' })] },
              })),
            },
          },
        ],
      },
    });
    const parent = await runtime.createPlan(fan);
    await runtime.run(parent.id);
    const view = show(runtime);
    const folded = await until(view.lastFrame, (text) => text.includes('children 2/2'));
    expect(folded).toContain('▸ demo/fan  validate · complete  steps 1/1  children 2/2');
    expect(folded).not.toMatch(/attempt 1/);
    view.stdin.write(ENTER);
    const frame = await until(view.lastFrame, (text) => text.includes('▾ demo/fan'));
    expect(frame).toMatch(/ {4}demo\/fan-\w+ {2}\w+ · \w+ {2}\(complete, attempt 1\)/);
    view.stdin.write(ENTER);
    const collapsed = await until(view.lastFrame, (text) => text.includes('▸ demo/fan'));
    expect(collapsed).not.toMatch(/attempt 1/);
  });

  it('says there are no plans yet, and how to make one', async () => {
    const { runtime } = await project();
    const view = show(runtime);
    await until(view.lastFrame, (text) => text.includes('no plans yet — create one with troupe plan new (q quits)'));
  });

  it('shows only the tree in a terminal smaller than 60×15', async () => {
    const { runtime } = await project();
    await runtime.createPlan(planYaml({ name: 'demo/small' }));
    const view = show(runtime, { size: { columns: 50, rows: 10 } });
    const frame = await until(view.lastFrame, (text) => text.includes('demo/small'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(view.lastFrame()).not.toContain('phases');
    expect(frame).toContain('q quit');
  });
});
