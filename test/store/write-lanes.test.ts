import { describe, expect, it } from 'vitest';
import { WriteLanes } from '../../src/store/mutex.js';

// a write that stays under way until `finish` is called, noting when it started and ended
function pending(log: string[], name: string): { write: () => Promise<string>; finish: () => void } {
  let finish = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    write: async () => {
      log.push(`${name} started`);
      await done;
      log.push(`${name} ended`);
      return name;
    },
    finish: () => finish(),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('WriteLanes', () => {
  it('writes two plans side by side, and one plan’s writes in the order asked', async () => {
    const lanes = new WriteLanes(true);
    const log: string[] = [];
    const [a1, a2, b1] = [pending(log, 'a1'), pending(log, 'a2'), pending(log, 'b1')];
    const runs = [lanes.run('a', a1.write), lanes.run('a', a2.write), lanes.run('b', b1.write)];
    await turn();
    expect(log).toEqual(['a1 started', 'b1 started']);
    a1.finish();
    await turn();
    expect(log).toEqual(['a1 started', 'b1 started', 'a1 ended', 'a2 started']);
    a2.finish();
    b1.finish();
    expect(await Promise.all(runs)).toEqual(['a1', 'a2', 'b1']);
  });

  it('runs an exclusive write after every write asked for before it, and every later write after it', async () => {
    const lanes = new WriteLanes(true);
    const log: string[] = [];
    const [a, b, close, later] = [pending(log, 'a'), pending(log, 'b'), pending(log, 'close'), pending(log, 'later')];
    const runs = [
      lanes.run('a', a.write),
      lanes.run('b', b.write),
      lanes.exclusive(close.write),
      lanes.run('c', later.write),
    ];
    await turn();
    a.finish();
    await turn();
    expect(log).toEqual(['a started', 'b started', 'a ended']);
    b.finish();
    await turn();
    expect(log.slice(3)).toEqual(['b ended', 'close started']);
    close.finish();
    await turn();
    expect(log.slice(5)).toEqual(['close ended', 'later started']);
    later.finish();
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'close', 'later']);
  });

  it('with one lane, writes everything in turn, whatever its key', async () => {
    const lanes = new WriteLanes(false);
    const log: string[] = [];
    const [a, b] = [pending(log, 'a'), pending(log, 'b')];
    const runs = [lanes.run('a', a.write), lanes.run('b', b.write)];
    await turn();
    expect(log).toEqual(['a started']);
    a.finish();
    b.finish();
    await Promise.all(runs);
    expect(log).toEqual(['a started', 'a ended', 'b started', 'b ended']);
  });

  it('goes on with a lane whose write failed', async () => {
    const lanes = new WriteLanes(true);
    const failed = lanes.run('a', () => Promise.reject(new Error('disk full')));
    const next = lanes.run('a', async () => 'next');
    await expect(failed).rejects.toThrow('disk full');
    expect(await next).toBe('next');
  });
});
