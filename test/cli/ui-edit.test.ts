import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/cli/ui/App.js';
import { editorCommand } from '../../src/cli/ui/editor.js';
import { git, tempDir } from '../helpers/temp.js';
import { planYaml, projectWithRuntime, step } from '../runtime/fixtures.js';
import { until } from './ui-fixture.js';

// `e` in the conflict view of `troupe ui`: the conflicted file in the user's
// editor (a script here), Ink's keys released meanwhile, the edit as the resolution

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// a plan whose apply waits on a.txt and b.txt
async function waiting() {
  const opened = await projectWithRuntime({ 'a.txt': 'one\ntwo\nthree\n', 'b.txt': 'b\n' });
  cleanups.push(opened.close);
  const { dir, runtime } = opened;
  const steps = [
    step('Edit a', 'fs/write-file', { path: 'a.txt', content: 'one\nTWO plan\nthree\n' }),
    step('Edit b', 'fs/write-file', { path: 'b.txt', content: 'b plan\n' }),
  ];
  const plan = await runtime.createPlan(planYaml({ name: 'demo/clash', automation: 'review', strategy: { steps } }));
  await runtime.run(plan.id);
  writeFileSync(join(dir, 'a.txt'), 'one\nTWO user\nthree\n');
  writeFileSync(join(dir, 'b.txt'), 'b user\n');
  git(dir, 'commit', '-qam', 'the user moved on');
  expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ status: 'waiting' });
  return { dir, runtime, plan };
}

// an "editor": a script run with the file as $1
async function editor(body: string): Promise<string> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const path = join(dir, 'edit.sh');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function show(runtime: Parameters<typeof App>[0]['runtime'], env: NodeJS.ProcessEnv) {
  const view = render(
    createElement(App, { runtime, size: { columns: 120, rows: 40 }, env: { PATH: process.env.PATH, ...env } }),
  );
  cleanups.push(() => view.unmount());
  return view;
}

describe('editing a conflict in troupe ui', () => {
  it('opens the file with markers in $EDITOR, leaves raw mode meanwhile, and resolves with what was saved', async () => {
    const { dir, runtime, plan } = await waiting();
    const script = await editor(
      `grep -q '^<<<<<<< ours' "$1" || exit 3\nsleep 0.5\nprintf 'one\\nTWO edited\\nthree\\n' > "$1"`,
    );
    const view = show(runtime, { EDITOR: script });
    // what Ink asks of the terminal: raw mode off while the editor has it
    const rawModes: boolean[] = [];
    (view.stdin as unknown as { setRawMode: (on: boolean) => void }).setRawMode = (on) => void rawModes.push(on);
    await until(view.lastFrame, (text) => text.includes('a.txt  content'));
    view.stdin.write('c');
    await until(view.lastFrame, (text) => text.includes('o ours · t theirs · e edit'));
    view.stdin.write('e');
    await until(view.lastFrame, (text) =>
      text.includes(`editing a.txt in ${script}: the view comes back when the editor exits`),
    );
    // before the editor (which takes half a second) is done
    await until(
      () => String(rawModes.at(-1)),
      (last) => last === 'false',
    );
    expect(readFileSync(join(dir, (await runtime.conflicts(plan.id)).conflicts[0]!.edit!), 'utf8')).toContain(
      '<<<<<<< ours',
    );
    await until(view.lastFrame, (text) => text.includes('resolved a.txt with your edit: 1 left'));
    expect(rawModes.at(-1)).toBe(true);
    const { conflicts, resolved } = await runtime.conflicts(plan.id);
    expect(resolved).toEqual([{ file: 'a.txt', with: 'content' }]);
    expect(conflicts.map((conflict) => conflict.file)).toEqual(['b.txt']);
    await until(view.lastFrame, (text) => text.includes('› b.txt') && text.includes('theirs │ b plan'));
    view.stdin.write('o');
    await until(view.lastFrame, (text) => text.includes('resolved b.txt with ours: no conflicts left'));
    await until(
      view.lastFrame,
      (text) => text.includes('no conflicts left in demo/clash: g applies it') && text.includes('g go on'),
    );
    view.stdin.write('g');
    await until(view.lastFrame, (text) => text.includes('apply demo/clash: it is at (apply, done)'));
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('one\nTWO edited\nthree\n');
    expect((await runtime.getPlan(plan.id)).appliedCommit).toBe(git(dir, 'rev-parse', 'HEAD'));
  });

  it('refuses an edit that still has conflict markers, and says why an editor failed; nothing is resolved', async () => {
    const { runtime, plan } = await waiting();
    const view = show(runtime, { VISUAL: await editor('exit 0'), EDITOR: 'never-used' });
    await until(view.lastFrame, (text) => text.includes('a.txt  content'));
    view.stdin.write('c');
    await until(view.lastFrame, (text) => text.includes('e edit'));
    view.stdin.write('e');
    await until(view.lastFrame, (text) =>
      text.includes('a.txt still has conflict markers (line 2): nothing resolved · e edits it again, o ours, t theirs'),
    );
    view.unmount();
    const failing = show(runtime, { EDITOR: await editor('exit 1') });
    await until(failing.lastFrame, (text) => text.includes('a.txt  content'));
    failing.stdin.write('c');
    await until(failing.lastFrame, (text) => text.includes('e edit'));
    failing.stdin.write('e');
    await until(failing.lastFrame, (text) =>
      /edit a\.txt: the editor \S+ exited with code 1: nothing resolved/.test(text),
    );
    expect((await runtime.conflicts(plan.id)).resolved).toEqual([]);
    expect((await runtime.getPlan(plan.id)).status).toBe('waiting');
  });
});

describe('the editor', () => {
  it('takes $VISUAL, then $EDITOR, then vi, as git does', () => {
    expect(editorCommand({ VISUAL: 'code --wait', EDITOR: 'nano' })).toBe('code --wait');
    expect(editorCommand({ VISUAL: ' ', EDITOR: 'nano' })).toBe('nano');
    expect(editorCommand({})).toBe('vi');
  });
});
