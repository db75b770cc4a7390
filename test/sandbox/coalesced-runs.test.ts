import { describe, expect, it } from 'vitest';
import { CoalescedRuns } from '../../src/sandbox/coalesced-runs.js';

// a run that waits until the test lets it end, and remembers what each run carried
function gatedRuns(): { runs: string[][]; release: () => void; coalesced: CoalescedRuns<string, string> } {
  const runs: string[][] = [];
  let open: () => void = () => {};
  const coalesced = new CoalescedRuns<string, string>(async (requests) => {
    runs.push([...requests]);
    await new Promise<void>((resolve) => (open = resolve));
    if (requests.includes('bad')) throw new Error('the run failed');
    return requests.map((request) => `done ${request}`);
  });
  return { runs, release: () => open(), coalesced };
}

describe('CoalescedRuns', () => {
  it('serves the requests of one turn in one run, and those made while it ran in the next, each with its own result', async () => {
    const { runs, release, coalesced } = gatedRuns();
    const first = [coalesced.request('a'), coalesced.request('b')];
    await new Promise((resolve) => setImmediate(resolve));
    // a run is under way: these wait for it, then go together
    const later = [coalesced.request('c'), coalesced.request('d'), coalesced.request('e')];
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toEqual([['a', 'b']]);
    release();
    expect(await Promise.all(first)).toEqual(['done a', 'done b']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    release();
    expect(await Promise.all(later)).toEqual(['done c', 'done d', 'done e']);
  });

  it('holds a run until its hold lets go, and the requests made meanwhile go in it', async () => {
    const runs: string[][] = [];
    let letGo: () => void = () => {};
    const coalesced = new CoalescedRuns<string, string>(
      async (requests) => {
        runs.push([...requests]);
        return requests.map((request) => `done ${request}`);
      },
      () => new Promise<void>((resolve) => (letGo = resolve)),
    );
    const first = coalesced.request('a');
    await new Promise((resolve) => setImmediate(resolve));
    // held: nothing ran yet, and a request made now joins the first run
    expect(runs).toEqual([]);
    const second = coalesced.request('b');
    letGo();
    expect(await Promise.all([first, second])).toEqual(['done a', 'done b']);
    expect(runs).toEqual([['a', 'b']]);
  });

  it('fails every request of a failed run with its error, and runs the next ones', async () => {
    const { runs, release, coalesced } = gatedRuns();
    const failed = [coalesced.request('bad'), coalesced.request('x')].map((run) =>
      run.catch((error: unknown) => (error as Error).message),
    );
    await new Promise((resolve) => setImmediate(resolve));
    const next = coalesced.request('y');
    release();
    expect(await Promise.all(failed)).toEqual(['the run failed', 'the run failed']);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await next).toBe('done y');
    expect(runs).toEqual([['bad', 'x'], ['y']]);
  });
});
