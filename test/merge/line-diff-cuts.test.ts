// The costly-region path of the line diff (regions past LCS_BUDGET pairs are
// cut at lines unique to both files) and xdiff's compaction, case by case:
// each case is one a mutation run showed no other test telling apart from a
// slightly wrong diff (docs/explanation/reliability.md, "line-diff.ts"). The expected
// changes are also what the diff before the speed-up answers.
import { describe, expect, it } from 'vitest';
import { compact, diffLines, type LineChange } from '../../src/merge/line-diff.js';
import { diffLinesBefore } from './line-diff-before.js';

// 230 '}' and 230 blank lines: 105,800 matching pairs against itself, past the budget
const repeated = Array.from({ length: 460 }, (_, at) => (at % 2 ? '' : '}'));
const blanks = (count: number) => Array.from({ length: count }, () => '');
const change = (fromStart: number, fromEnd: number, toStart: number, toEnd: number): LineChange => ({
  fromStart,
  fromEnd,
  toStart,
  toEnd,
});

function expectDiff(from: string[], to: string[], expected: LineChange[]): void {
  expect(diffLines(from, to)).toEqual(expected);
  expect(diffLinesBefore(from, to)).toEqual(expected);
}

describe('diffLines on regions past the LCS budget', () => {
  it('trims what a region between two cuts shares at its start before counting its cost', () => {
    // cut at U, the rest is `repeated` then x→y: trimmed, it costs nothing
    expectDiff(
      ['s1', 'U', ...repeated, 'x'],
      ['s2', 'U', ...repeated, 'y'],
      [change(0, 1, 0, 1), change(462, 463, 462, 463)],
    );
  });

  it('trims what a region between two cuts shares at its end before counting its cost', () => {
    expectDiff(
      ['s1', 'x', ...repeated, 'U', 'e1'],
      ['s2', 'y', ...repeated, 'U', 'e2'],
      [change(0, 2, 0, 2), change(463, 464, 463, 464)],
    );
  });

  it("cuts at a unique line that is the region's first, with a common last line trimmed away", () => {
    expectDiff(
      ['A', ...repeated, 'x', 'END'],
      ['y', 'A', ...repeated, 'z', 'END'],
      [change(0, 0, 0, 1), change(461, 462, 462, 463)],
    );
  });

  it('does not count the trimmed common last line as a line of the region', () => {
    // END is once in the region of `to` and only in the trimmed end of `from`: no cut, one change
    expectDiff(['s1', ...repeated, 'x', 'END'], ['s2', ...repeated, 'END', 'y', 'END'], [change(0, 462, 0, 463)]);
  });

  it('counts each distinct line once when it weighs a region: 100 blank lines against 100 are within budget', () => {
    expectDiff(
      ['s1', ...blanks(100), 'x'],
      ['s2', ...blanks(100), 'y'],
      [change(0, 1, 0, 1), change(101, 102, 101, 102)],
    );
  });

  it('takes the LCS of a region of exactly the budget, 200 × 250 matching pairs', () => {
    expectDiff(
      ['s1', ...blanks(200), 'x'],
      ['s2', ...blanks(250), 'y'],
      [change(0, 1, 0, 1), change(201, 202, 201, 252)],
    );
  });

  it('does not cut at a line that is unique in one file only', () => {
    expectDiff(['s1', 'k', ...repeated, 'k', 'x'], ['s2', ...repeated, 'k', 'y'], [change(0, 464, 0, 463)]);
  });

  it('starts each region between cuts with clean counts: a line of an earlier region does not spoil a later cut', () => {
    // k is in the region before U in `to` only, and unique in the region after U: still a cut there
    const from = ['s1', 'U', 'p', ...repeated, 'k', ...repeated, 'q'];
    const to = ['s2', 'k', 'U', 'r', ...repeated, 'k', ...repeated, 'w'];
    expectDiff(from, to, [change(0, 1, 0, 2), change(2, 3, 3, 4), change(924, 925, 925, 926)]);
  });

  it('cuts at every unique line that keeps its order, not only the last one', () => {
    // U and V are both cuts: the three lines between them go, U's region gains them
    const from = ['s1', 'U', '', '}', '', 'V', ...repeated, 'x'];
    const to = ['s2', '', '}', '', 'U', 'V', ...repeated, 'y'];
    expectDiff(from, to, [change(0, 1, 0, 4), change(2, 5, 5, 5), change(466, 467, 466, 467)]);
  });

  it('cuts at one of two unique lines that swapped places', () => {
    // the ordered run is one line long, V; after V no line is unique to both, so it changes whole
    expectDiff(
      ['s1', 'U', 'V', ...repeated, 'x'],
      ['s2', 'V', 'U', ...repeated, 'y'],
      [change(0, 2, 0, 1), change(3, 464, 2, 464)],
    );
  });
});

describe('compact (xdiff: xdl_change_compact)', () => {
  // flags as diffLines keeps them: index i + 1 is line i, one unchanged slot at each end
  const flagsOf = (changed: string) => Uint8Array.from([0, ...[...changed].map(Number), 0]);
  const compacted = (lines: string[], changed: string, otherChanged: string) => {
    const flags = flagsOf(changed);
    compact(lines, flags, flagsOf(otherChanged), otherChanged.length);
    return [...flags.slice(1, -1)].join('');
  };

  it('merges a group that slides down into the next one and keeps sliding the merged group', () => {
    // the first a slides over the second into the b change; the merged a, b slides on over the last a
    expect(compacted(['a', 'a', 'b', 'a'], '1010', '00')).toBe('0011');
  });

  it('slides a group that grew again from its top, and settles where it ends lowest', () => {
    // the other file's change at its line 0 lines up only with the first pass; the merged group ends low
    expect(compacted(['a', 'a', 'b', 'a'], '1010', '100')).toBe('0011');
  });
});
