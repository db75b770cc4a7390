import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/cli/ui/App.js';
import type { Runtime } from '../../src/runtime/index.js';
import { git } from '../helpers/temp.js';
import { planYaml, projectWithRuntime, step } from '../runtime/fixtures.js';

// the Ink view of `troupe ui` on a real runtime in a temp project

const ARROW_DOWN = '\u001B[B';
const ENTER = '\r';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(files?: Record<string, string>) {
  const opened = await projectWithRuntime(files);
  cleanups.push(opened.close);
  return opened;
}

function show(runtime: Runtime, props: { rootIds?: string[]; size?: { columns: number; rows: number } } = {}) {
  const view = render(createElement(App, { runtime, size: { columns: 120, rows: 40 }, ...props }));
  cleanups.push(() => view.unmount());
  return view;
}

async function until(frame: () => string | undefined, wanted: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = frame() ?? '';
    if (wanted(text)) return text;
    if (Date.now() > deadline) throw new Error(`the view never showed what was wanted; last frame:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const twoSteps = (name: string) =>
  planYaml({ name, automation: 'review', strategy: { steps: [step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a\n' }), step('Write b', 'fs/write-file', { path: 'b.txt', content: 'b\n' })] } });

describe('troupe ui (Ink)', () => {
  it('shows the plan tree with progress and the first plan’s details', async () => {
    const { runtime } = await project();
    const ran = await runtime.createPlan(twoSteps('demo/ran'));
    await runtime.run(ran.id);
    await runtime.createPlan(planYaml({ name: 'demo/queued' }));
    const view = show(runtime);
    const frame = await until(view.lastFrame, (text) => text.includes('phases'));
    expect(frame).toContain('demo/ran  validate · complete  steps 2/2');
    expect(frame).toContain('demo/queued  strategize · queued  steps 0/0');
    expect(frame).toContain(`demo/ran  ${ran.id}`);
    expect(frame).toContain('phases  strategize ✓  execute ✓  validate ✓');
    expect(frame).toMatch(/checkpoints  \(\d+ older not shown\)\n\s+\w+ {2}(step|post-execute|phase)/);
    expect(frame).toContain('↑↓ move · enter expand/collapse');
  });

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
    await until(view.lastFrame, (text) => text.includes(`demo/one  ${one.id}`));
    view.stdin.write(ARROW_DOWN);
    await until(view.lastFrame, (text) => text.includes(`demo/two  ${two.id}`));
    expect(listening).toBe(1);
    view.stdin.write('q');
    await until(() => String(listening), (text) => text === '0');
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

  it('shows child plans with their attempt, and enter collapses them', async () => {
    const { runtime } = await project();
    const fan = planYaml({
      name: 'demo/fan',
      automation: 'review',
      strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', entries: ['x', 'y'].map((child) => ({ goal: `Write ${child}`, resourceScopes: [`${child}.txt`], strategy: { steps: [step('Write', 'fs/write-file', { path: `${child}.txt`, content: 'x\n' })] } })) } }] },
    });
    const parent = await runtime.createPlan(fan);
    await runtime.run(parent.id);
    const view = show(runtime);
    const frame = await until(view.lastFrame, (text) => text.includes('children 2/2'));
    expect(frame).toContain('▾ demo/fan  validate · complete  steps 1/1  children 2/2');
    expect(frame).toMatch(/ {4}demo\/fan-\w+ {2}\w+ · \w+ {2}\(complete, attempt 1\)/);
    view.stdin.write(ENTER);
    const collapsed = await until(view.lastFrame, (text) => text.includes('▸ demo/fan'));
    expect(collapsed).not.toMatch(/attempt 1/);
  });

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

  it('lists the open conflicts with c and resolves one with t (theirs)', async () => {
    const { dir, runtime } = await project({ 'a.txt': 'one\ntwo\nthree\n', 'b.txt': 'b\n' });
    const plan = await runtime.createPlan(
      planYaml({ name: 'demo/clash', automation: 'review', strategy: { steps: [step('Edit a', 'fs/write-file', { path: 'a.txt', content: 'one\nTWO plan\nthree\n' }), step('Edit b', 'fs/write-file', { path: 'b.txt', content: 'b plan\n' })] } }),
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
    view.stdin.write('t');
    await until(view.lastFrame, (text) => text.includes('resolve a.txt --theirs: done'));
    expect((await runtime.conflicts(plan.id)).resolved).toEqual([{ file: 'a.txt', with: 'theirs' }]);
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

// util-linux `script` gives the CLI a real pseudo-terminal: raw mode, arrow keys and q as a user types them
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('troupe ui in a real terminal', () => {
  it.skipIf(!hasScript)('draws the tree, follows the arrow keys and ends on q with exit 0', async () => {
    const { dir, runtime } = await project();
    await runtime.createPlan(planYaml({ name: 'demo/one' }));
    const two = await runtime.createPlan(planYaml({ name: 'demo/two' }));
    // the CLI must own the store itself or reach this runtime's socket: close it
    await runtime.close();
    const root = resolve(import.meta.dirname, '../..');
    const command = `stty cols 100 rows 30; exec node --import tsx ${join(root, 'src/cli/bin.ts')} -C ${dir} ui`;
    // Ink draws only the last frame when it thinks it runs in CI (CI=true there): a user's terminal is not CI
    const env = { ...process.env, CI: '0', CONTINUOUS_INTEGRATION: '0' };
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await until(() => output, (text) => text.includes('q quit'));
    expect(output).toContain('demo/one  strategize · queued  steps 0/0');
    child.stdin.write(ARROW_DOWN);
    await until(() => output, (text) => text.includes(`demo/two  ${two.id}`));
    child.stdin.write('q');
    expect(await exited).toBe(0);
    clearTimeout(timer);
  });
});
