import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/cli/ui/App.js';
import { createRuntime, type LocalRuntime } from '../../src/runtime/index.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';

// Issue 37 item 2: a follower (`events --follow`, `plan tree --follow`,
// `plan status --watch`), each in its own process, rides out PostgreSQL stopping
// and starting again: it says the store is unavailable, waits, says it is
// back, and carries on from the last event it printed — no gap, no
// duplicate, and never exit 13 (Node's code for a process whose awaited
// promise can no longer settle: before the fix, the lost LISTEN connection
// left nothing keeping the follower alive).

const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));
const unavailable = postgresUnavailable();

interface Follower {
  stdout: string;
  stderr: string;
  code: number | null;
}

// a troupe process (a follower, or the plan's own `plan run`): its pid, what it printed so far, and its end
function follow(dir: string, argv: string[]): { pid: number; seen: Follower; ended: Promise<Follower> } {
  const child = spawn(process.execPath, [BIN, ...argv], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const seen: Follower = { stdout: '', stderr: '', code: null };
  child.stdout.setEncoding('utf8').on('data', (text: string) => (seen.stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (seen.stderr += text));
  return {
    pid: child.pid!,
    seen,
    ended: new Promise((resolve) => child.once('exit', (code) => resolve({ ...seen, code: (seen.code = code ?? -1) }))),
  };
}

describe.skipIf(unavailable !== null)('followers through a PostgreSQL outage', () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startTestPostgres();
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  // a project on the test server whose plan was made by a runtime since closed, a runtime here that only reads it, and
  // the plan's own process (a `plan run`, to be held still while the server comes back) once its slow first step started
  async function drivenPlan(name: string, steps: ReturnType<typeof step>[]) {
    const repo = await tempRepo({ 'README.md': `# ${name}\n` });
    await mkdir(join(repo.dir, '.troupe'), { recursive: true });
    await writeFile(
      join(repo.dir, '.troupe', 'config.json'),
      JSON.stringify({ store: { kind: 'postgres', url: postgres.url, schema: postgres.schema() } }),
    );
    const maker = await createRuntime({ dir: repo.dir, resume: false, report: () => {} });
    await maker.createPlan(planYaml({ name, strategy: { steps } }));
    await maker.close();
    const runtime = await createRuntime({ dir: repo.dir, resume: false, report: () => {} });
    const driver = follow(repo.dir, ['plan', 'run', name, '--until', 'validate']);
    for (let tries = 0; !(await runtime.events(name)).some((event) => event.type === 'step.started'); tries += 1) {
      if (tries > 400) throw new Error(`the slow step never started:\n${driver.seen.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { repo, runtime, driver };
  }

  // a failed test leaves the plan's process held still: let it end
  async function letEnd(driver: ReturnType<typeof follow>): Promise<void> {
    if (driver.seen.code !== null) return;
    process.kill(driver.pid, 'SIGCONT');
    await Promise.race([driver.ended, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  }

  it('events --follow and plan tree --follow say so, wait, and carry on with no gap and no duplicate', async () => {
    const repo = await tempRepo({ 'README.md': '# outage\n' });
    await mkdir(join(repo.dir, '.troupe'), { recursive: true });
    await writeFile(
      join(repo.dir, '.troupe', 'config.json'),
      JSON.stringify({ store: { kind: 'postgres', url: postgres.url, schema: postgres.schema() } }),
    );
    const runtime = await createRuntime({ dir: repo.dir, resume: false, report: () => {} });
    try {
      await runtime.createPlan(
        planYaml({
          name: 'demo/outage',
          strategy: {
            steps: [
              step('First', 'fs/write-file', { path: 'a.txt', content: 'a\n' }),
              // the outage comes and goes while this runs
              step('Slow', 'shell/run', { command: 'sleep 10 && echo b > b.txt' }),
              step('Last', 'fs/write-file', { path: 'c.txt', content: 'c\n' }),
            ],
          },
        }),
      );
      const running = runtime.run('demo/outage', { until: 'validate' });
      const events = follow(repo.dir, ['events', 'demo/outage', '--follow']);
      const tree = follow(repo.dir, ['events', 'demo/outage', '--tree', '--follow']);
      const watch = follow(repo.dir, ['plan', 'status', 'demo/outage', '--watch']);
      // into the slow step
      for (
        let tries = 0;
        (await runtime.events('demo/outage')).every(
          (event) => !(event.type === 'step.started' && event.data.index === 1),
        );
        tries += 1
      ) {
        if (tries > 200) throw new Error('the slow step never started');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // both followers are following (they printed the journal so far) before the server goes
      for (
        let tries = 0;
        !events.seen.stdout.includes('"step.started"') ||
        !tree.seen.stdout.includes('"step.started"') ||
        !watch.seen.stdout.includes('watching');
        tries += 1
      ) {
        if (tries > 400) throw new Error(`the followers did not start:\n${events.seen.stderr}\n${tree.seen.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const back = await postgres.outage();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await back();
      const record = await running;
      expect([record.phase, record.status]).toEqual(['validate', 'complete']);
      // the status watch stops once the plan rests at validate, after drawing its last state: awaited
      // before the plan moves on, since it draws the record as it is when it reads it
      const watched = await watch.ended;
      expect(watched.code, watched.stderr).toBe(0);
      expect(watched.stderr).toContain('the store is unavailable');
      expect(watched.stdout).toContain('validate');
      // validate is as far as it goes: the event followers stop when Ctrl-C'd… or the plan ends; end it
      await runtime.runPhase(record.id, 'apply');
      const stored = (await runtime.events(record.id)).map((event) => event.seq);
      for (const follower of [await events.ended, await tree.ended]) {
        expect(follower.code, follower.stderr).toBe(0);
        const seqs = follower.stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { seq: number }).seq);
        expect(seqs).toEqual(stored);
        expect(follower.stderr).toMatch(/the store is unavailable \(.*\); waiting for it/);
        expect(follower.stderr).toContain('the store is back; carrying on');
        expect(follower.stderr.match(/unavailable/g)).toHaveLength(1);
      }
    } finally {
      await runtime.close();
      await repo.cleanup();
    }
  }, 90_000);

  it('plan status --watch and troupe ui do not call a plan stopped while its process takes it again after the outage', async () => {
    const { repo, runtime, driver } = await drivenPlan('demo/retaken', [
      step('Slow', 'shell/run', { command: 'sleep 12 && echo b > b.txt' }),
      step('Last', 'fs/write-file', { path: 'c.txt', content: 'c\n' }),
    ]);
    try {
      const watch = follow(repo.dir, ['plan', 'status', 'demo/retaken', '--watch']);
      // and troupe ui's view, every frame kept
      const view = render(createElement(App, { runtime, size: { columns: 140, rows: 40 } }));
      const shownStopped = () =>
        view.frames.filter((frame) => frame.includes('no process drives it') || frame.includes('processing · stopped'));
      for (
        let tries = 0;
        !watch.seen.stdout.includes('watching') || !(view.lastFrame() ?? '').includes('demo/retaken');
        tries += 1
      ) {
        if (tries > 400) throw new Error(`the watch did not start:\n${watch.seen.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // the server goes and comes back while the plan's process cannot take its plan again: the plan is undriven
      // for seconds after the watch reads the store again, as when the process's tries to take it are spaced out
      process.kill(driver.pid, 'SIGSTOP');
      const back = await postgres.outage();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await back();
      for (let tries = 0; !watch.seen.stderr.includes('the store is back'); tries += 1) {
        if (tries > 200 || watch.seen.code !== null)
          throw new Error(`the watch did not see the store back:\n${watch.seen.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // a watch that ends at its first undriven read has read it by now
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(watch.seen.stdout).not.toContain('stopped');
      expect(shownStopped()).toEqual([]);
      process.kill(driver.pid, 'SIGCONT');
      const driven = await driver.ended;
      expect(driven.code, driven.stderr).toBe(0);
      const watched = await watch.ended;
      expect(watched.code, watched.stderr).toBe(0);
      expect(watched.stdout).not.toContain('stopped');
      expect(watched.stdout).not.toContain('troupe plan resume');
      expect(watched.stdout).toContain('validate');
      expect(await runtime.getPlan('demo/retaken')).toMatchObject({ phase: 'validate', status: 'complete' });
      expect(shownStopped()).toEqual([]);
      view.unmount();
    } finally {
      await letEnd(driver);
      await runtime.close();
      await repo.cleanup();
    }
  }, 90_000);

  it("plan status and plan list, read once just after the restart, wait for the plan's process to take it back instead of calling it stopped; a runtime starting then, and plan resume, leave it to that process", async () => {
    const { repo, runtime, driver } = await drivenPlan('demo/once', [
      step('Slow', 'shell/run', { command: 'sleep 10 && echo b > b.txt' }),
    ]);
    let late: LocalRuntime | null = null;
    try {
      // the plan's process is held still through the restart and for seconds after it: the readers start in that gap,
      // when the plan is undriven, and its process takes it back before the first seconds of the server's life have passed
      process.kill(driver.pid, 'SIGSTOP');
      const back = await postgres.outage();
      await back();
      const readers = [
        follow(repo.dir, ['plan', 'status', 'demo/once']),
        follow(repo.dir, ['plan', 'status', 'demo/once', '--json']),
        follow(repo.dir, ['plan', 'list']),
      ];
      // a user who resumes it by name in the gap: refused once its process holds it again, not run a second time
      const resume = follow(repo.dir, ['plan', 'resume', 'demo/once']);
      // and a runtime that starts in the gap, restoring the plans it finds interrupted, must not take this one
      const lateReports: unknown[] = [];
      const starting = createRuntime({ dir: repo.dir, report: (message) => lateReports.push(message) });
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      process.kill(driver.pid, 'SIGCONT');
      late = await starting;
      expect(late.livePlanIds()).toEqual([]);
      const [status, json, list] = await Promise.all(readers.map((reader) => reader.ended));
      expect(status!.code, status!.stderr).toBe(0);
      expect(status!.stdout).toContain('execute · processing');
      expect(status!.stdout).not.toContain('stopped');
      expect(status!.stdout).not.toContain('troupe plan resume');
      expect(JSON.parse(json!.stdout)).toMatchObject({ status: 'processing', live: true });
      expect(list!.code, list!.stderr).toBe(0);
      expect(list!.stdout).toContain('demo/once');
      expect(list!.stdout).not.toContain('stopped');
      const resumed = await resume.ended;
      expect(resumed.code, resumed.stderr).toBe(1);
      expect(resumed.stderr).toContain('error[STORE_LOCKED]: plan demo/once is running in another process');
      const driven = await driver.ended;
      expect(driven.code, driven.stderr).toBe(0);
      expect(driven.stderr).not.toContain('another process took it');
      // its one step ran once, in the plan's own process
      expect((await runtime.events('demo/once')).filter((event) => event.type === 'step.started')).toHaveLength(1);
      expect(lateReports).toEqual([]);
    } finally {
      await letEnd(driver);
      await late?.close();
      await runtime.close();
      await repo.cleanup();
    }
  }, 90_000);
});
