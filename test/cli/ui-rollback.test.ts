import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planYaml } from '../runtime/fixtures.js';
import { ARROW_DOWN, ENTER, project, selectedLine, show, twoSteps, until } from './ui-fixture.js';

// r in `troupe ui` (Ink): picking a checkpoint, the preview and y/N, and the undo point it leaves

describe('troupe ui (Ink)', () => {
  it('rolls back to the checkpoint picked with r after the same preview and y/N as the CLI', async () => {
    const { runtime, dir } = await project();
    const plan = await runtime.createPlan(twoSteps('demo/undo'));
    await runtime.run(plan.id);
    const newestFirst = [...(await runtime.checkpoints(plan.id))].reverse();
    const target = newestFirst.findIndex((checkpoint) => checkpoint.trigger === 'pre-execute');
    expect(target).toBeGreaterThan(0);
    const view = show(runtime);
    await until(view.lastFrame, (text) => text.includes('phases  strategize ✓'));
    const pick = async () => {
      view.stdin.write('r');
      await until(view.lastFrame, (text) => text.includes('enter preview the rollback'));
      // one key per frame: the handler of a render sees the selection that render drew
      for (let at = 1; at <= target; at++) {
        view.stdin.write(ARROW_DOWN);
        await until(view.lastFrame, (text) => selectedLine(text)?.includes(newestFirst[at]!.id) === true);
      }
      view.stdin.write(ENTER);
      return until(view.lastFrame, (text) => text.includes('Roll back demo/undo? y/N'));
    };
    const preview = await pick();
    expect(preview).toContain(`demo/undo goes back to checkpoint ${newestFirst[target]!.id} (pre-execute`);
    expect(preview).toContain('restores to  execute · queued');
    expect(preview).toMatch(/files {8}2 files to revert:\n\s+deleted\s+a\.txt\n\s+deleted\s+b\.txt/);
    view.stdin.write('n');
    await until(view.lastFrame, (text) => text.includes('rollback of demo/undo not confirmed: nothing changed'));
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'validate', status: 'complete', reversionCount: 0 });

    await pick();
    view.stdin.write('y');
    const done = await until(view.lastFrame, (text) => text.includes('rolled back demo/undo'));
    expect(done).toContain(
      'rolled back demo/undo: 2 files reverted, 0 decisions discarded · undo: r, enter on pre-rollback',
    );
    // the tree and the details pane are read apart: r picks from the details, so wait for them to list the undo point too
    await until(
      view.lastFrame,
      (text) => text.includes('demo/undo  execute · queued') && text.includes('  pre-rollback  ('),
    );
    view.stdin.write('r');
    const offered = await until(view.lastFrame, (text) => text.includes('enter preview the rollback'));
    expect(selectedLine(offered)).toContain('pre-rollback');
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'execute', status: 'queued', reversionCount: 1 });
    // queued again: execute has not started (again), and validate, undone, is gone from the timeline
    view.stdin.write('r');
    const queued = await until(
      view.lastFrame,
      (text) => text.includes('r rollback · x cancel') && text.includes('phases'),
    );
    expect(queued).toContain('phases  strategize ✓  execute ○\n');
    const { sandbox } = await runtime.getPlan(plan.id);
    expect(existsSync(join(dir, sandbox!.worktree, 'a.txt'))).toBe(false);
  });

  it('says so when r finds no checkpoint, and Escape leaves the checkpoint list without rolling back', async () => {
    const { runtime } = await project();
    await runtime.createPlan(planYaml({ name: 'demo/fresh' }));
    const ran = await runtime.createPlan(twoSteps('demo/ran'));
    await runtime.run(ran.id);
    const view = show(runtime);
    await until(view.lastFrame, (text) => text.includes(`demo/ran  ${ran.id}`));
    view.stdin.write(ARROW_DOWN);
    await until(view.lastFrame, (text) => /demo\/fresh {2}\w{26}/.test(text));
    view.stdin.write('r');
    await until(view.lastFrame, (text) => text.includes('no checkpoints to roll back to'));
    view.stdin.write('\u001B[A');
    await until(view.lastFrame, (text) => text.includes(`demo/ran  ${ran.id}`));
    view.stdin.write('r');
    await until(view.lastFrame, (text) => text.includes('enter preview the rollback'));
    view.stdin.write('\u001B');
    await until(view.lastFrame, (text) => text.includes('r rollback · x cancel'));
    expect((await runtime.getPlan(ran.id)).reversionCount).toBe(0);
  });
});
