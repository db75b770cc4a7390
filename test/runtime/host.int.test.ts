import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { createRuntime, hostSocketPath, openRuntime, type RuntimeSession } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
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
  const session = await openRuntime({ dir, resume: false, report: () => {}, ...(waitMs === undefined ? {} : { waitMs }) });
  cleanups.push(() => session.close());
  return session;
}

const SLOW = planYaml({ strategy: { steps: [step('Sleep', 'shell/run', { command: 'sleep 1' }), step('Write', 'fs/write-file', { path: 'out', content: 'x' })] } });

describe('one owner, many commands', () => {
  it('makes the first opener the host and later openers its clients', async () => {
    const dir = await repo();
    const host = await open(dir);
    const client = await open(dir);
    expect([host.role, client.role]).toEqual(['host', 'client']);
    expect(existsSync(hostSocketPath(dir))).toBe(true);

    const plan = await client.runtime.createPlan(planYaml());
    expect((await host.runtime.getPlan('demo/x')).id).toBe(plan.id);
    await expect(client.runtime.getPlan('demo/nope')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no plan matches "demo/nope"' });
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
    await expect.poll(async () => (await client.runtime.getPlan(plan.id)).status, { timeout: 10_000 }).toBe('processing');
    const final = await running;
    expect(final).toMatchObject({ phase: 'execute', status: 'complete' });
    // execute's completion is followed by its post-execute checkpoint
    await expect.poll(() => seen.at(-1)?.type).toBe('checkpoint.created');
    expect(seen.at(-2)?.type).toBe('phase.completed');
    expect(seen.map((event) => event.seq)).toEqual((await client.runtime.events(plan.id)).slice(1).map((event) => event.seq));
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
    await expect.poll(async () => (await session.runtime.events(plan.id)).some((event) => event.type === 'step.started'), { timeout: 10_000 }).toBe(true);
    expect(await session.runtime.getPlan(plan.id)).toMatchObject({ phase: 'execute', status: 'processing' });
    await child.line('done');
    await session.close();
    expect((await open(dir)).role).toBe('host');
    expect((await (await open(dir)).runtime.getPlan(plan.id)).status).toBe('complete');
  });

  it('says STORE_LOCKED when the store is held by a process that does not answer', async () => {
    const dir = await repo();
    await createRuntime({ dir }).then((runtime) => runtime.close());
    // a bare LevelDB holder: it has the lock but serves no socket
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `import { Level } from 'level'; const db = new Level(${JSON.stringify(join(dir, '.troupe', 'db'))}); await db.open(); console.log('locked'); setInterval(() => {}, 1000);`], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      holder.kill('SIGKILL');
    });
    await new Promise((resolve) => holder.stdout!.once('data', resolve));
    await expect(openRuntime({ dir, resume: false, waitMs: 300 })).rejects.toMatchObject({ code: 'STORE_LOCKED' });
  });
});
