import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { MAX_LINE_BYTES, lineReader } from '../../src/runtime/host-protocol.js';
import { HostRetryError, RemoteRuntime } from '../../src/runtime/index.js';
import { tempDir } from '../helpers/temp.js';

// the client side of the host socket against a host that misbehaves: a fake
// peer that answers what each test says, goes away, or sends garbage

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Request {
  id: number;
  method: string;
  params: unknown[];
}

/** A host that hands each request and its socket to `answer`; `requests` is what it was sent. */
async function fakeHost(answer: (request: Request, socket: Socket) => void, onConnect: (socket: Socket) => void = () => {}) {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const socketPath = join(dir, 'host.sock');
  const requests: Request[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnect(socket);
    socket.on(
      'data',
      lineReader(
        (message) => {
          requests.push(message as Request);
          answer(message as Request, socket);
        },
        () => {},
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const client = await RemoteRuntime.connect(dir, socketPath);
  cleanups.push(() => client.close());
  return { client, requests };
}

const send = (socket: Socket, message: unknown) => socket.write(`${JSON.stringify(message)}\n`);
const GONE = { code: 'INTERNAL_ERROR', message: 'the troupe process that owns the store went away', hint: 'run the command again; a plan it was running resumes where it stopped' };

describe('a client of the troupe host', () => {
  it('fails the calls waiting on a host that went away, tells its followers once, and fails later calls at once', async () => {
    const { client, requests } = await fakeHost((_request, socket) => socket.destroy());
    let told = 0;
    client.onDisconnect(() => (told += 1));
    const forgotten = client.onDisconnect(() => expect.fail('an unsubscribed follower was told'));
    forgotten();
    await expect(client.getPlan('demo/x')).rejects.toMatchObject(GONE);
    expect(told).toBe(1);
    await expect(client.listPlans()).rejects.toMatchObject(GONE);
    expect(requests.map((request) => request.method)).toEqual(['getPlan']);
    expect(told).toBe(1);
  });

  it('survives a host that drops the connection while a request is still being written to it', async () => {
    const { client } = await fakeHost(
      () => expect.fail('the request was not cut short'),
      (socket) => socket.once('data', () => socket.destroy()),
    );
    const lost = new Promise<void>((resolve) => client.onDisconnect(resolve));
    // far more than a socket buffers: the write is still going when the host drops it
    await expect(client.createPlan('x'.repeat(8 * 1024 * 1024))).rejects.toMatchObject(GONE);
    await lost;
  });

  it('drops a host that sends a line longer than the protocol allows', async () => {
    const { client } = await fakeHost((_request, socket) => socket.write('x'.repeat(MAX_LINE_BYTES + 10)));
    await expect(client.listPlans()).rejects.toMatchObject(GONE);
  });

  it('ignores replies to no request it made, and takes the one to its request', async () => {
    const { client } = await fakeHost((request, socket) => {
      send(socket, { result: 'no id' });
      send(socket, { id: request.id + 100, result: 'someone else’s' });
      send(socket, 42);
      send(socket, { id: request.id, result: [] });
    });
    await expect(client.listPlans()).resolves.toEqual([]);
  });

  it('turns the host’s errors into coded TroupeErrors, a retry into a HostRetryError, and garbage into INTERNAL_ERROR', async () => {
    const errors: Record<string, unknown> = {
      'demo/missing': { code: 'NOT_FOUND', message: 'no plan matches "demo/missing"', hint: 'troupe plan list --all shows the plans', details: { ref: 'demo/missing' } },
      'demo/retry': { code: 'STORE_LOCKED', message: 'the troupe host is shutting down', retry: true },
      'demo/garbage': 'it broke',
    };
    const { client } = await fakeHost((request, socket) => send(socket, { id: request.id, error: errors[String(request.params[0])] }));

    const missing = await client.getPlan('demo/missing').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(TroupeError);
    expect(missing).not.toBeInstanceOf(HostRetryError);
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: 'no plan matches "demo/missing"', hint: 'troupe plan list --all shows the plans', details: { ref: 'demo/missing' } });

    const retry = await client.getPlan('demo/retry').catch((error: unknown) => error);
    expect(retry).toBeInstanceOf(HostRetryError);
    expect(retry).toMatchObject({ code: 'STORE_LOCKED', message: 'the troupe host is shutting down' });

    await expect(client.getPlan('demo/garbage')).rejects.toMatchObject({ code: 'INTERNAL_ERROR', message: 'the troupe host answered with a malformed error' });
  });

  it('delivers a subscription’s events, unsubscribes once, and sends nothing once the host is gone', async () => {
    let host!: Socket;
    const { client, requests } = await fakeHost((request, socket) => {
      host = socket;
      send(socket, { id: request.id, result: true });
    });
    const seen: unknown[] = [];
    const stop = client.subscribe('*', (event) => seen.push(event));
    await expect.poll(() => requests.length).toBe(1);
    const [subscribe] = requests;
    expect(subscribe).toEqual({ id: subscribe!.id, method: 'subscribe', params: ['*'] });
    const event = { seq: 1, ts: '2026-01-01T00:00:00.000Z', planId: 'p', type: 'plan.created', data: {} };
    send(host, { id: subscribe!.id, event });
    await expect.poll(() => seen).toEqual([event]);

    stop();
    stop();
    await expect.poll(() => requests.map((request) => request.method)).toEqual(['subscribe', 'unsubscribe']);
    expect(requests[1]!.params).toEqual([subscribe!.id]);

    const later = client.subscribe('01J00000000000000000000000', (event) => seen.push(event));
    await expect.poll(() => requests.length).toBe(3);
    const lost = new Promise<void>((resolve) => client.onDisconnect(resolve));
    host.destroy();
    await lost;
    later();
    send(host, { id: requests[2]!.id, event });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toHaveLength(3);
    expect(seen).toHaveLength(1);
  });

  it('asks for logs one at a time, with the caller’s filter, until none is left or the limit is reached', async () => {
    const logs = [1, 2, 3].map((seq) => ({ seq, command: `echo ${seq}` }));
    const { client, requests } = await fakeHost((request, socket) => {
      const options = request.params[1] as { afterSeq?: number; limit: number };
      if (options.limit !== 1) return send(socket, { id: request.id, error: { code: 'VALIDATION_ERROR', message: 'logs: limit: must be a number above 0' } });
      send(socket, { id: request.id, result: logs.filter((log) => log.seq > (options.afterSeq ?? 0)).slice(0, 1) });
    });

    expect((await client.logs('demo/x', { step: 1 })).map((log) => log.seq)).toEqual([1, 2, 3]);
    expect(requests.map((request) => request.params)).toEqual([
      ['demo/x', { step: 1, limit: 1 }],
      ['demo/x', { step: 1, afterSeq: 1, limit: 1 }],
      ['demo/x', { step: 1, afterSeq: 2, limit: 1 }],
      ['demo/x', { step: 1, afterSeq: 3, limit: 1 }],
    ]);
    expect((await client.logs('demo/x', { afterSeq: 1, limit: 1 })).map((log) => log.seq)).toEqual([2]);
    await expect(client.logs('demo/x', { limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(requests.at(-1)!.params).toEqual(['demo/x', { limit: 0 }]);
  });
});
