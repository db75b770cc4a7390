import { describe, expect, it } from 'vitest';
import { EMPTY_STEPS, StepChain, type StepNode } from '../../src/store/step-chain.js';

// a chain as a store reads it back from disk: nodes loaded, their lengths not yet known
function loaded(nodes: [number, StepNode][]): StepChain {
  const chain = new StepChain();
  for (const [seq, node] of nodes) chain.load(seq, node);
  return chain;
}

// a → b → c in three nodes, read back: the list of a plan that took three steps one at a time
const threeSteps = (): StepChain =>
  loaded([
    [2, { prev: 1, ids: ['c'] }],
    [0, { prev: null, ids: ['a'] }],
    [1, { prev: 0, ids: ['b'] }],
  ]);

describe('StepChain', () => {
  it('reads the empty list without a node, and no list of ids from nothing', () => {
    const chain = new StepChain();
    expect(chain.list(EMPTY_STEPS)).toEqual([]);
    expect(chain.list({ node: null, count: 1 })).toBeNull();
    expect(chain.point([])).toEqual({ pointer: EMPTY_STEPS, added: null });
  });

  it('reads a pointer through the nodes it was loaded with, whole or as a prefix, and no more than the list holds', () => {
    const chain = threeSteps();
    expect(chain.list({ node: 2, count: 3 })).toEqual(['a', 'b', 'c']);
    expect(chain.list({ node: 2, count: 2 })).toEqual(['a', 'b']);
    expect(chain.list({ node: 1, count: 2 })).toEqual(['a', 'b']);
    expect(chain.list({ node: 0, count: 0 })).toEqual([]);
    expect(chain.list({ node: 2, count: 4 })).toBeNull();
    expect(chain.has(1)).toBe(true);
    expect(chain.has(3)).toBe(false);
  });

  it('reads no list through a missing node or a node that does not follow its prev', () => {
    expect(loaded([[1, { prev: 0, ids: ['b'] }]]).list({ node: 1, count: 1 })).toBeNull();
    expect(loaded([[0, { prev: 0, ids: ['a'] }]]).list({ node: 0, count: 1 })).toBeNull();
    expect(
      loaded([
        [0, { prev: 1, ids: ['a'] }],
        [1, { prev: null, ids: ['b'] }],
      ]).list({ node: 0, count: 2 }),
    ).toBeNull();
  });

  it('numbers a new node after the highest node loaded', () => {
    const chain = threeSteps();
    expect(chain.point(['x']).added).toEqual([3, { prev: null, ids: ['x'] }]);
    expect(chain.point(['y']).added).toEqual([4, { prev: null, ids: ['y'] }]);
  });

  it('points at a near list, or a prefix of it, without a node', () => {
    const chain = threeSteps();
    const near = { pointer: { node: 2, count: 3 }, ids: ['a', 'b', 'c'] };
    expect(chain.point(['a', 'b', 'c'], near)).toEqual({ pointer: { node: 2, count: 3 }, added: null });
    expect(chain.point(['a', 'b'], near)).toEqual({ pointer: { node: 2, count: 2 }, added: null });
  });

  it('adds a step as one node of one id after a chain read back from disk', () => {
    const chain = threeSteps();
    const near = { pointer: { node: 2, count: 3 }, ids: ['a', 'b', 'c'] };
    expect(chain.point(['a', 'b', 'c', 'd'], near)).toEqual({
      pointer: { node: 3, count: 4 },
      added: [3, { prev: 2, ids: ['d'] }],
    });
    expect(chain.list({ node: 3, count: 4 })).toEqual(['a', 'b', 'c', 'd']);
  });

  it('after a rollback, adds only what follows the deepest node the new list starts with', () => {
    const chain = threeSteps();
    const near = { pointer: { node: 2, count: 3 }, ids: ['a', 'b', 'c'] };
    // a, b kept; c replaced by x: the new node follows node 1 (a, b), not node 0 or nothing
    expect(chain.point(['a', 'b', 'x'], near).added).toEqual([3, { prev: 1, ids: ['x'] }]);
    // only a kept
    expect(chain.point(['a', 'y'], near).added).toEqual([4, { prev: 0, ids: ['y'] }]);
    expect(chain.list({ node: 3, count: 3 })).toEqual(['a', 'b', 'x']);
    expect(chain.list({ node: 4, count: 2 })).toEqual(['a', 'y']);
  });

  it('builds on the near list that shares the longest prefix, whichever comes first', () => {
    const chain = threeSteps();
    const deep = { pointer: { node: 2, count: 3 }, ids: ['a', 'b', 'c'] };
    const shallow = { pointer: { node: 0, count: 1 }, ids: ['a'] };
    expect(chain.point(['a', 'b', 'c', 'd'], deep, shallow).added).toEqual([3, { prev: 2, ids: ['d'] }]);
    expect(chain.point(['a', 'b', 'c', 'e'], shallow, deep).added).toEqual([4, { prev: 2, ids: ['e'] }]);
  });

  it('lengthens a node made in this process and one loaded after it alike', () => {
    const chain = new StepChain();
    const first = chain.point(['a', 'b']);
    expect(first.added).toEqual([0, { prev: null, ids: ['a', 'b'] }]);
    const near = { pointer: first.pointer, ids: ['a', 'b'] };
    expect(chain.point(['a', 'b', 'c'], near).added).toEqual([1, { prev: 0, ids: ['c'] }]);
    chain.load(2, { prev: 1, ids: ['d'] });
    const far = { pointer: { node: 2, count: 4 }, ids: ['a', 'b', 'c', 'd'] };
    expect(chain.point(['a', 'b', 'c', 'd', 'e'], far).added).toEqual([3, { prev: 2, ids: ['e'] }]);
  });

  it('takes a near list it cannot follow as no help: the new node holds the whole list', () => {
    // the near's node was never loaded
    expect(new StepChain().point(['a', 'b'], { pointer: { node: 7, count: 1 }, ids: ['a'] }).added).toEqual([
      0,
      { prev: null, ids: ['a', 'b'] },
    ]);
    // the near's node follows itself: damage, not a list to build on
    const looped = loaded([[0, { prev: 0, ids: ['a'] }]]);
    expect(looped.point(['a', 'b'], { pointer: { node: 0, count: 1 }, ids: ['a'] }).added).toEqual([
      1,
      { prev: null, ids: ['a', 'b'] },
    ]);
  });
});
