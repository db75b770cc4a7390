import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { App } from '../../src/cli/ui/App.js';
import { openRuntime } from '../../src/runtime/index.js';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { planYaml, step } from '../runtime/fixtures.js';

// Honest status (issue 36 item 3): `plan status`, `plan list` and `troupe ui`
// say whether a process drives a plan, and a plan whose `plan run` was killed
// with SIGKILL mid-step shows stopped, since when, and how to resume it — its
// clock stopped. Real processes of the built CLI: `npm run build` first.

const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));
const ENV = { ...GIT_ENV, NO_COLOR: '1' };

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function troupe(dir: string, argv: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: dir, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// a step that writes a line every half second for half a minute
const COUNTING = (name: string) =>
  planYaml({
    name,
    automation: 'auto',
    strategy: {
      steps: [
        step('Count slowly', 'shell/run', {
          command: 'i=0; while [ $i -lt 60 ]; do i=$((i+1)); echo "tick $i"; sleep 0.5; done',
        }),
      ],
    },
  });

type Status = PlanRecord & { live: boolean };

async function status(dir: string, name: string): Promise<Status> {
  const ran = await troupe(dir, ['plan', 'status', name, '--json']);
  expect(ran.stderr).toBe('');
  return JSON.parse(ran.stdout) as Status;
}

async function until<T>(read: () => Promise<T>, wanted: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (wanted(value)) return value;
    if (Date.now() > deadline) throw new Error(`never ${what}; last: ${JSON.stringify(value).slice(0, 600)}`);
    await sleep(200);
  }
}

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
beforeAll(() => {
  if (!existsSync(new URL('../../dist/src/cli/bin.js', import.meta.url)))
    throw new Error('the CLI is not built: run npm run build first');
});

/** `troupe plan run` of a counting plan as a process of its own, until its step has written a line; then SIGKILL, under a `plan status --watch`. */
async function runThenKill(
  dir: string,
  name: string,
): Promise<{ running: Status; stopped: Status; runningText: string; stoppedAfterMs: number; watched: Promise<Ran> }> {
  writeFileSync(join(dir, 'count.yaml'), COUNTING(name));
  const run = spawn(process.execPath, [BIN, 'plan', 'run', 'count.yaml'], { cwd: dir, env: ENV, stdio: 'ignore' });
  children.push(run);
  // another process asks while the step runs: a process drives it
  const running = await until(
    () => status(dir, name).catch(() => null),
    (record) => record?.status === 'processing' && record.phase === 'execute',
    'processing in execute',
  );
  expect(running!.live).toBe(true);
  const runningText = (await troupe(dir, ['plan', 'status', name])).stdout;
  expect(runningText).toMatch(/running +step 1 of 1: Count slowly/);
  expect(runningText).not.toContain('stopped');
  const listed = JSON.parse((await troupe(dir, ['plan', 'list', '--json'])).stdout) as {
    name: string;
    live: boolean;
  }[];
  expect(listed.find((plan) => plan.name === name)?.live).toBe(true);
  // and a watch, watching when the process dies
  const watch = spawn(process.execPath, [BIN, 'plan', 'status', name, '--watch'], {
    cwd: dir,
    env: ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(watch);
  const seen: Ran = { code: null, stdout: '', stderr: '' };
  watch.stdout.on('data', (chunk: Buffer) => (seen.stdout += chunk.toString()));
  watch.stderr.on('data', (chunk: Buffer) => (seen.stderr += chunk.toString()));
  const watched = new Promise<Ran>((resolve) => watch.on('close', (code) => resolve({ ...seen, code })));
  await until(
    async () => seen.stdout,
    (text) => text.includes('watching'),
    'watching',
  );
  const exited = new Promise((resolve) => run.once('exit', resolve));
  const killedAt = Date.now();
  run.kill('SIGKILL');
  await exited;
  const stopped = await until(
    () => status(dir, name),
    (record) => !record.live,
    'not live',
  );
  return { running: running!, stopped, runningText, stoppedAfterMs: Date.now() - killedAt, watched };
}

/** What every view says of a plan whose process died, the same way. */
async function expectShownStopped(dir: string, name: string, stopped: Status): Promise<void> {
  expect(stopped).toMatchObject({ phase: 'execute', status: 'processing', live: false });
  // the clock stopped: two reads a second apart say the same
  const first = await troupe(dir, ['plan', 'status', name]);
  await sleep(1_200);
  const second = await troupe(dir, ['plan', 'status', name]);
  expect(second.stdout).toBe(first.stdout);
  expect(first.stdout).toContain('phase       execute · processing · stopped');
  expect(first.stdout).toContain(`stopped     no process drives it since ${stopped.updatedAt} (its last change)`);
  expect(first.stdout).toMatch(/running +step 1 of 1: Count slowly \(interrupted; started /);
  expect(first.stdout).not.toMatch(/\(for \d/);
  expect(first.stdout.trimEnd().split('\n').at(-1)).toBe(`hint: troupe plan resume ${name}`);

  const list = await troupe(dir, ['plan', 'list']);
  expect(list.stdout).toMatch(new RegExp(`${name} +execute +processing · stopped since ${stopped.updatedAt}`));
  expect(list.stdout).toContain(`hint: troupe plan resume ${name}`);
  const listed = JSON.parse((await troupe(dir, ['plan', 'list', '--json'])).stdout) as {
    name: string;
    live: boolean;
  }[];
  expect(listed.find((plan) => plan.name === name)).toMatchObject({ live: false });

  // troupe ui without a terminal prints the same model the Ink view draws
  const ui = await troupe(dir, ['ui', name]);
  expect(ui.stdout).toMatch(new RegExp(`^■ +${name}  execute · processing · stopped`, 'm'));
  expect(ui.stdout).toContain(
    `stopped  no process drives it since ${stopped.updatedAt} · hint: troupe plan resume ${name}`,
  );
  const model = JSON.parse((await troupe(dir, ['ui', name, '--json'])).stdout) as {
    plans: { stopped: boolean }[];
    details: { stoppedSince: string | null };
  };
  expect(model.plans[0]?.stopped).toBe(true);
  expect(model.details.stoppedSince).toBe(stopped.updatedAt);

  // --watch has nothing to wait for: it draws the plan once, stopped, and ends
  const watched = await troupe(dir, ['plan', 'status', name, '--watch']);
  expect(watched.code).toBe(0);
  expect(watched.stdout).toContain('execute · processing · stopped');
  expect(watched.stdout).toContain(`hint: troupe plan resume ${name}`);
}

describe('a plan whose process was killed with SIGKILL (LevelDB)', () => {
  it('is live while its plan run drives it, with the last line of its step; stopped afterwards in status, list and ui, its clock stopped', async () => {
    const repo = await tempRepo({ 'README.md': '# live\n' });
    cleanups.push(repo.cleanup);
    const { running, stopped, runningText, watched } = await runThenKill(repo.dir, 'demo/count');
    // the status process asked the one running it (it owns the store): the step's output so far
    expect(runningText).toMatch(/\n +│ tick \d+\n/);
    expect(stopped.updatedAt >= running.updatedAt).toBe(true);
    await expectShownStopped(repo.dir, 'demo/count', stopped);
    // the watch that saw it die ends, once it stayed undriven for a few seconds, saying so
    const ended = await watched;
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toContain('execute · processing · stopped');
    expect(ended.stdout.trimEnd().split('\n').at(-1)).toBe('hint: troupe plan resume demo/count');

    // the Ink view of troupe ui on the same project shows it the same way
    const session = await openRuntime({ dir: repo.dir, resume: false, report: () => {} });
    cleanups.push(() => session.close());
    const view = render(createElement(App, { runtime: session.runtime, size: { columns: 140, rows: 40 } }));
    cleanups.push(() => view.unmount());
    const frame = await until(
      async () => view.lastFrame() ?? '',
      (text) => text.includes('hint: troupe plan resume'),
      'drawn stopped',
    );
    expect(frame).toMatch(/■ +demo\/count {2}execute · processing · stopped/);
    expect(frame).toContain(`no process drives it since ${stopped.updatedAt}`);

    // resume goes on from there: live again
    await session.close();
    view.unmount();
    const resumed = spawn(process.execPath, [BIN, 'plan', 'resume', 'demo/count'], {
      cwd: repo.dir,
      env: ENV,
      stdio: 'ignore',
    });
    children.push(resumed);
    await until(
      () => status(repo.dir, 'demo/count'),
      (record) => record.live,
      'live again after resume',
    );
  }, 180_000);
});

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== null)('a plan whose process was killed with SIGKILL (PostgreSQL)', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is live to another process while its plan run holds it, and stopped as soon as the server ended the dead process’s connection', async () => {
    const repo = await tempRepo({ 'README.md': '# live on postgres\n' });
    cleanups.push(repo.cleanup);
    const schema = server.schema();
    cleanups.push(() => server.dropSchema(schema));
    await mkdir(join(repo.dir, '.troupe'), { recursive: true });
    await writeFile(
      join(repo.dir, '.troupe', 'config.json'),
      JSON.stringify({ store: { kind: 'postgres', url: server.url, schema } }),
    );
    const { stopped, stoppedAfterMs } = await runThenKill(repo.dir, 'demo/count-pg');
    // the kernel closed the dead process's socket: its claim ended with it, not after a lease ran out
    expect(stoppedAfterMs).toBeLessThan(10_000);
    await expectShownStopped(repo.dir, 'demo/count-pg', stopped);
  }, 180_000);
});
