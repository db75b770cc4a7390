import { describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { ARROW_DOWN, cleanups, show, until } from './ui-fixture.js';

// `troupe ui` (Ink) as a client of the session that owns the store: what it
// follows through the host socket, and what it says when that owner goes away

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

describe('troupe ui (Ink)', () => {
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
    const frame = await until(view.lastFrame, (text) =>
      text.includes('STORE_LOCKED: the troupe host is shutting down'),
    );
    // the tree it had stays on screen
    expect(frame).toContain('demo/two  strategize · queued');
    expect(frame).not.toContain(`demo/two  ${two.id}`);
  });
});

const SLOW = (name: string) =>
  planYaml({
    name,
    strategy: {
      steps: [
        step('Sleep', 'shell/run', { command: 'sleep 1' }),
        step('Write', 'fs/write-file', { path: 'out.txt', content: 'x\n' }),
      ],
    },
  });

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
    await until(
      view.lastFrame,
      (text) =>
        text.includes('demo/elsewhere  execute · complete  steps 2/2') &&
        text.includes('phases  strategize ✓  execute ✓'),
    );
    await running;
  });
});
