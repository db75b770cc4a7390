import { afterEach, describe, expect, it } from 'vitest';
import { CommandSession } from '../../src/cli/command-session.js';
import type { JournalEvent } from '../../src/domain/index.js';
import { openRuntime, type RuntimeSession } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function repo(): Promise<string> {
  const made = await tempRepo({ 'README.md': '# session\n' });
  cleanups.push(made.cleanup);
  return made.dir;
}

/** Another owner of the store, in this process: what `troupe plan run` in another terminal is. */
async function owner(dir: string): Promise<RuntimeSession> {
  const session = await openRuntime({ dir, resume: false, report: () => {} });
  expect(session.role).toBe('host');
  cleanups.push(() => session.close());
  return session;
}

/** The session of one CLI command, counting how often it opened one. */
function commandSession(dir: string) {
  const opened: RuntimeSession[] = [];
  const session = new CommandSession(async () => {
    const next = await openRuntime({ dir, resume: false, report: () => {} });
    opened.push(next);
    return next;
  });
  cleanups.push(() => session.close());
  return { session, opened };
}

const WRITE = planYaml({ strategy: { steps: [step('Write', 'fs/write-file', { path: 'out.txt', content: 'x\n' })] } });

describe('the Runtime of one CLI command', () => {
  it('asks the next owner only the call the closing owner did not start, and moves its subscriptions there first', async () => {
    const dir = await repo();
    const other = await owner(dir);
    const { session, opened } = commandSession(dir);
    const runtime = await session.runtime();
    const created = await runtime.createPlan(WRITE);
    expect(opened.map((each) => each.role)).toEqual(['client']);
    const seen: JournalEvent[] = [];
    runtime.subscribe(created.id, (event) => seen.push(event));

    await other.close();
    // the owner said goodbye: run goes to the next owner — this process — and createPlan is not done again
    const ran = await runtime.run(created.id, { until: 'execute' });
    expect(ran).toMatchObject({ phase: 'execute', status: 'complete' });
    expect(opened.map((each) => each.role)).toEqual(['client', 'host']);
    expect((await runtime.listPlans()).map((plan) => plan.name)).toEqual(['demo/x']);
    expect(seen.map((event) => event.type)).toContain('step.completed');
    expect(runtime.dir).toBe(dir);
  });

  it('reopens only a lost owner, and gives a new Runtime object when the owner changed', async () => {
    const dir = await repo();
    const other = await owner(dir);
    const { session, opened } = commandSession(dir);
    const first = await session.runtime();
    expect(await session.reopen()).toBe(first);
    expect(opened).toHaveLength(1);

    const lost = session.lost();
    await other.close();
    await lost;
    const next = await session.reopen();
    expect(next).not.toBe(first);
    expect(opened.map((each) => each.role)).toEqual(['client', 'host']);
    // an older Runtime object still works: it goes to the current owner
    expect(await first.listPlans()).toEqual([]);
    expect(await session.runtime()).toBe(next);
  });

  it('opens again after an open that failed, and asks nothing again once closed', async () => {
    const dir = await repo();
    let failOnce = true;
    const session = new CommandSession(async () => {
      if (failOnce) {
        failOnce = false;
        throw new Error('first open fails');
      }
      return openRuntime({ dir, resume: false, report: () => {} });
    });
    await expect(session.runtime()).rejects.toThrow('first open fails');
    const runtime = await session.runtime();
    expect(await runtime.listPlans()).toEqual([]);
    await session.close();
    await expect(runtime.listPlans()).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
  });

  it('never reports a lost owner while this process owns the store', async () => {
    const dir = await repo();
    const { session } = commandSession(dir);
    const lost = session.lost().then(() => 'lost');
    expect(await Promise.race([lost, new Promise((resolve) => setTimeout(() => resolve('still here'), 100))])).toBe(
      'still here',
    );
    expect(await session.reopen()).toBe(await session.runtime());
  });
});
