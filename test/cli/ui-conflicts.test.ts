import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { ARROW_DOWN, project, show, until } from './ui-fixture.js';

// the conflict view of `troupe ui` (Ink): c lists a plan's open conflicts, o and t settle them, g goes on

describe('troupe ui (Ink)', () => {
  it('lists the open conflicts with c and resolves one with t (theirs)', async () => {
    const { dir, runtime } = await project({ 'a.txt': 'one\ntwo\nthree\n', 'b.txt': 'b\n' });
    const plan = await runtime.createPlan(
      planYaml({
        name: 'demo/clash',
        automation: 'review',
        strategy: {
          steps: [
            step('Edit a', 'fs/write-file', { path: 'a.txt', content: 'one\nTWO plan\nthree\n' }),
            step('Edit b', 'fs/write-file', { path: 'b.txt', content: 'b plan\n' }),
          ],
        },
      }),
    );
    await runtime.run(plan.id);
    writeFileSync(join(dir, 'a.txt'), 'one\nTWO user\nthree\n');
    writeFileSync(join(dir, 'b.txt'), 'b user\n');
    git(dir, 'commit', '-qam', 'the user moved on');
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ phase: 'apply', status: 'waiting' });
    const view = show(runtime);
    await until(view.lastFrame, (text) => text.includes('a.txt  content'));
    view.stdin.write('c');
    await until(view.lastFrame, (text) => text.includes('o ours · t theirs'));
    // Escape (or c) goes back to the tree; down and up move through the list
    view.stdin.write('\u001B');
    await until(view.lastFrame, (text) => text.includes('r rollback · x cancel'));
    view.stdin.write('c');
    await until(view.lastFrame, (text) => text.includes('o ours · t theirs'));
    view.stdin.write(ARROW_DOWN);
    await new Promise((resolve) => setTimeout(resolve, 100));
    view.stdin.write('\u001B[A');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // whose side is whose, and the hunks of the file picked, before it is resolved
    const listed = await until(view.lastFrame, (text) => text.includes('› a.txt'));
    expect(listed).toContain(
      "ours: the project's branch · theirs: the plan demo/clash\n› a.txt  content\n  b.txt  content\n  a.txt\n  ours   │ TWO user\n  base   │ two\n  theirs │ TWO plan\n",
    );
    view.stdin.write('t');
    await until(view.lastFrame, (text) => text.includes('resolved a.txt with theirs: 1 left'));
    expect((await runtime.conflicts(plan.id)).resolved).toEqual([{ file: 'a.txt', with: 'theirs' }]);
    await until(view.lastFrame, (text) => text.includes('› b.txt') && text.includes('theirs │ b plan'));
    view.stdin.write('o');
    await until(view.lastFrame, (text) =>
      text.includes('resolved b.txt with ours: no conflicts left · g applies demo/clash'),
    );
    // the last conflict resolved: the merge is made, and g goes on (apply, as troupe plan apply)
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'apply', status: 'queued' });
    await until(
      view.lastFrame,
      (text) =>
        text.includes('no conflicts left in demo/clash: g applies it (as troupe plan apply)') &&
        text.includes('g go on · c back'),
    );
    view.stdin.write('g');
    await until(view.lastFrame, (text) => text.includes('apply demo/clash: it is at (apply, done)'));
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'apply', status: 'done' });
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('one\nTWO plan\nthree\n');
  });

  it('shows whose side is whose in a child plan’s merge with the hunk’s key path, and g runs the plan on after the last file', async () => {
    const { runtime } = await project({ 'package.json': '{"dependencies": {"react": "1"}}\n' });
    const entries = ['2', '3'].map((react) => ({
      goal: `React ${react}`,
      resourceScopes: ['package.json'],
      strategy: {
        steps: [
          step('Bump', 'fs/write-file', { path: 'package.json', content: `{"dependencies": {"react": "${react}"}}\n` }),
        ],
      },
    }));
    const plan = await runtime.createPlan(
      planYaml({
        name: 'demo/bump',
        automation: 'review',
        strategy: { steps: [{ title: 'Bump twice', subplans: { mode: 'parallel', entries } }] },
      }),
    );
    expect(await runtime.run(plan.id)).toMatchObject({ phase: 'execute', status: 'waiting' });
    const view = show(runtime);
    await until(view.lastFrame, (text) => text.includes('package.json  content  from demo/bump-2'));
    expect(view.lastFrame()).toMatch(/^! ▾ demo\/bump {2}execute · waiting/);
    view.stdin.write('c');
    const listed = await until(view.lastFrame, (text) => text.includes('› package.json'));
    expect(listed).toContain(
      'ours: demo/bump\'s sandbox · theirs: the child plan demo/bump-2\n› package.json  content  from demo/bump-2\n  at dependencies.react\n  ours   │ "2"\n  base   │ "1"\n  theirs │ "3"\n',
    );
    view.stdin.write('t');
    await until(view.lastFrame, (text) =>
      text.includes('no conflicts left in demo/bump: g runs it on (as troupe plan run)'),
    );
    view.stdin.write('g');
    await until(view.lastFrame, (text) => text.includes('run demo/bump: it is at (validate, complete)'));
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });
  });
});
