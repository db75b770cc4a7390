import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ARROW_DOWN, project, show, twoSteps, until } from './ui-fixture.js';

// Issue 74: A in `troupe ui` (Ink) applies a validated plan after the preview of `plan apply --dry-run` and a y.

describe('troupe ui (Ink): A applies', () => {
  it('shows what apply would commit, asks, and applies only on y', async () => {
    const { runtime, dir } = await project();
    const plan = await runtime.createPlan(twoSteps('demo/ship'));
    expect(await runtime.run(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });
    const view = show(runtime);
    await until(
      view.lastFrame,
      (text) => text.includes('A apply · r rollback') && text.includes('phases  strategize ✓'),
    );
    const ask = async () => {
      view.stdin.write('A');
      return until(view.lastFrame, (text) => text.includes('Apply demo/ship onto your branch? y/N'));
    };
    const preview = await ask();
    expect(preview).toContain('demo/ship: apply would commit 2 files onto');
    expect(preview).toMatch(/A a\.txt {2}\+1 -0/);
    view.stdin.write('n');
    await until(view.lastFrame, (text) => text.includes('apply of demo/ship not confirmed: nothing changed'));
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });

    await ask();
    view.stdin.write('y');
    const applied = await until(view.lastFrame, (text) => text.includes('applied demo/ship as '));
    const head = execFileSync('git', ['rev-parse', '--short=7', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    expect(applied).toContain(`applied demo/ship as ${head}`);
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'apply', status: 'done' });
  });

  it('says why A does nothing on a plan that is not validated', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(twoSteps('demo/early'));
    await runtime.run(plan.id, { until: 'strategize' });
    const view = show(runtime);
    await until(view.lastFrame, (text) => text.includes('c conflicts · r rollback'));
    view.stdin.write('A');
    await until(view.lastFrame, (text) =>
      text.includes('demo/early is not ready to apply: it applies once validate completed'),
    );
    // a key that is not the question's: nothing happened to the plan
    view.stdin.write(ARROW_DOWN);
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'strategize', status: 'complete' });
  });
});
