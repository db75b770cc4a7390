import { spawnSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countWaiting, hostWaitingDir, markWaiting } from '../../src/runtime/host/host-waiters.js';
import { tempDir } from '../helpers/temp.js';

// The marks of commands waiting for the store's owner, on a real folder: counted while their
// processes live, removed once they are gone, and gone with the last command.

describe('commands waiting for the owner', () => {
  let socketPath: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const temp = await tempDir('troupe-waiters-');
    cleanup = temp.cleanup;
    socketPath = join(temp.dir, 'host.sock');
  });
  afterEach(async () => cleanup());

  it('counts the marks of live processes, and leaves no folder once the last one unmarks', async () => {
    const [first, second] = [await markWaiting(socketPath), await markWaiting(socketPath)];
    expect(await countWaiting(socketPath)).toBe(2);
    await first();
    expect(await countWaiting(socketPath)).toBe(1);
    await second();
    expect(await countWaiting(socketPath)).toBe(0);
    await expect(readdir(hostWaitingDir(socketPath))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('removes the marks of processes that died and of names that are no process', async () => {
    const unmark = await markWaiting(socketPath);
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(hostWaitingDir(socketPath), `${dead}-1`), '');
    await writeFile(join(hostWaitingDir(socketPath), 'stray'), '');
    // pid 1 is another user's or this container's init: alive either way
    await writeFile(join(hostWaitingDir(socketPath), '1-1'), '');
    expect(await countWaiting(socketPath)).toBe(2);
    const left = await readdir(hostWaitingDir(socketPath));
    expect(left).toHaveLength(2);
    expect(left).toContain('1-1');
    expect(left.some((name) => name.startsWith(`${process.pid}-`))).toBe(true);
    await unmark();
  });

  it('marks nothing where the socket’s folder does not exist', async () => {
    const unmark = await markWaiting(join(socketPath, 'no', 'such', 'host.sock'));
    await unmark();
    expect(await countWaiting(join(socketPath, 'no', 'such', 'host.sock'))).toBe(0);
  });
});
