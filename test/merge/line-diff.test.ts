import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffLines } from '../../src/merge/line-diff.js';
import { merge, splitLines } from '../../src/merge/index.js';
import { bigTriple } from './big-files.js';
import { bytes } from './bytes.js';
import { generateTriples } from './corpus.js';
import { diffLinesBefore } from './line-diff-before.js';

describe('diffLines', () => {
  it('finds nothing to change in equal files', () => {
    expect(diffLines(['a', 'b'], ['a', 'b'])).toEqual([]);
    expect(diffLines([], [])).toEqual([]);
  });

  it('reports insertions, deletions and replacements as ranges of both files', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual([
      { fromStart: 1, fromEnd: 2, toStart: 1, toEnd: 2 },
      { fromStart: 3, fromEnd: 3, toStart: 3, toEnd: 4 },
    ]);
    expect(diffLines(['a', 'b'], [])).toEqual([{ fromStart: 0, fromEnd: 2, toStart: 0, toEnd: 0 }]);
  });

  it('places an insertion among repeated lines as low as it goes, as git does', () => {
    expect(diffLines(['a', '}', 'b'], ['a', '}', '}', '}', 'b'])).toEqual([
      { fromStart: 2, fromEnd: 2, toStart: 2, toEnd: 4 },
    ]);
  });

  it('slides a deleted block whose edges repeat down past the blank line, as git does', () => {
    const from = ['x', '}', '', 'function f() {', '}', '', 'end'];
    const to = ['x', '}', '', 'end'];
    expect(diffLines(from, to)).toEqual([{ fromStart: 3, fromEnd: 6, toStart: 3, toEnd: 3 }]);
  });

  it('keeps a replacement in one piece where a repeated line could split it', () => {
    // git: the inserted lines and the '}' form one change before the old '}'
    expect(diffLines([')', '}', 'z'], [')', 'p', 'q', '}', '}', 'z'])).toEqual([
      { fromStart: 1, fromEnd: 1, toStart: 1, toEnd: 4 },
    ]);
  });

  it('diffs large files of repeated lines at once, cutting them at lines unique to both', () => {
    const from = Array.from({ length: 20_000 }, (_, at) => (at % 10 === 0 ? `unique ${at}` : at % 2 ? '' : '}'));
    const to = [...from];
    to.splice(15_001, 1, 'changed');
    to.splice(5_001, 0, 'inserted');
    expect(diffLines(from, to)).toEqual([
      { fromStart: 5_001, fromEnd: 5_001, toStart: 5_001, toEnd: 5_002 },
      { fromStart: 15_001, fromEnd: 15_002, toStart: 15_002, toEnd: 15_003 },
    ]);
  });

  it('cuts a costly diff at the unique lines that keep their order when two blocks swapped places', () => {
    const block = (at: number) => [`unique ${at}`, ...Array.from({ length: 100 }, (_, line) => (line % 2 ? '' : '}'))];
    const from = Array.from({ length: 20 }, (_, at) => block(at)).flat();
    // blocks 3 and 15 swap: their unique lines are out of order, the other 18 stay anchors
    const to = Array.from({ length: 20 }, (_, at) => block(at === 3 ? 15 : at === 15 ? 3 : at)).flat();
    expect(diffLines(from, to)).toEqual([
      { fromStart: 303, fromEnd: 304, toStart: 303, toEnd: 304 },
      { fromStart: 1_515, fromEnd: 1_516, toStart: 1_515, toEnd: 1_516 },
    ]);
  });

  it('takes a costly region without any unique line as one change: a conflict where git merges, never a wrong merge', () => {
    const base = Array.from({ length: 4_000 }, (_, at): string => (at % 2 ? '\n' : '}\n'));
    const ours = [...base];
    [ours[100], ours[3_900]] = ['ours\n', 'ours\n'];
    const theirs = [...base];
    theirs[2_000] = 'theirs\n';
    expect(diffLines(base, ours)).toEqual([{ fromStart: 100, fromEnd: 3_901, toStart: 100, toEnd: 3_901 }]);
    const result = merge({
      path: 'braces.txt',
      base: bytes(base.join('')),
      ours: bytes(ours.join('')),
      theirs: bytes(theirs.join('')),
    });
    expect(result).toMatchObject({ status: 'conflict', kind: 'content' });
    expect(result.status === 'conflict' && result.hunks).toHaveLength(1);
  });
});

// issue 19 item 6: the speed-up changed how the diff is computed, not what it answers
describe('diffLines, faster, answers as before', () => {
  it('on random files of a few distinct lines, where many alignments exist', () => {
    const lines = fc.array(fc.constantFrom('a\n', 'b\n', '}\n', '\n', '  return;\n', 'x'), { maxLength: 60 });
    fc.assert(
      fc.property(lines, lines, (from, to) => {
        expect(diffLines(from, to)).toEqual(diffLinesBefore(from, to));
      }),
      { numRuns: 2000 },
    );
  });

  it('on big files cut from a real one and on large generated ones, whose diffs are cut at unique lines', () => {
    const triples = [
      bigTriple('apart', { bytes: 100_000, from: 60_000, hunks: 20, layout: 'apart', seed: 12 }),
      bigTriple('close', { bytes: 100_000, from: 170_000, hunks: 20, layout: 'close', seed: 14 }),
      bigTriple('1 MB', { bytes: 1_000_000, from: 120_000, hunks: 30, layout: 'apart', seed: 23 }),
      ...generateTriples(12, 19_006, { lines: [2_000, 9_000], edits: 40 }),
    ];
    for (const triple of triples) {
      const [base, ours, theirs] = [triple.base, triple.ours, triple.theirs].map(splitLines);
      for (const [from, to] of [
        [base, ours],
        [base, theirs],
        [ours, theirs],
      ] as const) {
        const changes = diffLines(from!, to!);
        expect(changes.length).toBeGreaterThan(0);
        expect(changes).toEqual(diffLinesBefore(from!, to!));
      }
    }
  });
});
