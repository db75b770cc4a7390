import fc from 'fast-check';
import { LCS } from 'node-diff3';
import { describe, expect, it } from 'vitest';
import { longestCommonSubsequence } from '../../src/merge/lcs.js';

// node-diff3's answer, the one the engine gave before its own LCS: its chain of matches as [i, j, …]
function nodeDiff3Pairs(a: number[], b: number[]): number[] {
  const pairs: number[] = [];
  for (let candidate = LCS(a, b); candidate.buffer1index !== -1; candidate = candidate.chain!)
    pairs.push(candidate.buffer2index, candidate.buffer1index);
  return pairs.reverse();
}

// few distinct values, so that lines repeat and many longest subsequences exist
const lines = (alphabet: number, maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: alphabet - 1 }), { maxLength });

describe('longestCommonSubsequence', () => {
  it('finds a longest common subsequence as matched index pairs', () => {
    expect(longestCommonSubsequence([1, 2, 3], [2, 3, 4])).toEqual([1, 0, 2, 1]);
    expect(longestCommonSubsequence([], [1])).toEqual([]);
    expect(longestCommonSubsequence([1, 2], [3, 4])).toEqual([]);
    // more matches than its first candidate arrays hold
    const long = Array.from({ length: 3000 }, (_, at) => at);
    expect(longestCommonSubsequence(long, long)).toEqual(long.flatMap((at) => [at, at]));
  });

  it('picks the very subsequence node-diff3 picks, among the many that repeated lines allow', () => {
    // where several exist, which one is taken decides where a change sits and so whether a merge conflicts
    expect(longestCommonSubsequence([0, 1, 0], [1, 0, 1, 0])).toEqual(nodeDiff3Pairs([0, 1, 0], [1, 0, 1, 0]));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((alphabet) => fc.tuple(lines(alphabet, 40), lines(alphabet, 40))),
        ([a, b]) => {
          expect(longestCommonSubsequence(a, b)).toEqual(nodeDiff3Pairs(a, b));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('answers as node-diff3 on long sequences of frequent lines, where it skips and gallops over the matches that change nothing', () => {
    // blank lines and braces: each of a's many blanks meets every blank of b
    fc.assert(
      fc.property(lines(3, 1500), lines(3, 1500), (a, b) => {
        expect(longestCommonSubsequence(a, b)).toEqual(nodeDiff3Pairs(a, b));
      }),
      { numRuns: 25 },
    );
  });
});
