import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/cli/ui/App.js';
import { openRuntime, type Runtime } from '../../src/runtime/index.js';
import { git, tempRepo, visibleTempDir } from '../helpers/temp.js';
import { planYaml, projectWithRuntime, step } from '../runtime/fixtures.js';
import { spawnHostChild } from '../runtime/host-child-process.js';

// the Ink view of `troupe ui` on a real runtime in a temp project

const ARROW_DOWN = '\u001B[B';
const ENTER = '\r';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    // a cleanup that hangs is named in the output, not only the hook's timeout
    const slow = setTimeout(() => console.error(`ui.test.ts: a cleanup still runs after 10 s: ${String(cleanup)}`), 10_000);
    try {
      await cleanup();
    } finally {
      clearTimeout(slow);
    }
  }
});

async function project(files?: Record<string, string>) {
  const opened = await projectWithRuntime(files);
  cleanups.push(opened.close);
  return opened;
}

/** A project whose store one session owns (`host`) and another reaches through its socket (`client`); both closed after the test. */
async function hostAndClient() {
  const repo = await tempRepo({ 'README.md': '# shared\n' });
  cleanups.push(repo.cleanup);
  const host = await openRuntime({ dir: repo.dir, resume: false, report: () => {} });
  cleanups.push(() => host.close());
  const client = await openRuntime({ dir: repo.dir, resume: false, report: () => {} });
  cleanups.push(() => client.close());
  return { host, client };
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

// the checkpoint line marked as selected
function selectedLine(frame: string): string | undefined {
  return frame.split('\n').find((line) => line.startsWith('› '));
}

describe('troupe ui (Ink)', () => {
  it('shows the plan tree with progress and the first plan’s details', async () => {
    const { runtime } = await project();
    await runtime.createPlan(planYaml({ name: 'demo/queued' }));
    const ran = await runtime.createPlan(twoSteps('demo/ran'));
    await runtime.run(ran.id);
    const view = show(runtime);
    const frame = await until(view.lastFrame, (text) => text.includes('phases'));
    // the newest plan first, and selected
    expect(frame).toMatch(/^ {4}demo\/ran  validate · complete  steps 2\/2\n {4}demo\/queued  strategize · queued  steps 0\/0\n/);
    expect(frame).toContain(`demo/ran  ${ran.id}`);
    expect(frame).toContain('phases  strategize ✓  execute ✓  validate ✓');
    expect(frame).toMatch(/checkpoints  \(\d+ older not shown\)\n\s+\w+ {2}(step|post-execute|phase)/);
    expect(frame).toContain('↑↓ move · enter expand · c conflicts · r rollback · x cancel · a ended · q quit');
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
    await until(view.lastFrame, (text) => text.includes(`demo/two  ${two.id}`));
    view.stdin.write(ARROW_DOWN);
    await until(view.lastFrame, (text) => text.includes(`demo/one  ${one.id}`));
    expect(listening).toBe(1);
    view.stdin.write('q');
    await until(() => String(listening), (text) => text === '0');
  });

  it('counts every key press, however fast they come, and moves a page or to the ends with PgUp/PgDn/Home/End', async () => {
    const { runtime } = await project();
    const ids: string[] = [];
    for (let at = 0; at < 40; at++) ids.push((await runtime.createPlan(planYaml({ name: `demo/p${String(at).padStart(2, '0')}` }))).id);
    // newest first: the row of demo/pNN is 39 - NN
    const showsRow = (row: number) => (text: string) => text.includes(`demo/p${String(39 - row).padStart(2, '0')}  ${ids[39 - row]}`);
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

  it('flags running, waiting and failed plans, hides plans that ended before it opened until a, and keeps one that ends while shown', async () => {
    const { runtime } = await project();
    const over = await runtime.createPlan(planYaml({ name: 'demo/over' }));
    await runtime.cancel(over.id);
    const failing = await runtime.createPlan(planYaml({ name: 'demo/failing', strategy: { steps: [step('Fail', 'shell/run', { command: 'exit 3' })] } }));
    await runtime.run(failing.id);
    const live = await runtime.createPlan(planYaml({ name: 'demo/live' }));
    const view = show(runtime);
    const frame = await until(view.lastFrame, (text) => text.includes('demo/live') && text.includes('phases'));
    expect(frame).toMatch(/^ {4}demo\/live  strategize · queued  steps 0\/0\n✗ {3}demo\/failing  execute · failed  steps 0\/1\n/);
    expect(frame).not.toContain('demo/over');
    expect(frame).toContain('steps 0/1\n  + 1 ended plan hidden · a shows it\n');
    expect(frame).toContain('x cancel · a ended · q quit');
    view.stdin.write('a');
    await until(view.lastFrame, (text) => text.includes('    demo/over  strategize · cancelled') && !text.includes('hidden'));
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
      strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', entries: ['x', 'y'].map((child) => ({ goal: `Write ${child}`, resourceScopes: [`${child}.txt`], strategy: { steps: [step('Write', 'fs/write-file', { path: `${child}.txt`, content: 'x\n' })] } })) } }] },
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
    expect(listed).toContain("ours: the project's branch · theirs: the plan demo/clash\n› a.txt  content\n  b.txt  content\n  a.txt\n  ours   │ TWO user\n  base   │ two\n  theirs │ TWO plan\n");
    view.stdin.write('t');
    await until(view.lastFrame, (text) => text.includes('resolved a.txt with theirs: 1 left'));
    expect((await runtime.conflicts(plan.id)).resolved).toEqual([{ file: 'a.txt', with: 'theirs' }]);
    await until(view.lastFrame, (text) => text.includes('› b.txt') && text.includes('theirs │ b plan'));
    view.stdin.write('o');
    await until(view.lastFrame, (text) => text.includes('resolved b.txt with ours: no conflicts left · g applies demo/clash'));
    // the last conflict resolved: the merge is made, and g goes on (apply, as troupe plan apply)
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'apply', status: 'queued' });
    await until(view.lastFrame, (text) => text.includes('no conflicts left in demo/clash: g applies it (as troupe plan apply)') && text.includes('g go on · c back'));
    view.stdin.write('g');
    await until(view.lastFrame, (text) => text.includes('apply demo/clash: it is at (apply, done)'));
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'apply', status: 'done' });
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('one\nTWO plan\nthree\n');
  });

  it('shows whose side is whose in a child plan’s merge with the hunk’s key path, and g runs the plan on after the last file', async () => {
    const { runtime } = await project({ 'package.json': '{"dependencies": {"react": "1"}}\n' });
    const entries = ['2', '3'].map((react) => ({ goal: `React ${react}`, resourceScopes: ['package.json'], strategy: { steps: [step('Bump', 'fs/write-file', { path: 'package.json', content: `{"dependencies": {"react": "${react}"}}\n` })] } }));
    const plan = await runtime.createPlan(planYaml({ name: 'demo/bump', automation: 'review', strategy: { steps: [{ title: 'Bump twice', subplans: { mode: 'parallel', entries } }] } }));
    expect(await runtime.run(plan.id)).toMatchObject({ phase: 'execute', status: 'waiting' });
    const view = show(runtime);
    await until(view.lastFrame, (text) => text.includes('package.json  content  from demo/bump-2'));
    expect(view.lastFrame()).toMatch(/^! ▾ demo\/bump {2}execute · waiting/);
    view.stdin.write('c');
    const listed = await until(view.lastFrame, (text) => text.includes('› package.json'));
    expect(listed).toContain("ours: demo/bump's sandbox · theirs: the child plan demo/bump-2\n› package.json  content  from demo/bump-2\n  at dependencies.react\n  ours   │ \"2\"\n  base   │ \"1\"\n  theirs │ \"3\"\n");
    view.stdin.write('t');
    await until(view.lastFrame, (text) => text.includes('no conflicts left in demo/bump: g runs it on (as troupe plan run)'));
    view.stdin.write('g');
    await until(view.lastFrame, (text) => text.includes('run demo/bump: it is at (validate, complete)'));
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });
  });

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
    expect(done).toContain('rolled back demo/undo: 2 files reverted, 0 decisions discarded · undo: r, enter on pre-rollback');
    // the tree and the details pane are read apart: r picks from the details, so wait for them to list the undo point too
    await until(view.lastFrame, (text) => text.includes('demo/undo  execute · queued') && text.includes('  pre-rollback  ('));
    view.stdin.write('r');
    const offered = await until(view.lastFrame, (text) => text.includes('enter preview the rollback'));
    expect(selectedLine(offered)).toContain('pre-rollback');
    expect(await runtime.getPlan(plan.id)).toMatchObject({ phase: 'execute', status: 'queued', reversionCount: 1 });
    // queued again: execute has not started (again), and validate, undone, is gone from the timeline
    view.stdin.write('r');
    const queued = await until(view.lastFrame, (text) => text.includes('r rollback · x cancel') && text.includes('phases'));
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

  it('says there are no plans yet, and how to make one', async () => {
    const { runtime } = await project();
    const view = show(runtime);
    await until(view.lastFrame, (text) => text.includes('no plans yet — create one with troupe plan new (q quits)'));
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

  it('says why when the plans cannot be read (the process it followed went away)', async () => {
    const { host, client } = await hostAndClient();
    await host.close();
    const view = show(client.runtime);
    // the CLI asks the next owner instead (troupe ui reconnects); a bare client says what happened
    await until(view.lastFrame, (text) => text.includes('STORE_LOCKED: the troupe host is shutting down'));
  });

  it('says why when the selected plan’s details cannot be read any more', async () => {
    const { host, client } = await hostAndClient();
    await host.runtime.createPlan(planYaml({ name: 'demo/one' }));
    const two = await host.runtime.createPlan(planYaml({ name: 'demo/two' }));
    const view = show(client.runtime);
    await until(view.lastFrame, (text) => text.includes('demo/two') && text.includes('phases'));
    await host.close();
    view.stdin.write(ARROW_DOWN);
    const frame = await until(view.lastFrame, (text) => text.includes('STORE_LOCKED: the troupe host is shutting down'));
    // the tree it had stays on screen
    expect(frame).toContain('demo/two  strategize · queued');
    expect(frame).not.toContain(`demo/two  ${two.id}`);
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

const SLOW = (name: string) => planYaml({ name, strategy: { steps: [step('Sleep', 'shell/run', { command: 'sleep 1' }), step('Write', 'fs/write-file', { path: 'out.txt', content: 'x\n' })] } });

describe('troupe ui through the host socket', () => {
  it('follows a plan the owner of the store runs, live, as its client', async () => {
    const { host, client } = await hostAndClient();
    expect([host.role, client.role]).toEqual(['host', 'client']);
    const plan = await host.runtime.createPlan(SLOW('demo/elsewhere'));
    const view = show(client.runtime);
    await until(view.lastFrame, (text) => text.includes('demo/elsewhere  strategize · queued'));
    // the client never drives the plan: what it shows next comes from the host's events
    const running = host.runtime.run(plan.id, { until: 'execute' });
    await until(view.lastFrame, (text) => text.includes('demo/elsewhere  execute · processing  steps 0/2'));
    await until(view.lastFrame, (text) => text.includes('demo/elsewhere  execute · complete  steps 2/2') && text.includes('phases  strategize ✓  execute ✓'));
    await running;
  });
});

// tmux gives the CLI a real terminal — raw mode, arrow keys and q as a user
// types them — and shows the screen as the user sees it (capture-pane). CI
// installs tmux (.ci/run); elsewhere the test is skipped without it.
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('troupe ui in a real terminal (tmux)', () => {
  it('is run in CI', () => {
    if (process.env.CI && process.env.CI !== '0' && process.env.CI !== 'false') expect(hasTmux, 'tmux must be installed in CI (.ci/run installs it)').toBe(true);
  });

  it.skipIf(!hasTmux)('follows a plan another process runs, flagged and coloured, takes over the store when that process ends, counts every key typed at once, and quits on q', async () => {
    const { dir, runtime } = await project();
    // older plans, below the ones the test watches
    for (let at = 0; at < 12; at++) await runtime.createPlan(planYaml({ name: `demo/old-${String(at).padStart(2, '0')}` }));
    await runtime.createPlan(planYaml({ name: 'demo/one' }));
    // its first step waits for the test to say go: the ui sees it running, whatever the machine's speed
    // (outside the sandbox, where the step can read it)
    const flags = await visibleTempDir('troupe-go-');
    cleanups.push(flags.cleanup);
    const go = join(flags.dir, 'go');
    const plan = await runtime.createPlan(
      planYaml({ name: 'demo/elsewhere', strategy: { steps: [step('Wait', 'shell/run', { command: `while [ ! -f ${go} ]; do sleep 0.05; done` }), step('Write', 'fs/write-file', { path: 'out.txt', content: 'x\n' })] } }),
    );
    await runtime.close();
    // `troupe plan run` in another terminal: it owns the store while it runs the plan
    const host = spawnHostChild(dir, plan.id, cleanups);
    await host.line('host');

    const root = resolve(import.meta.dirname, '../..');
    const socket = `troupe-ui-${process.pid}-${Date.now()}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const exitFile = join(dir, 'ui-exit-code');
    // a user's terminal is not CI: Ink draws only the last frame in CI, and colours are off wherever CI is set
    const command = `env -u CI -u CONTINUOUS_INTEGRATION -u NO_COLOR node --import tsx ${join(root, 'src/cli/bin.ts')} -C ${dir} ui; echo $? > ${exitFile}`;
    tmux('new-session', '-d', '-x', '100', '-y', '30', '-e', 'TERM=xterm-256color', command);
    // the server ends with its only window after q; if the test failed before, it is still there
    cleanups.push(() => void spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' }));
    const screen = () => tmux('capture-pane', '-p');

    await until(screen, (text) => text.includes('demo/elsewhere  execute · processing  steps 0/2'));
    // running: flagged with a shape that reads without colour, and cyan on a terminal with colour
    const running = tmux('capture-pane', '-p', '-e').split('\n').find((line) => line.includes('demo/elsewhere  execute · processing'))!;
    expect(running.replace(/\u001B\[[0-9;]*m/g, '')).toMatch(/^● {3}demo\/elsewhere/);
    expect(running).toMatch(/\u001B\[[0-9;]*36[;m]/);
    writeFileSync(go, '');
    await until(screen, (text) => text.includes('demo/elsewhere  execute · complete  steps 2/2'));
    await host.line('done');
    // the other process ended: the ui carries on as the owner of the store, so the next command is its client
    let role = '';
    for (const deadline = Date.now() + 15_000; role !== 'client' && Date.now() < deadline; ) {
      const session = await openRuntime({ dir, resume: false, report: () => {} });
      role = session.role;
      if (role === 'client') await session.runtime.createPlan(planYaml({ name: 'demo/later' }));
      await session.close();
      if (role !== 'client') await new Promise((wait) => setTimeout(wait, 100));
    }
    expect(role).toBe('client');
    const later = await until(screen, (text) => text.includes('demo/later  strategize · queued'));
    expect(later).not.toContain('went away');

    // the newest plans first: demo/later, then demo/elsewhere (selected since the view opened), then demo/one
    expect(later).toMatch(/demo\/later .*\n.*demo\/elsewhere .*\n.*demo\/one /);
    expect(later).toMatch(/\ndemo\/elsewhere {2}\w{26}\n/);
    tmux('send-keys', 'Down');
    await until(screen, (text) => /\ndemo\/one {2}\w{26}\n/.test(text));
    // ten presses in one go, as a key held down sends them: each one moves a row (demo/old-11 is the row after demo/one)
    tmux('send-keys', ...Array<string>(10).fill('Down'));
    await until(screen, (text) => /\ndemo\/old-02 {2}\w{26}\n/.test(text));
    tmux('send-keys', 'End');
    await until(screen, (text) => /\ndemo\/old-00 {2}\w{26}\n/.test(text));
    tmux('send-keys', 'Home');
    await until(screen, (text) => /\ndemo\/later {2}\w{26}\n/.test(text));
    tmux('send-keys', 'q');
    await until(() => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8') : ''), (text) => text.trim() !== '');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
  });
});
