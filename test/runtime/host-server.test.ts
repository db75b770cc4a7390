import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HostServer, hostSocketPath } from '../../src/runtime/index.js';
import { lineReader, MAX_LINE_BYTES } from '../../src/runtime/host-protocol.js';
import { tempDir } from '../helpers/temp.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Send raw lines to a socket and collect the parsed replies. */
async function exchange(socketPath: string, lines: string[], expected: number): Promise<unknown[]> {
  const socket = connect(socketPath);
  const replies: unknown[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.on('data', lineReader((message) => {
      replies.push(message);
      if (replies.length === expected) socket.end();
    }, () => {}));
    socket.on('connect', () => {
      for (const line of lines) socket.write(`${line}\n`);
    });
  });
  return replies;
}

describe('host server', () => {
  it('refuses malformed requests and unknown methods without closing the connection', async () => {
    const { dir, runtime, close } = await projectWithRuntime();
    cleanups.push(close);
    const host = await HostServer.listen(runtime, hostSocketPath(dir));
    cleanups.push(() => host.close());
    const replies = await exchange(hostSocketPath(dir), ['not json', JSON.stringify({ id: 7, method: 'close', params: [] }), JSON.stringify({ id: 8, method: 'listPlans', params: [{}] })], 3);
    expect(replies).toEqual([
      { id: 0, error: { code: 'VALIDATION_ERROR', message: 'malformed request to the troupe host' } },
      { id: 7, error: { code: 'VALIDATION_ERROR', message: 'malformed request to the troupe host' } },
      { id: 8, result: [] },
    ]);
  });

  it('answers errors with their code, message and hint', async () => {
    const { dir, runtime, close } = await projectWithRuntime();
    cleanups.push(close);
    const host = await HostServer.listen(runtime, hostSocketPath(dir));
    cleanups.push(() => host.close());
    const [reply] = await exchange(hostSocketPath(dir), [JSON.stringify({ id: 1, method: 'getPlan', params: ['demo/nope'] })], 1);
    expect(reply).toEqual({ id: 1, error: { code: 'NOT_FOUND', message: 'no plan matches "demo/nope"', hint: 'troupe plan list --all shows the plans' } });
  });

  it('closes a connection that sends a line longer than the limit', async () => {
    const { dir, runtime, close } = await projectWithRuntime();
    cleanups.push(close);
    const host = await HostServer.listen(runtime, hostSocketPath(dir));
    cleanups.push(() => host.close());
    const replies = await exchange(hostSocketPath(dir), ['x'.repeat(MAX_LINE_BYTES + 10)], 1);
    expect(replies).toEqual([{ id: 0, error: { code: 'VALIDATION_ERROR', message: 'request too large' } }]);
  });

  it('counts the requests it is serving, but not subscriptions, so close() knows what to wait for', async () => {
    const { dir, runtime, close } = await projectWithRuntime();
    cleanups.push(close);
    const host = await HostServer.listen(runtime, hostSocketPath(dir));
    cleanups.push(() => host.close());
    const plan = await runtime.createPlan(planYaml({ strategy: { steps: [step('Sleep', 'shell/run', { command: 'sleep 1' })] } }));
    expect(host.inFlight).toBe(0);
    const socket = connect(hostSocketPath(dir));
    cleanups.push(async () => void socket.destroy());
    const replies: { id: number; result?: unknown; event?: { type: string } }[] = [];
    socket.on('data', lineReader((message) => replies.push(message as (typeof replies)[number]), () => {}));
    socket.write(`${JSON.stringify({ id: 1, method: 'subscribe', params: ['*'] })}\n`);
    await expect.poll(() => replies).toEqual([{ id: 1, result: true }]);
    expect(host.inFlight).toBe(0);
    socket.write(`${JSON.stringify({ id: 2, method: 'run', params: [plan.id, { until: 'execute' }] })}\n`);
    await expect.poll(() => replies.some((reply) => reply.event?.type === 'step.started'), { timeout: 10_000 }).toBe(true);
    expect(host.inFlight).toBe(1);
    await expect.poll(() => replies.find((reply) => reply.id === 2 && 'result' in reply), { timeout: 10_000 }).toMatchObject({ result: { phase: 'execute', status: 'complete' } });
    expect(host.inFlight).toBe(0);
  });

  it('uses a socket in the temp dir when .troupe/host.sock would be too long for a unix socket', async () => {
    const deep = `/${'deep-directory/'.repeat(8)}project`;
    expect(hostSocketPath(deep)).toMatch(/^\/.*troupe-[0-9a-f]{16}\.sock$/);
    expect(hostSocketPath(deep)).toBe(hostSocketPath(deep));
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    expect(hostSocketPath(dir)).toBe(`${dir}/.troupe/host.sock`);
  });
});
