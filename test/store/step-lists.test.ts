import { describe, expect, it } from 'vitest';
import type { StepNode, StepPointer } from '../../src/store/step-chain.js';
import { StepLists } from '../../src/store/step-lists.js';

type Chain = { nodes: [number, StepNode][]; pointer: StepPointer | null };

describe('StepLists', () => {
  it('keeps the chain a commit planned into when a read that began before the commit ends after it', async () => {
    // the plan's chain as stored before its first step: empty
    const lists = new StepLists(async (): Promise<Chain> => ({ nodes: [], pointer: null }));
    let answer!: (chain: Chain) => void;
    // a read of the plan (its record asked for by an actor) that the store answers late
    const late = lists.of('p', () => new Promise<Chain>((resolve) => (answer = resolve)));
    // meanwhile the plan's first commit reads the chain, plans its first step into it and writes it
    const steps = await lists.of('p');
    const first = lists.plan('p', steps, ['a'], []);
    lists.wrote('p', steps, first);
    // the late read brings the chain as it was before that commit
    answer({ nodes: [], pointer: null });
    expect((await late).ids).toEqual(['a']);
    // the next commit adds one node after the first step's, not a second first node under the same key
    const now = await lists.of('p');
    expect(now.ids).toEqual(['a']);
    const second = lists.plan('p', now, ['a', 'b'], []);
    const [firstSeq] = first.nodes[0]!;
    expect(second.nodes).toEqual([[expect.any(Number), { prev: firstSeq, ids: ['b'] }]]);
    expect(second.nodes[0]![0]).not.toBe(firstSeq);
  });
});
