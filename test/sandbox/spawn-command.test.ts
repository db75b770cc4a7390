import { describe, expect, it } from 'vitest';
import { commandEnv } from '../../src/sandbox/index.js';
import { spawnCommand } from '../../src/sandbox/spawn-command.js';
import { stall } from '../helpers/stall.js';

// A command's timeout after this process stopped running for a while (a
// frozen worker): what the command did meanwhile is read before the timer
// decides, so a command that ended in time is not called timed out.

const stallSoon = (): void => void setImmediate(() => stall(1_000));

describe('spawnCommand after this process stalled past its timeout', () => {
  it('reports a command that ended meanwhile as ended, with all it printed', async () => {
    // stalled from the turn after the command started: it runs, prints and ends meanwhile, unread
    const done = spawnCommand({
      file: 'sh',
      args: ['-c', 'echo ran; echo more'],
      cwd: process.cwd(),
      env: commandEnv(),
      timeoutMs: 300,
      onSpawn: stallSoon,
    });
    expect(await done).toMatchObject({ exitCode: 0, timedOut: false, stdoutTail: 'ran\nmore\n' });
  });

  it('still times out a command that did not end', async () => {
    const done = spawnCommand({
      file: 'sh',
      args: ['-c', 'sleep 30'],
      cwd: process.cwd(),
      env: commandEnv(),
      timeoutMs: 300,
      killGraceMs: 100,
      onSpawn: stallSoon,
    });
    expect(await done).toMatchObject({ exitCode: null, timedOut: true });
  });
});
