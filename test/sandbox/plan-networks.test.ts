import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { PlanNetworks, type PlanNetwork } from '../../src/sandbox/index.js';
import type { NetworkGateOptions } from '../../src/sandbox/network-gate.js';

// When a runtime opens and closes plan networks (issue 35, issue 39): a stand-in for the
// holder counts starts and stops; the holder itself is tested on bubblewrap in plan-network.int.test.ts.

function holders(fail: (gate: NetworkGateOptions | undefined) => boolean = () => false) {
  const started: { label: string | undefined; gate: NetworkGateOptions | undefined }[] = [];
  const stopped: string[] = [];
  const sandbox = {
    startNetwork: async (label?: string, gate?: NetworkGateOptions): Promise<PlanNetwork> => {
      started.push({ label, gate });
      if (fail(gate))
        throw new TroupeError(
          'SANDBOX_UNAVAILABLE',
          'the network allow-list cannot be enforced: the plan network has a route out',
        );
      let alive = true;
      return {
        pid: started.length,
        enter: [],
        listening: async () => false,
        get alive() {
          return alive;
        },
        stop: async () => {
          alive = false;
          stopped.push(label ?? '');
        },
      };
    },
  };
  return { sandbox, started, stopped };
}

describe('plan networks', () => {
  it('keeps a network with an allow-list while commands use it, and closes it once idle', async () => {
    const { sandbox, started, stopped } = holders();
    const networks = new PlanNetworks(sandbox, { idleMs: 30 });
    const gate = { allow: ['registry.npmjs.org'] };
    const [first, second] = await Promise.all([
      networks.use('p1', gate, async (network) => network?.pid),
      networks.use('p1', gate, async (network) => network?.pid),
    ]);
    // one holder for both, opened with the list
    expect([first, second]).toEqual([1, 1]);
    expect(started).toEqual([{ label: 'p1', gate }]);
    // a service's close only lets it go: it is gone once idle
    await networks.close('p1');
    expect(stopped).toEqual([]);
    await sleep(120);
    expect(stopped).toEqual(['p1']);
    expect(await networks.of('p1')).toBeUndefined();
  });

  it('does not close a network under a command that uses it, and a new command keeps it open', async () => {
    const { sandbox, stopped } = holders();
    const networks = new PlanNetworks(sandbox, { idleMs: 30 });
    const gate = { allow: ['registry.npmjs.org'] };
    await networks.use('p1', gate, async () => {
      await networks.close('p1');
      await sleep(80);
    });
    expect(stopped).toEqual([]);
    await sleep(10);
    await networks.use('p1', gate, async () => sleep(60));
    expect(stopped).toEqual([]);
    await networks.closeAll();
    expect(stopped).toEqual(['p1']);
  });

  it('runs nothing when the network cannot open, and tries again for the next command', async () => {
    let failing = true;
    const { sandbox, started } = holders(() => failing);
    const networks = new PlanNetworks(sandbox, { idleMs: 30 });
    let ran = false;
    await expect(networks.use('p1', { allow: ['a.example'] }, async () => (ran = true))).rejects.toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
    });
    expect(ran).toBe(false);
    failing = false;
    await networks.use('p1', { allow: ['a.example'] }, async () => (ran = true));
    expect(ran).toBe(true);
    expect(started).toHaveLength(2);
    await networks.closeAll();
  });

  it('closes a network without a list with its last service, at once', async () => {
    const { sandbox, stopped } = holders();
    const networks = new PlanNetworks(sandbox);
    expect(await networks.open('p2')).not.toBeNull();
    expect(await networks.of('p2')).toBeDefined();
    await networks.close('p2');
    expect(stopped).toEqual(['p2']);
  });

  it('has none where commands are not contained', async () => {
    const networks = new PlanNetworks({});
    expect(await networks.open('p3')).toBeNull();
    expect(await networks.use('p3', { allow: ['a.example'] }, async (network) => network)).toBeNull();
  });

  it('gives a plan a new network when its holder died under it', async () => {
    const { sandbox, started, stopped } = holders();
    const networks = new PlanNetworks(sandbox);
    const first = (await networks.open('p1'))!;
    expect(await networks.open('p1')).toBe(first);
    // killed from outside, or reaped by the next process while this one still ran
    await first.stop();
    expect(await networks.of('p1')).toBeUndefined();
    const second = (await networks.open('p1'))!;
    expect(second).not.toBe(first);
    expect(second.alive).toBe(true);
    expect(started.map((start) => start.label)).toEqual(['p1', 'p1']);
    expect(await networks.of('p1')).toBe(second);
    // stopped twice: here, standing for its death, and by the networks, which close what it had besides (its gate's proxy)
    expect(stopped).toEqual(['p1', 'p1']);
  });
});
