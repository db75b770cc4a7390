import { describe, expect, it } from 'vitest';
import { globShape, shapesOverlap } from '../../src/domain/glob-overlap.js';
import { overlappingPairs, type OverlapEntry } from '../../src/domain/overlap.js';

// The work bound of overlap detection is for the whole group: each pair's
// search spends from one budget. A group whose pairs each fit the bound, but
// not all together, has its later pairs counted as overlapping unproven
// (no example) — the safe answer — rather than searched past the bound.

// scopes that share their start, so every pair is searched, and never meet
const globs = ['src/**/*.a', 'src/**/*.b', 'src/**/*.c'];
const entries: OverlapEntry[] = globs.map((glob, index) => ({ name: `child-${index}`, scopes: [glob], project: null }));

// what one pair's search costs, read from a budget of its own
function workOf(a: string, b: string): number {
  const budget = { left: 1_000_000 };
  expect(shapesOverlap(globShape(a), globShape(b), { budget })).toEqual({ overlaps: false });
  return 1_000_000 - budget.left;
}

describe('the overlap search budget of a group', () => {
  it('is spent by each search', () => {
    const budget = { left: 1_000_000 };
    shapesOverlap(globShape(globs[0]!), globShape(globs[1]!), { budget });
    expect(budget.left).toBeLessThan(1_000_000);
    const after = budget.left;
    shapesOverlap(globShape(globs[1]!), globShape(globs[2]!), { budget });
    expect(budget.left).toBeLessThan(after);
  });

  it('counts later pairs overlapping, without an example, when each pair fits the bound but all together do not', () => {
    const works = [workOf(globs[0]!, globs[1]!), workOf(globs[0]!, globs[2]!), workOf(globs[1]!, globs[2]!)];
    const maxWork = Math.max(...works) + 1;
    expect(works.reduce((sum, work) => sum + work, 0)).toBeGreaterThan(maxWork);
    // each pair alone, within the bound: told apart
    for (const [a, b] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const)
      expect(overlappingPairs([entries[a]!, entries[b]!], { maxWork })).toEqual([]);
    // all three: the budget runs out, and what it did not decide counts as overlapping
    const pairs = overlappingPairs(entries, { maxWork });
    expect(pairs.length).toBeGreaterThan(0);
    for (const pair of pairs) expect(pair.example).toBeNull();
    expect(pairs.at(-1)).toMatchObject({ a: 1, b: 2, patterns: [globs[1], globs[2]], example: null });
  });

  it('tells every pair apart when the bound covers the whole group', () => {
    expect(overlappingPairs(entries)).toEqual([]);
  });
});
