import { chmodSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostServer, hostSocketPath } from '../../src/runtime/index.js';
import { hostSocketDirectory, lineReader, MAX_LINE_BYTES } from '../../src/runtime/host/host-protocol.js';
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
    socket.on(
      'data',
      lineReader(
        (message) => {
          replies.push(message);
          if (replies.length === expected) socket.end();
        },
        () => {},
      ),
    );
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
    const replies = await exchange(
      hostSocketPath(dir),
      [
        'not json',
        JSON.stringify({ id: 7, method: 'close', params: [] }),
        JSON.stringify({ id: 8, method: 'listPlans', params: [{}] }),
      ],
      3,
    );
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
    const [reply] = await exchange(
      hostSocketPath(dir),
      [JSON.stringify({ id: 1, method: 'getPlan', params: ['demo/nope'] })],
      1,
    );
    expect(reply).toEqual({
      id: 1,
      error: {
        code: 'NOT_FOUND',
        message: `no plan matches "demo/nope" in ${realpathSync(dir)}`,
        hint: 'troupe plan list --all shows the plans',
        details: { ref: 'demo/nope', projectRoot: realpathSync(dir), suggestion: null },
      },
    });
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
    const plan = await runtime.createPlan(
      planYaml({ strategy: { steps: [step('Sleep', 'shell/run', { command: 'sleep 1' })] } }),
    );
    expect(host.inFlight).toBe(0);
    const socket = connect(hostSocketPath(dir));
    cleanups.push(async () => void socket.destroy());
    const replies: { id: number; result?: unknown; event?: { type: string } }[] = [];
    socket.on(
      'data',
      lineReader(
        (message) => replies.push(message as (typeof replies)[number]),
        () => {},
      ),
    );
    socket.write(`${JSON.stringify({ id: 1, method: 'subscribe', params: ['*'] })}\n`);
    await expect.poll(() => replies).toEqual([{ id: 1, result: true }]);
    expect(host.inFlight).toBe(0);
    socket.write(`${JSON.stringify({ id: 2, method: 'run', params: [plan.id, { until: 'execute' }] })}\n`);
    await expect
      .poll(() => replies.some((reply) => reply.event?.type === 'step.started'), { timeout: 10_000 })
      .toBe(true);
    expect(host.inFlight).toBe(1);
    await expect
      .poll(() => replies.find((reply) => reply.id === 2 && 'result' in reply), { timeout: 10_000 })
      .toMatchObject({ result: { phase: 'execute', status: 'complete' } });
    expect(host.inFlight).toBe(0);
  });

  it('waits, when closing, for the first request of a client it has just greeted, and serves it', async () => {
    const { dir, runtime, close } = await projectWithRuntime();
    cleanups.push(close);
    const host = await HostServer.listen(runtime, hostSocketPath(dir));
    const socket = connect(hostSocketPath(dir));
    cleanups.push(async () => void socket.destroy());
    const replies: { id: number; result?: unknown; closing?: boolean }[] = [];
    socket.on(
      'data',
      lineReader(
        (message) => replies.push(message as (typeof replies)[number]),
        () => {},
      ),
    );
    socket.write(`${JSON.stringify({ id: 1, method: 'hostInfo', params: [] })}\n`);
    await expect.poll(() => replies).toMatchObject([{ id: 1, result: { pid: process.pid } }]);
    let closed = false;
    const closing = host.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toBe(false);
    socket.write(`${JSON.stringify({ id: 2, method: 'listPlans', params: [{}] })}\n`);
    await closing;
    expect(replies.slice(1)).toEqual([
      { id: 2, result: [] },
      { id: 0, closing: true },
    ]);
  });

  it('answers from the moment it listens: requests wait for a runtime still starting, and are asked elsewhere if it never starts', async () => {
    const { dir, runtime, close } = await projectWithRuntime();
    cleanups.push(close);
    const talk = (socket: ReturnType<typeof connect>) => {
      const replies: { id: number; result?: unknown; error?: { code: string; retry?: boolean }; closing?: boolean }[] =
        [];
      socket.on(
        'data',
        lineReader(
          (message) => replies.push(message as (typeof replies)[number]),
          () => {},
        ),
      );
      return replies;
    };
    let started!: (value: typeof runtime) => void;
    const starting = new Promise<typeof runtime>((resolve) => (started = resolve));
    const host = await HostServer.listen(starting, hostSocketPath(dir));
    const socket = connect(hostSocketPath(dir));
    cleanups.push(async () => void socket.destroy());
    const replies = talk(socket);
    socket.write(
      `${JSON.stringify({ id: 1, method: 'hostInfo', params: [] })}\n${JSON.stringify({ id: 2, method: 'listPlans', params: [{}] })}\n`,
    );
    await expect.poll(() => replies).toMatchObject([{ id: 1, result: { pid: process.pid } }]);
    expect(host.inFlight).toBe(1);
    started(runtime);
    await expect.poll(() => replies.slice(1)).toEqual([{ id: 2, result: [] }]);
    await host.close();

    const failing = await HostServer.listen(Promise.reject(new Error('the plugins failed')), hostSocketPath(dir));
    const refused = connect(hostSocketPath(dir));
    cleanups.push(async () => void refused.destroy());
    const answers = talk(refused);
    refused.write(`${JSON.stringify({ id: 1, method: 'cancel', params: ['demo/x'] })}\n`);
    // nothing was started: the client asks the next owner
    await expect
      .poll(() => answers)
      .toEqual([{ id: 1, error: { code: 'STORE_LOCKED', message: 'the troupe host is shutting down', retry: true } }]);
    const closedAt = Date.now();
    await failing.close();
    // no hand-over wait for a runtime that never started
    expect(Date.now() - closedAt).toBeLessThan(900);
  });

  it('waits no longer than a second for a greeted client that asks nothing', async () => {
    const { dir, runtime, close } = await projectWithRuntime();
    cleanups.push(close);
    const host = await HostServer.listen(runtime, hostSocketPath(dir));
    const socket = connect(hostSocketPath(dir));
    cleanups.push(async () => void socket.destroy());
    const replies: unknown[] = [];
    socket.on(
      'data',
      lineReader(
        (message) => replies.push(message),
        () => {},
      ),
    );
    const ended = new Promise((resolve) => socket.on('close', resolve));
    socket.write(`${JSON.stringify({ id: 1, method: 'hostInfo', params: [] })}\n`);
    await expect.poll(() => replies.length).toBe(1);
    const started = Date.now();
    await host.close();
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(5_000);
    await ended;
    expect(replies).toEqual([expect.objectContaining({ id: 1 }), { id: 0, closing: true }]);
  });

  it('listens in a private folder outside the project, named after the project root, the same in every process', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const runtimeDir = join(dir, 'run');
    const socket = hostSocketPath('/work/project', { XDG_RUNTIME_DIR: runtimeDir });
    expect(socket).toMatch(new RegExp(`^${runtimeDir}/troupe/[0-9a-f]{16}\\.sock$`));
    expect(hostSocketPath('/work/project', { XDG_RUNTIME_DIR: runtimeDir })).toBe(socket);
    expect(hostSocketPath('/work/other', { XDG_RUNTIME_DIR: runtimeDir })).not.toBe(socket);
    // no runtime directory: the temp directory's troupe-<uid>
    expect(hostSocketPath('/work/project', {})).toMatch(/\/troupe-\d+\/[0-9a-f]{16}\.sock$/);
    // a runtime directory too deep for a unix socket: the temp directory's
    expect(hostSocketPath('/work/project', { XDG_RUNTIME_DIR: `/${'deep-directory/'.repeat(8)}` })).toBe(
      hostSocketPath('/work/project', {}),
    );
    expect(hostSocketDirectory({ XDG_RUNTIME_DIR: 'relative' })).toBe(hostSocketDirectory({}));
  });

  it('makes the socket folder 0700, tightens one others may enter, and refuses one that is not a directory', async () => {
    const { dir, runtime, close } = await projectWithRuntime();
    cleanups.push(close);
    const folder = join(dir, 'sockets');
    const host = await HostServer.listen(runtime, join(folder, 'a.sock'));
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, 'a.sock')).mode & 0o777).toBe(0o600);
    await host.close();
    chmodSync(folder, 0o755);
    const again = await HostServer.listen(runtime, join(folder, 'a.sock'));
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    await again.close();
    writeFileSync(join(dir, 'plain'), '');
    await expect(HostServer.listen(runtime, join(dir, 'plain', 'a.sock'))).rejects.toThrow();
    symlinkSync(folder, join(dir, 'link'));
    await expect(HostServer.listen(runtime, join(dir, 'link', 'a.sock'))).rejects.toMatchObject({
      message: expect.stringContaining('is not a directory of this user'),
    });
  });
});
