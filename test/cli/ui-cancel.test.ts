import { describe, expect, it } from 'vitest';
import { planYaml } from '../runtime/fixtures.js';
import { ARROW_DOWN, ENTER, project, selectedLine, show, twoSteps, until } from './ui-fixture.js';

// x in `troupe ui` (Ink): cancelling the selected plan after y/n, and what a refused cancel or rollback says

describe('troupe ui (Ink)', () => {
  it('cancels the selected plan after a y, and not after another key', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(planYaml({ name: 'demo/doomed' }));
    const view = show(runtime);
    await until(view.lastFrame, (text) => text.includes('demo/doomed  strategize · queued'));
    view.stdin.write('x');
    await until(view.lastFrame, (text) => text.includes('cancel demo/doomed for good? y/n'));
    view.stdin.write('n');
    await until(view.lastFrame, (text) => text.includes('not cancelled'));
    expect((await runtime.getPlan(plan.id)).status).toBe('queued');
    view.stdin.write('x');
    await until(view.lastFrame, (text) => text.includes('for good? y/n'));
    view.stdin.write('y');
    await until(view.lastFrame, (text) => text.includes('demo/doomed  strategize · cancelled'));
    expect((await runtime.getPlan(plan.id)).status).toBe('cancelled');
  });

  it('says why a cancel failed, and that a rollback cannot be previewed, on the message line', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(twoSteps('demo/over'));
    await runtime.run(plan.id);
    await runtime.cancel(plan.id);
    const view = show(runtime);
    // a plan that ended before the view opened is history: a shows it
    await until(view.lastFrame, (text) => text.includes('no active plans (1 ended: a shows them) — q quits'));
    view.stdin.write('a');
    await until(view.lastFrame, (text) => text.includes('demo/over  validate · cancelled') && text.includes('phases'));
    view.stdin.write('x');
    await until(view.lastFrame, (text) => text.includes('for good? y/n'));
    view.stdin.write('y');
    await until(view.lastFrame, (text) => text.includes('cancel demo/over: PHASE_GUARD: '));
    view.stdin.write('r');
    const listed = await until(view.lastFrame, (text) => text.includes('enter preview the rollback'));
    const newest = selectedLine(listed);
    // down and up again: the newest checkpoint is picked
    view.stdin.write(ARROW_DOWN);
    await until(view.lastFrame, (text) => selectedLine(text) !== newest);
    view.stdin.write('\u001B[A');
    await until(view.lastFrame, (text) => selectedLine(text) === newest);
    view.stdin.write(ENTER);
    await until(view.lastFrame, (text) => text.includes('rollback demo/over: PHASE_GUARD: '));
    expect(await runtime.getPlan(plan.id)).toMatchObject({ status: 'cancelled', reversionCount: 0 });
  });
});
