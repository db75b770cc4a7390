import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { afterPendingIo } from '../../src/sandbox/pending-first-timer.js';
import { stall } from '../helpers/stall.js';

// A deadline on a child's answer, after this process stopped running past
// it: the answer that came in meanwhile is read before the deadline acts.

describe('afterPendingIo', () => {
  it('acts after what arrived while this process was stalled has been read', async () => {
    const child = spawn('sh', ['-c', 'echo answered'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let heard = '';
    child.stdout.on('data', (chunk: Buffer) => (heard += chunk.toString('utf8')));
    const seen = new Promise<string>((resolve) => afterPendingIo(100, () => resolve(heard)));
    // stalled from the next turn of the loop: the child answers and exits meanwhile, unread
    setImmediate(() => stall(600));
    expect(await seen).toBe('answered\n');
  });

  it('acts, when late, only after it has been running again for a while', async () => {
    const started = Date.now();
    const acted = new Promise<number>((resolve) => afterPendingIo(50, () => resolve(Date.now())));
    setImmediate(() => stall(400));
    expect((await acted) - started).toBeGreaterThanOrEqual(400 + 450);
  });

  it('acts after its time when nothing comes, and not at all once cancelled', async () => {
    const started = Date.now();
    await new Promise<void>((resolve) => afterPendingIo(50, resolve));
    expect(Date.now() - started).toBeGreaterThanOrEqual(49);
    let acted = false;
    const cancel = afterPendingIo(20, () => (acted = true));
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(acted).toBe(false);
  });
});
