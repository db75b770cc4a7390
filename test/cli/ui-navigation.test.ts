import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime/index.js';
import { planYaml } from '../runtime/fixtures.js';
import { ARROW_DOWN, project, show, until } from './ui-fixture.js';

// moving through the plans of `troupe ui` (Ink) with the keys, and quitting with q

describe('troupe ui (Ink)', () => {
  it('moves the selection with the arrow keys, and q ends the view and its subscription', async () => {
    const { runtime } = await project();
    const one = await runtime.createPlan(planYaml({ name: 'demo/one' }));
    const two = await runtime.createPlan(planYaml({ name: 'demo/two' }));
    let listening = 0;
    const counted = new Proxy(runtime, {
      get(target, key, receiver) {
        if (key !== 'subscribe') {
          const value: unknown = Reflect.get(target, key, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (plan: string, listener: Parameters<Runtime['subscribe']>[1]) => {
          listening += 1;
          const stop = target.subscribe(plan, listener);
          return () => {
            listening -= 1;
            stop();
          };
        };
      },
    });
    const view = show(counted);
    await until(view.lastFrame, (text) => text.includes(`demo/two  ${two.id}`));
    view.stdin.write(ARROW_DOWN);
    await until(view.lastFrame, (text) => text.includes(`demo/one  ${one.id}`));
    expect(listening).toBe(1);
    view.stdin.write('q');
    await until(
      () => String(listening),
      (text) => text === '0',
    );
  });

  it('counts every key press, however fast they come, and moves a page or to the ends with PgUp/PgDn/Home/End', async () => {
    const { runtime } = await project();
    const ids: string[] = [];
    for (let at = 0; at < 40; at++)
      ids.push((await runtime.createPlan(planYaml({ name: `demo/p${String(at).padStart(2, '0')}` }))).id);
    // newest first: the row of demo/pNN is 39 - NN
    const showsRow = (row: number) => (text: string) =>
      text.includes(`demo/p${String(39 - row).padStart(2, '0')}  ${ids[39 - row]}`);
    const view = show(runtime, { size: { columns: 120, rows: 40 } });
    await until(view.lastFrame, showsRow(0));
    // 30 presses in one chunk, as a key held down or a fast typist sends them: each one counts
    view.stdin.write(ARROW_DOWN.repeat(30));
    await until(view.lastFrame, showsRow(30));
    // the tree has half of 40 lines (less the footer's), two of them saying what is out of sight: a page is 16 rows
    view.stdin.write('\u001B[5~');
    await until(view.lastFrame, showsRow(14));
    view.stdin.write('\u001B[F');
    await until(view.lastFrame, showsRow(39));
    // what is out of sight is counted
    expect(view.lastFrame()).toContain('  ↑ 24 more above\n');
    expect(view.lastFrame()).not.toContain('more below');
    view.stdin.write('\u001B[6~');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(showsRow(39)(view.lastFrame() ?? '')).toBe(true);
    view.stdin.write('\u001B[H');
    await until(view.lastFrame, showsRow(0));
    expect(view.lastFrame()).not.toContain('more above');
    expect(view.lastFrame()).toContain('  ↓ 24 more below\n');
    view.stdin.write('\u001B[6~');
    await until(view.lastFrame, showsRow(16));
  });

  it('moves back up with the up arrow, and says so when c finds no open conflicts', async () => {
    const { runtime } = await project();
    const one = await runtime.createPlan(planYaml({ name: 'demo/one' }));
    const two = await runtime.createPlan(planYaml({ name: 'demo/two' }));
    const view = show(runtime);
    await until(view.lastFrame, (text) => text.includes(`demo/two  ${two.id}`));
    view.stdin.write(ARROW_DOWN);
    await until(view.lastFrame, (text) => text.includes(`demo/one  ${one.id}`));
    view.stdin.write('\u001B[A');
    await until(view.lastFrame, (text) => text.includes(`demo/two  ${two.id}`));
    view.stdin.write('c');
    await until(view.lastFrame, (text) => text.includes('no open conflicts'));
  });
});
