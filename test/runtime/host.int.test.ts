import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import {
  HostRetryError,
  createRuntime,
  hostSocketPath,
  openRuntime,
  type RuntimeSession,
} from '../../src/runtime/index.js';
import { lineReader } from '../../src/runtime/host/host-protocol.js';
import { tempRepo } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';
import { planYaml, step } from './fixtures.js';
import { spawnHostChild } from './host-child-process.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function repo() {
  const made = await tempRepo({ 'README.md': '# host\n' });
  cleanups.push(made.cleanup);
  return made.dir;
}
async function open(dir: string, waitMs?: number): Promise<RuntimeSession> {
  const session = await openRuntime({
    dir,
    resume: false,
    report: () => {},
    ...(waitMs === undefined ? {} : { waitMs }),
  });
  cleanups.push(() => session.close());
  return session;
}

const SLOW = planYaml({
  strategy: {
    steps: [
      step('Sleep', 'shell/run', { command: 'sleep 1' }),
      step('Write', 'fs/write-file', { path: 'out', content: 'x' }),
    ],
  },
});

describe('one owner, many commands', () => {
  it('makes the first opener the host and later openers its clients', async () => {
    const dir = await repo();
    const host = await open(dir);
    const client = await open(dir);
    expect([host.role, client.role]).toEqual(['host', 'client']);
    expect(existsSync(hostSocketPath(dir))).toBe(true);

    const plan = await client.runtime.createPlan(planYaml());
    expect((await host.runtime.getPlan('demo/x')).id).toBe(plan.id);
    // a client's error names the project root, as the host's does (issue 36)
    await expect(client.runtime.getPlan('demo/nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `no plan matches "demo/nope" in ${host.runtime.dir}`,
      details: { projectRoot: host.runtime.dir },
    });
    await expect(client.runtime.runPhase(plan.id, 'apply')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
  });

  it('serves status and events to a client while the host runs a plan', async () => {
    const dir = await repo();
    const host = await open(dir);
    const client = await open(dir);
    const plan = await host.runtime.createPlan(SLOW);
    const seen: JournalEvent[] = [];
    client.runtime.subscribe(plan.id, (event) => seen.push(event));
    const running = host.runtime.run(plan.id, { until: 'execute' });
    await expect
      .poll(async () => (await client.runtime.getPlan(plan.id)).status, { timeout: 10_000 })
      .toBe('processing');
    const final = await running;
    expect(final).toMatchObject({ phase: 'execute', status: 'complete' });
    // execute's completion is followed by its post-execute checkpoint
    await expect.poll(() => seen.at(-1)?.type).toBe('checkpoint.created');
    expect(seen.at(-2)?.type).toBe('phase.completed');
    expect(seen.map((event) => event.seq)).toEqual(
      (await client.runtime.events(plan.id)).slice(1).map((event) => event.seq),
    );
  });

  it('subscribes by plan id in any case or to every plan, and refuses a name it cannot hear', async () => {
    const dir = await repo();
    const host = await open(dir);
    const client = await open(dir);
    const plan = await host.runtime.createPlan(planYaml());
    for (const runtime of [host.runtime, client.runtime]) {
      expect(() => runtime.subscribe('demo/x', () => {})).toThrow(
        expect.objectContaining({
          code: 'VALIDATION_ERROR',
          message: `plan: subscribe takes a plan id or '*', got "demo/x"`,
          hint: `for a plan name, subscribe to its id: (await runtime.getPlan("demo/x")).id`,
        }),
      );
    }
    const seen: string[] = [];
    const everything: string[] = [];
    client.runtime.subscribe(plan.id.toLowerCase(), (event) => seen.push(event.type));
    client.runtime.subscribe('*', (event) => everything.push(event.planId));
    await host.runtime.run(plan.id, { until: 'strategize' });
    await expect.poll(() => seen.includes('phase.completed')).toBe(true);
    await expect.poll(() => everything.length).toBe(seen.length);
    expect(new Set(everything)).toEqual(new Set([plan.id]));
  });

  it('tells a client whose request races its close to ask the next owner, not that it went away', async () => {
    const dir = await repo();
    const host = await openRuntime({ dir, resume: false, report: () => {} });
    const client = await open(dir);
    await host.runtime.createPlan(planYaml());
    // a client it has just greeted gets its first request served before the host closes
    const closing = host.close();
    expect((await client.runtime.listPlans()).map((plan) => plan.name)).toEqual(['demo/x']);
    // then it stops taking work: the next request reaches a host that started nothing for it
    const error = await rejection(client.runtime.listPlans());
    expect(error).toBeInstanceOf(HostRetryError);
    expect(error).toMatchObject({ code: 'STORE_LOCKED', message: 'the troupe host is shutting down' });
    await closing;
    // which is what the CLI does with it: the next opener owns the store and answers
    const next = await open(dir);
    expect(next.role).toBe('host');
    expect((await next.runtime.listPlans()).map((plan) => plan.name)).toEqual(['demo/x']);
  });

  it('lets a client drive a plan; the host finishes that request before it closes', async () => {
    const dir = await repo();
    const host = await openRuntime({ dir, resume: false, report: () => {} });
    const client = await open(dir);
    const plan = await client.runtime.createPlan(SLOW);
    const running = client.runtime.run(plan.id, { until: 'execute' });
    await expect.poll(async () => (await client.runtime.getPlan(plan.id)).status).toBe('processing');
    await host.close();
    await expect(running).resolves.toMatchObject({ phase: 'execute', status: 'complete' });
    // the store is free again: the next opener becomes the host
    expect((await open(dir)).role).toBe('host');
  });

  it('gives a client the whole Runtime, with the answers and effects the host’s own calls have', async () => {
    const dir = await repo();
    const elsewhere = await tempRepo({ 'README.md': '# other\n' });
    cleanups.push(elsewhere.cleanup);
    const { runtime: local } = await open(dir);
    const client = await open(dir);
    expect(client.role).toBe('client');
    const remote = client.runtime;
    const plan = await remote.createPlan(
      planYaml({
        name: 'demo/remote',
        automation: 'review',
        strategy: {
          steps: [
            step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a\n' }),
            step('Write b', 'fs/write-file', { path: 'b.txt', content: 'b\n' }),
          ],
        },
      }),
    );
    expect(await remote.run(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });

    expect(await remote.addProject('other', elsewhere.dir)).toMatchObject({ name: 'other' });
    const reads = [
      (runtime: typeof local) => runtime.listPlans({ all: true }),
      (runtime: typeof local) => runtime.listProjects(),
      (runtime: typeof local) => runtime.tree(plan.id),
      (runtime: typeof local) => runtime.conflicts(plan.id),
      (runtime: typeof local) => runtime.explain(plan.id),
      (runtime: typeof local) => runtime.changes(plan.id),
      (runtime: typeof local) => runtime.events(plan.id, { afterSeq: 2, limit: 3 }),
      (runtime: typeof local) => runtime.checkpoints(plan.id),
    ];
    for (const read of reads) expect(await read(remote)).toEqual(await read(local));

    const made = await remote.createCheckpoint(plan.id, { label: 'mark' });
    expect(made).toMatchObject({ label: 'mark', trigger: 'manual' });
    expect(await remote.checkpoint(plan.id, 'mark')).toEqual(made);
    expect(await remote.deleteCheckpoint(plan.id, 'mark')).toEqual(made);
    expect((await local.checkpoints(plan.id)).map((checkpoint) => checkpoint.id)).not.toContain(made.id);
    const all = await local.checkpoints(plan.id);
    expect(await remote.pruneCheckpoints(plan.id, all.length)).toEqual({
      deleted: [],
      kept: all.map((checkpoint) => checkpoint.id),
    });

    const preExecute = all.find((checkpoint) => checkpoint.trigger === 'pre-execute')!;
    const preview = await remote.previewRollback(plan.id, { to: preExecute.id });
    expect(preview).toEqual(await local.previewRollback(plan.id, { to: preExecute.id }));
    const rolledBack = await remote.rollback(plan.id, { to: preExecute.id });
    expect(rolledBack.changesReverted.map((change) => change.file).sort()).toEqual(['a.txt', 'b.txt']);
    expect(await local.getPlan(plan.id)).toMatchObject({ phase: 'execute', status: 'queued', reversionCount: 1 });

    const corrected = await remote.correct(plan.id, {
      mode: 'append',
      steps: [step('Write c', 'fs/write-file', { path: 'c.txt', content: 'c\n' })],
    });
    expect(corrected).toMatchObject({ planId: plan.id, mode: 'append', rollback: null });
    expect(corrected.appended).toHaveLength(1);
    expect(corrected.plan).toEqual(await local.getPlan(plan.id));

    expect(await remote.resume(plan.id)).toEqual([await local.getPlan(plan.id)]);
    expect((await remote.resume()).map((record) => record.id)).toEqual(
      (await local.listPlans()).map((record) => record.id),
    );

    const unresolvable = (await local
      .resolve(plan.id, 'a.txt', { with: 'ours' })
      .catch((error: unknown) => error)) as Error & { code: string };
    await expect(remote.resolve(plan.id, 'a.txt', { with: 'ours' })).rejects.toMatchObject({
      code: unresolvable.code,
      message: unresolvable.message,
    });
    expect(await remote.cancel(plan.id, { reason: 'done with it' })).toMatchObject({ status: 'cancelled' });
    expect(await local.getPlan(plan.id)).toMatchObject({ status: 'cancelled' });
  });

  it('replaces a socket left behind by a process that died', async () => {
    const dir = await repo();
    await createRuntime({ dir }).then((runtime) => runtime.close());
    writeFileSync(hostSocketPath(dir), 'stale');
    const session = await open(dir);
    expect(session.role).toBe('host');
    expect((await open(dir)).role).toBe('client');
  });

  it('answers status from another process while that process runs the plan', async () => {
    const dir = await repo();
    const setup = await createRuntime({ dir });
    const plan = await setup.createPlan(SLOW);
    await setup.close();
    const child = spawnHostChild(dir, plan.id, cleanups);
    await child.line('host');
    const session = await open(dir);
    expect(session.role).toBe('client');
    await expect
      .poll(async () => (await session.runtime.events(plan.id)).some((event) => event.type === 'step.started'), {
        timeout: 10_000,
      })
      .toBe(true);
    expect(await session.runtime.getPlan(plan.id)).toMatchObject({ phase: 'execute', status: 'processing' });
    await child.line('done');
    await session.close();
    expect((await open(dir)).role).toBe('host');
    expect((await (await open(dir)).runtime.getPlan(plan.id)).status).toBe('complete');
  });

  it('fails when it cannot serve on the host socket, and leaves the store free for the next command', async () => {
    const dir = await repo();
    await createRuntime({ dir }).then((runtime) => runtime.close());
    // something that is not a socket and cannot be replaced by one
    mkdirSync(join(hostSocketPath(dir), 'in-the-way'), { recursive: true });
    await expect(openRuntime({ dir, resume: false, report: () => {} })).rejects.toMatchObject({
      code: expect.stringMatching(/^E/),
    });
    rmSync(hostSocketPath(dir), { recursive: true });
    expect((await open(dir)).role).toBe('host');
  });

  it('becomes the host of a store freed while it waited, and keeps waiting while an owner hands it over', async () => {
    const dir = await repo();
    // an owner between opening the store and listening: locked, nobody on the socket
    const holder = await createRuntime({ dir, resume: false });
    const socket = hostSocketPath(dir);
    // then an owner that answers only that it is closing, for longer than waitMs
    const closing = createServer((connection) => {
      connection.on('error', () => {});
      connection.on(
        'data',
        lineReader(
          (message) =>
            connection.write(
              `${JSON.stringify({ id: (message as { id: number }).id, error: { code: 'STORE_LOCKED', message: 'the troupe host is shutting down', retry: true } })}\n`,
            ),
          () => {},
        ),
      );
    });
    await new Promise<void>((resolve) => closing.listen(socket, resolve));
    const opening = openRuntime({ dir, resume: false, report: () => {}, waitMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    await new Promise<void>((resolve) => closing.close(() => resolve()));
    await holder.close();
    const session = await opening;
    cleanups.push(() => session.close());
    expect(session.role).toBe('host');
    expect(await session.runtime.listPlans()).toEqual([]);
  });

  it('says STORE_LOCKED when the store is held by a process that does not answer', async () => {
    const dir = await repo();
    await createRuntime({ dir }).then((runtime) => runtime.close());
    // a bare LevelDB holder: it has the lock but serves no socket
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { Level } from 'level'; const db = new Level(${JSON.stringify(join(dir, '.troupe', 'db'))}); await db.open(); console.log('locked'); setInterval(() => {}, 1000);`,
      ],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    cleanups.push(async () => {
      holder.kill('SIGKILL');
    });
    await new Promise((resolve) => holder.stdout!.once('data', resolve));
    await expect(openRuntime({ dir, resume: false, waitMs: 300 })).rejects.toMatchObject({ code: 'STORE_LOCKED' });
  });
});
