import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { createRuntime, type LocalRuntime } from '../../src/runtime/index.js';
import { PlanQueue } from '../../src/runtime/workers/plan-queue.js';
import { RemoteBranches } from '../../src/sandbox/remote-branches.js';
import { processesRunning } from '../helpers/processes.js';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';
import { runCli } from '../cli/run-cli.js';
import { child, clusterServers, clusterUnavailable, fan, flaky, flakyPaths, until } from './worker-cluster.js';

// Child plans on workers (issue 21 item 2), with the workers in this
// process (each in a clone of its own) so that retries, timeouts,
// fail-fast and cancellation can be watched closely; the multi-process run
// with a SIGKILL is workers.e2e.test.ts; jobs a worker meets twice are
// scale-out-jobs.int.test.ts. Real PostgreSQL, Redis and git.

describe.skipIf(clusterUnavailable !== null)('child plans on workers', () => {
  const { servers, cluster } = clusterServers();
  const cleanups = servers.cleanups;

  it('runs each child on a worker and merges it as on one machine', async () => {
    const { dir, runtime, workers, said } = await cluster(2);
    // each worker ran a plan of its own before it took a job, on its machine alone: nothing of it is in the shared store
    expect(said.filter((line) => /^start check: a plan ran here end to end in \d+ ms$/.test(line))).toHaveLength(2);
    expect(said.findIndex((line) => line.startsWith('start check'))).toBeLessThan(
      said.findIndex((line) => line.startsWith('worker on')),
    );
    await runtime.createPlan(
      fan(
        'demo/fan',
        ['a', 'b', 'c'].map((name) =>
          child(`demo/${name}`, [step('Write', 'fs/write-file', { path: `${name}.txt`, content: `${name}\n` })]),
        ),
      ),
    );
    // the parent's process hears the children's journals live, though they run on the workers
    const heard: JournalEvent[] = [];
    const stop = runtime.subscribe('*', (event) => heard.push(event));
    const record = await runtime.run('demo/fan', { until: 'validate' });
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    for (const name of ['a', 'b', 'c'])
      expect(git(dir, 'show', `${record.sandbox!.headCommit}:${name}.txt`)).toBe(name);
    const tree = await runtime.tree('demo/fan');
    expect(tree.children.map((node) => [node.name, node.status])).toEqual([
      ['demo/a', 'done'],
      ['demo/b', 'done'],
      ['demo/c', 'done'],
    ]);
    for (const node of tree.children) {
      const stored = await runtime.events(node.id);
      const live = heard.filter((event) => event.planId === node.id);
      // all of it, once, in order: what the workers wrote, relayed from the feed, and the merge this process wrote
      expect(live.map((event) => event.seq)).toEqual(stored.map((event) => event.seq));
    }
    stop();
    expect((await runtime.listPlans({ all: true })).map((plan) => plan.name)).not.toContain('worker/start-check');
    // nothing ran in the parent's repository: the children's worktrees are the workers'
    for (const node of tree.children) {
      expect(existsSync(join(dir, '.troupe', 'worktrees', node.id))).toBe(false);
      expect(workers.some((worker) => existsSync(join(worker.clone, '.troupe', 'worktrees', node.id)))).toBe(true);
    }
  }, 120_000);

  it('starts a child where the store recorded it, fetching nothing its clone has, though the remote’s branch holds a commit more', async () => {
    const { dir, runtime, remote, addWorker } = await cluster(0);
    await runtime.createPlan(
      fan('demo/ahead', [
        child('demo/once', [step('Write', 'fs/write-file', { path: 'once.txt', content: 'once\n' })]),
      ]),
    );
    const running = runtime.run('demo/ahead', { until: 'validate' });
    const childId = await until(async () => (await runtime.tree('demo/ahead')).children[0]?.id, 30_000);
    const sandbox = (await until(async () => (await runtime.getPlan(childId)).sandbox ?? undefined, 30_000))!;
    // a worker that died after pushing a step commit it never stored: the remote's branch is one commit ahead of the record
    const ghost = await tempRepo({ 'README.md': '# fan\n' });
    cleanups.push(ghost.cleanup);
    git(ghost.dir, 'fetch', '--quiet', remote, 'main');
    git(ghost.dir, 'reset', '--quiet', '--hard', sandbox.headCommit);
    await writeFile(join(ghost.dir, 'ghost.txt'), 'never stored\n');
    git(ghost.dir, 'add', 'ghost.txt');
    git(ghost.dir, 'commit', '--quiet', '-m', 'a step commit never stored');
    git(ghost.dir, 'push', '--quiet', '--force', remote, `HEAD:refs/heads/${sandbox.branch}`);

    const worker = await addWorker();
    const record = await running;
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    expect(git(dir, 'show', `${record.sandbox!.headCommit}:once.txt`)).toBe('once');
    expect(git(dir, 'ls-tree', '--name-only', record.sandbox!.headCommit).split('\n')).not.toContain('ghost.txt');
    // the clone had the spawn point: nothing was fetched for the child
    expect(git(worker.clone, 'for-each-ref', `refs/troupe/fetched/${childId}`)).toBe('');
  }, 120_000);

  it('troupe events --follow, in another process of the parent’s machine, prints a worker’s child live to its end', async () => {
    const { dir, runtime } = await cluster(1);
    await runtime.createPlan(
      fan('demo/watched', [
        child('demo/busy', [step('Slow', 'shell/run', { command: 'sleep 2 && echo busy > busy.txt' })]),
      ]),
    );
    const running = runtime.run('demo/watched', { until: 'validate' });
    const childId = await until(async () => (await runtime.tree('demo/watched')).children[0]?.id, 30_000);
    const followed = await runCli(dir, ['events', childId, '--follow']);
    const record = await running;
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    expect(followed.code, followed.stderr).toBe(0);
    const printed = followed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JournalEvent);
    expect(printed.map((event) => event.seq)).toEqual((await runtime.events(childId)).map((event) => event.seq));
    expect(printed.at(-1)).toMatchObject({ type: 'phase.completed', phase: 'apply' });
  }, 120_000);

  it('retries a failed attempt as a new job', async () => {
    const { runtime } = await cluster(1);
    flakyPaths.clear();
    await runtime.createPlan(
      fan('demo/retry', [child('demo/flaky', [step('Write', 'test/flaky-write', { path: 'f.txt', content: 'f\n' })])], {
        retries: 1,
      }),
    );
    const record = await runtime.run('demo/retry', { until: 'execute' });
    expect([record.phase, record.status]).toEqual(['execute', 'complete']);
    expect(record.subplanStatuses).toMatchObject({
      [Object.keys(record.subplanStatuses)[0]!]: { status: 'complete', attempt: 2 },
    });
    const childId = (await runtime.tree('demo/retry')).children[0]!.id;
    const resumed = (await runtime.events(childId)).filter((event) => event.type === 'plan.resumed');
    expect(resumed.map((event) => event.data)).toContainEqual(expect.objectContaining({ attempt: 2 }));
  }, 120_000);

  it('cancels a child on its worker at its deadline (TIMEOUT), its command stopped', async () => {
    const { runtime } = await cluster(1);
    const marker = `sleep 60.${Date.now() % 10_000}`;
    await runtime.createPlan(
      fan('demo/slow', [child('demo/sleepy', [step('Sleep', 'shell/run', { command: marker })])], {
        timeoutMs: 4_000,
        retries: 0,
      }),
    );
    const started = Date.now();
    const record = await runtime.run('demo/slow', { until: 'execute' });
    expect(record.status).toBe('failed');
    expect(record.error?.message).toMatch(/TIMEOUT/);
    expect(Date.now() - started).toBeLessThan(40_000);
    const sleepy = (await runtime.tree('demo/slow')).children[0]!;
    expect((await runtime.getPlan(sleepy.id)).status).toBe('cancelled');
    expect(await processesRunning(marker)).toEqual([]);
  }, 120_000);

  it('fail-fast cancels the siblings on their workers', async () => {
    const { runtime } = await cluster(2);
    await runtime.createPlan(
      fan('demo/ff', [
        child('demo/bad', [step('Fail', 'shell/run', { command: 'sleep 1; exit 7' })]),
        child('demo/long-1', [step('Sleep', 'shell/run', { command: 'sleep 60' })]),
        child('demo/long-2', [step('Sleep', 'shell/run', { command: 'sleep 60' })]),
      ]),
    );
    const started = Date.now();
    const record = await runtime.run('demo/ff', { until: 'execute' });
    expect(record.status).toBe('failed');
    expect(Date.now() - started).toBeLessThan(40_000);
    const statuses = Object.fromEntries(
      (await runtime.tree('demo/ff')).children.map((node) => [node.name, node.status]),
    );
    expect(statuses).toEqual({ 'demo/bad': 'failed', 'demo/long-1': 'cancelled', 'demo/long-2': 'cancelled' });
  }, 120_000);

  it('a worker that loses the remote stops taking jobs, waits, and the child goes on once it is back', async () => {
    const { dir, runtime, remote, said } = await cluster(1);
    await runtime.createPlan(
      fan('demo/outage', [
        child('demo/steady', [
          step('First', 'fs/write-file', { path: 'steady-1.txt', content: 'one\n' }),
          step('Slow', 'shell/run', { command: 'sleep 2 && echo once >> steady.log' }),
          step('Last', 'fs/write-file', { path: 'steady-2.txt', content: 'two\n' }),
        ]),
      ]),
    );
    const running = runtime.run('demo/outage', { until: 'validate' });
    // the remote goes away while the child is in its slow step, and comes back a few seconds later
    await until(async () => (said.some((line) => line.startsWith('taking')) ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await rename(remote, `${remote}.away`);
    await until(async () => (said.some((line) => line.startsWith('pausing')) ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await rename(`${remote}.away`, remote);
    const record = await running;
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    expect(said.some((line) => line === 'resumed')).toBe(true);
    // nothing half-written, nothing twice: every step's effect once on the merged head
    const head = record.sandbox!.headCommit;
    expect(git(dir, 'show', `${head}:steady.log`)).toBe('once');
    expect(git(dir, 'show', `${head}:steady-2.txt`)).toBe('two');
  }, 120_000);

  it('a worker that loses the database waits until it is back; every step lands once', async () => {
    const { dir, runtime, said } = await cluster(1);
    await runtime.createPlan(
      fan('demo/dbout', [
        child('demo/patient', [
          step('First', 'fs/write-file', { path: 'patient-1.txt', content: 'one\n' }),
          step('Slow', 'shell/run', { command: 'sleep 2 && echo once >> patient.log' }),
          step('Last', 'fs/write-file', { path: 'patient-2.txt', content: 'two\n' }),
        ]),
      ]),
    );
    const running = runtime.run('demo/dbout', { until: 'validate' });
    await until(async () => (said.some((line) => line.startsWith('taking')) ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const back = await servers.postgres.outage();
    await until(async () => (said.some((line) => line.startsWith('pausing')) ? true : undefined), 60_000).catch(
      (error: unknown) => {
        throw new Error(`${String(error)}: ${said.join(' | ')}`);
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await back();
    const record = await running;
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    expect(said).toContain('resumed');
    // the write that failed names the plan as every other line does: by name and id
    const unwritten = said.filter((line) => line.startsWith('report: could not persist plan'));
    expect(unwritten.length, said.join(' | ')).toBeGreaterThan(0);
    expect(
      unwritten.every((line) => /^report: could not persist plan demo\/patient \(\w+\): /.test(line)),
      said.join(' | '),
    ).toBe(true);
    const head = record.sandbox!.headCommit;
    expect(git(dir, 'show', `${head}:patient.log`)).toBe('once');
    expect(git(dir, 'show', `${head}:patient-2.txt`)).toBe('two');
  }, 180_000);

  it('runs a root plan on a worker with remote: true, and applies it here', async () => {
    const { dir, runtime, workers } = await cluster(1);
    await runtime.createPlan(
      planYaml({
        name: 'demo/away',
        automation: 'auto',
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'away.txt', content: 'away\n' })] },
      }),
    );
    const record = await runtime.run('demo/away', { remote: true });
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    // it ran in the worker's clone, not here
    expect(existsSync(join(workers[0]!.clone, '.troupe', 'worktrees', record.id))).toBe(true);
    expect(existsSync(join(dir, '.troupe', 'worktrees', record.id))).toBe(false);
    await expect(runtime.run('demo/away', { remote: true, until: 'apply' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('--until'),
    });
    const applied = await runtime.runPhase('demo/away', 'apply');
    expect(applied.status).toBe('done');
    expect(git(dir, 'show', 'HEAD:away.txt')).toBe('away');
  }, 120_000);

  // a parent whose release of a plan's claim is slow (one query on a busy database): a worker taking the plan's job
  // before the release landed would find the plan held here, and put the job back for 5 s
  async function slowReleasingParent(): Promise<{ runtime: LocalRuntime; said: string[] }> {
    const { dir, said, store, queue, remote } = await cluster(1);
    const parentStore = store();
    const release = parentStore.releasePlan.bind(parentStore);
    parentStore.releasePlan = async (planId) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await release(planId);
    };
    const runtime = await createRuntime({
      dir,
      store: parentStore,
      resume: false,
      tools: [flaky],
      scaleOut: { queue: new PlanQueue(queue), remote: new RemoteBranches(remote, 'remote.url') },
      report: () => {},
    });
    cleanups.push(() => runtime.close());
    return { runtime, said };
  }
  const putBack = (said: string[], name: string) =>
    said.filter((line) => line.startsWith(name) && /(runs|holds) it; this job waits for it/.test(line));

  it('hands a root plan begun here to a worker once the store has let it go here', async () => {
    const { runtime, said } = await slowReleasingParent();
    await runtime.createPlan(
      planYaml({
        name: 'demo/handed',
        automation: 'auto',
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'handed.txt', content: 'handed\n' })] },
      }),
    );
    // strategized here: its actor is live in this process, which holds it
    expect((await runtime.run('demo/handed', { until: 'strategize' })).phase).toBe('strategize');
    const record = await runtime.run('demo/handed', { remote: true });
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    expect(putBack(said, 'demo/handed'), said.join(' | ')).toEqual([]);
  }, 120_000);

  it("hands a child's new attempt to a worker once the store has let it go here", async () => {
    const { runtime, said } = await slowReleasingParent();
    flakyPaths.clear();
    // the new attempt is written here (the parent holds the child meanwhile), then handed over
    await runtime.createPlan(
      fan(
        'demo/again',
        [child('demo/second', [step('Write', 'test/flaky-write', { path: 'f.txt', content: 'f\n' })])],
        { retries: 1 },
      ),
    );
    const record = await runtime.run('demo/again', { until: 'execute' });
    expect([record.phase, record.status]).toEqual(['execute', 'complete']);
    expect(
      said.some((line) => line.startsWith('demo/second') && line.includes('attempt 2') && line.endsWith('validated')),
      said.join(' | '),
    ).toBe(true);
    expect(putBack(said, 'demo/second'), said.join(' | ')).toEqual([]);
  }, 120_000);

  it('refuses remote: true without a queue and a remote, naming the setting', async () => {
    const repo = await tempRepo();
    cleanups.push(repo.cleanup);
    const runtime = await createRuntime({ dir: repo.dir, store: 'memory', resume: false });
    cleanups.push(() => runtime.close());
    await runtime.createPlan(
      planYaml({
        name: 'demo/here',
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'x.txt', content: 'x\n' })] },
      }),
    );
    await expect(runtime.run('demo/here', { remote: true })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('--remote'),
    });
    expect((await runtime.getPlan('demo/here')).status).toBe('queued');
  });

  it('cancelling the parent cancels its children on their workers', async () => {
    const { runtime } = await cluster(1);
    const marker = `sleep 60.${(Date.now() % 10_000) + 1}`;
    await runtime.createPlan(fan('demo/stop', [child('demo/long', [step('Sleep', 'shell/run', { command: marker })])]));
    const running = runtime.run('demo/stop', { until: 'execute' }).catch((error: unknown) => error);
    const childId = await until(
      async () => (await runtime.tree('demo/stop')).children.find((node) => node.status === 'processing')?.id,
      30_000,
    );
    await until(async () => ((await processesRunning(marker)).length > 0 ? true : undefined), 30_000);
    await runtime.cancel('demo/stop', { reason: 'changed my mind' });
    await running;
    await until(async () => ((await runtime.getPlan(childId)).status === 'cancelled' ? true : undefined), 30_000);
    // the worker that ran it stopped its command
    await until(async () => ((await processesRunning(marker)).length === 0 ? true : undefined), 10_000);
  }, 120_000);
});
