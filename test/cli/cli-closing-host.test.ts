import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { lineReader } from '../../src/runtime/host/host-protocol.js';
import { hostSocketPath } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

// The CLI against a host that answers every request as a host that is shutting down does.

describe('troupe CLI and a host that is shutting down', () => {
  // a host that answers every request with the retry a closing host sends
  async function closingHost(projectDir: string, options: { once: boolean }) {
    const requests: string[] = [];
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.on(
        'data',
        lineReader(
          (message) => {
            const request = message as { id: number; method: string };
            // it greets a client as a host does, then is closing
            if (request.method === 'hostInfo')
              return socket.write(
                `${JSON.stringify({ id: request.id, result: { pid: 1, command: 'troupe ui', startedAt: '2026-01-01T00:00:00.000Z' } })}\n`,
              );
            requests.push(request.method);
            socket.write(
              `${JSON.stringify({ id: request.id, error: { code: 'STORE_LOCKED', message: 'the troupe host is shutting down', retry: true } })}\n`,
            );
            if (options.once) server.close();
          },
          () => {},
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(hostSocketPath(projectDir), resolve));
    return {
      requests,
      close: () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
    };
  }

  it('asks the next owner of the store, or becomes it, when the host it asked was shutting down', async () => {
    const repo = await tempRepo();
    try {
      expect((await runCli(repo.dir, ['init'])).code).toBe(0);
      const host = await closingHost(repo.dir, { once: true });
      const result = await runCli(repo.dir, ['plan', 'list', '--json']);
      await host.close();
      expect(host.requests).toEqual(['listPlans']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(result.stdout)).toEqual([]);
    } finally {
      await repo.cleanup();
    }
  });

  it('gives up after asking twenty more times, with the host’s error', async () => {
    const repo = await tempRepo();
    try {
      expect((await runCli(repo.dir, ['init'])).code).toBe(0);
      const host = await closingHost(repo.dir, { once: false });
      const result = await runCli(repo.dir, ['plan', 'list']);
      await host.close();
      expect(host.requests).toEqual(Array.from({ length: 21 }, () => 'listPlans'));
      expect(result.stderr).toBe('error[STORE_LOCKED]: the troupe host is shutting down\n');
      expect(result.code).toBe(1);
    } finally {
      await repo.cleanup();
    }
  });
});
