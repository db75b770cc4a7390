import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo, visibleTempDir } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// `troupe plan status` names the step a plan runs; `--watch` draws the status
// again on every event (in place on a terminal) until the plan rests

const CLEAR = '\u001b[H\u001b[2J';
let dir: string;
let go: string;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  const repo = await tempRepo({ 'README.md': '# watch\n' });
  cleanups.push(repo.cleanup);
  dir = repo.dir;
  // the first step waits for the test to say go (outside the sandbox, where the step can read it)
  const flags = await visibleTempDir('troupe-go-');
  cleanups.push(flags.cleanup);
  go = join(flags.dir, 'go');
  const steps = [
    step('Wait for go', 'shell/run', { command: `while [ ! -f ${go} ]; do sleep 0.05; done` }),
    step('Write', 'fs/write-file', { path: 'out.txt', content: 'x\n' }),
  ];
  writeFileSync(join(dir, 'wait.yaml'), planYaml({ name: 'demo/wait', strategy: { steps } }));
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function until<T>(read: () => Promise<T>, wanted: (value: T) => boolean): Promise<T> {
  for (const deadline = Date.now() + 15_000; ;) {
    const value = await read();
    if (wanted(value)) return value;
    if (Date.now() > deadline) throw new Error(`never came: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('troupe plan status', () => {
  it('says which step a plan in execute runs, and --watch redraws it in place on a terminal until the plan rests', async () => {
    const running = runCli(dir, ['plan', 'run', 'wait.yaml']);
    const status = await until(
      () => runCli(dir, ['plan', 'status', 'demo/wait'], { env: { NO_COLOR: '1' } }),
      (result) => result.stdout.includes('running'),
    );
    expect(status.stdout).toMatch(/\n {2}phase +execute · processing\n/);
    expect(status.stdout).toMatch(/\n {2}running +step 1 of 2: Wait for go\n/);

    const watching = runCli(dir, ['plan', 'status', 'demo/wait', '--watch'], { env: { NO_COLOR: '1' }, isTty: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeFileSync(go, '');
    const watched = await watching;
    expect(watched).toMatchObject({ code: 0, stderr: '' });
    // every frame replaces the one before: the screen is cleared first, nothing scrolls
    expect(watched.stdout.startsWith(CLEAR)).toBe(true);
    const frames = watched.stdout.split(CLEAR).slice(1);
    expect(frames.length).toBeGreaterThan(1);
    expect(frames[0]).toMatch(/ {2}running +step 1 of 2: Wait for go\n/);
    expect(frames[0]).toContain('\nwatching demo/wait: drawn again on every event until it rests · Ctrl-C stops\n');
    // it ends on the frame where the plan rests, with what to run next
    expect(frames.at(-1)).toMatch(/ {2}phase +validate · complete\n/);
    expect(frames.at(-1)).not.toContain('running');
    expect(frames.at(-1)).toMatch(/\nnext: troupe plan apply demo\/wait .*\n$/);
    expect((await running).code).toBe(0);
  });

  it('prints a plan at rest once and ends, without redrawing in a pipe', async () => {
    await runCli(dir, ['plan', 'new', '--name', 'demo/resting', '--goal', 'g']);
    const watched = await runCli(dir, ['plan', 'status', 'demo/resting', '--watch'], { env: { NO_COLOR: '1' } });
    expect(watched.code).toBe(0);
    expect(watched.stdout).not.toContain(CLEAR);
    expect(watched.stdout).toMatch(
      /^demo\/resting {2}\w{26}\n {2}phase +strategize · queued\n[^]*\nnext: troupe plan run demo\/resting\n\n$/,
    );
  });
});
