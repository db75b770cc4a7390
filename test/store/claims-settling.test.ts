import { describe, expect, it } from 'vitest';
import { CLAIMS_RETAKEN_WITHIN_MS, settledClaims, type ClaimsRead } from '../../src/store/claims-settling.js';

// A reader in the first seconds after the store's server restarted waits for
// plans their processes are taking back (the real server: postgres-claims.test.ts).

// a server up `upMs` at the first read, whose clock moves with the reader's waits; plan `id` is held from `heldFrom[id]` on
function server(upMs: number, heldFrom: Record<string, number>) {
  const clock = { upMs, reads: [] as string[][], waits: [] as number[] };
  const read = async (planIds: readonly string[]): Promise<ClaimsRead> => {
    clock.reads.push([...planIds]);
    return {
      held: new Set(planIds.filter((id) => heldFrom[id] !== undefined && heldFrom[id]! <= clock.upMs)),
      serverUpMs: clock.upMs,
    };
  };
  const wait = async (ms: number) => {
    clock.waits.push(ms);
    clock.upMs += ms;
  };
  return { clock, read, wait };
}

describe('settledClaims', () => {
  it('answers from one read when the server has been up long enough, held or not', async () => {
    const { clock, read, wait } = server(CLAIMS_RETAKEN_WITHIN_MS, { A: 0 });
    expect(await settledClaims(['A', 'B'], read, wait)).toEqual(['A']);
    expect(clock.reads).toEqual([['A', 'B']]);
    expect(clock.waits).toEqual([]);
  });

  it('answers from one read when every plan is held, however young the server', async () => {
    const { clock, read, wait } = server(100, { A: 0, B: 0 });
    expect(await settledClaims(['B', 'A'], read, wait)).toEqual(['B', 'A']);
    expect(clock.reads).toHaveLength(1);
  });

  it('reads the unheld plans again until each is held, after a restart', async () => {
    const { clock, read, wait } = server(300, { A: 0, B: 1_200, C: 2_000 });
    expect(await settledClaims(['A', 'B', 'C'], read, wait)).toEqual(['A', 'B', 'C']);
    // the held ones are not asked again; the last read is the one that found C
    expect(clock.reads[0]).toEqual(['A', 'B', 'C']);
    expect(clock.reads[1]).toEqual(['B', 'C']);
    expect(clock.reads.at(-1)).toEqual(['C']);
    expect(clock.upMs).toBe(2_050);
    expect(Math.max(...clock.waits)).toBe(250);
  });

  it('calls a plan unheld once the window has passed, and waits no longer', async () => {
    const { clock, read, wait } = server(4_900, { A: 6_000 });
    expect(await settledClaims(['A'], read, wait)).toEqual([]);
    expect(clock.waits).toEqual([100]);
    expect(clock.upMs).toBe(CLAIMS_RETAKEN_WITHIN_MS);
  });

  it('keeps the order asked and asks for a repeated plan once', async () => {
    const { clock, read, wait } = server(0, { A: 0, B: 250 });
    expect(await settledClaims(['B', 'A', 'B'], read, wait)).toEqual(['B', 'A', 'B']);
    expect(clock.reads[0]).toEqual(['B', 'A']);
  });
});
