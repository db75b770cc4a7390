import { describe, expect, it } from 'vitest';
import { merge, splitLines, type MergeResult } from '../../src/merge/index.js';
import { bytes, text } from './bytes.js';

function mergeTexts(base: string | null, ours: string, theirs: string, strategy?: 'ours' | 'theirs'): MergeResult {
  return merge({
    path: 'src/notes.txt',
    base: bytes(base),
    ours: bytes(ours),
    theirs: bytes(theirs),
    ...(strategy ? { strategy } : {}),
  });
}

const BASE = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\n';

describe('splitLines', () => {
  it('keeps each line terminator, CRLF whole, and a last line without one', () => {
    expect(splitLines('a\r\nb\nc')).toEqual(['a\r\n', 'b\n', 'c']);
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\n\n')).toEqual(['\n', '\n']);
    expect(splitLines('a\rb\n')).toEqual(['a\rb\n']);
  });
});

describe('merge: text', () => {
  it('merges changes to different lines cleanly', () => {
    const result = mergeTexts(BASE, BASE.replace('two', 'TWO'), BASE.replace('six', 'SIX'));
    expect(result).toEqual({
      status: 'clean',
      content: bytes('one\nTWO\nthree\nfour\nfive\nSIX\nseven\n'),
      type: 'text',
      resolved: [],
    });
  });

  it('merges insertions and deletions on both sides', () => {
    const ours = 'zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\n';
    const theirs = 'one\ntwo\nthree\nfive\nsix\nseven\neight\n';
    expect(text(mergeTexts(BASE, ours, theirs).content)).toBe('zero\none\ntwo\nthree\nfive\nsix\nseven\neight\n');
  });

  it('reports one hunk per conflicting region with the three sides as text', () => {
    const ours = BASE.replace('two', 'ours 2').replace('six', 'ours 6');
    const theirs = BASE.replace('two', 'theirs 2').replace('six\nseven', 'theirs 6\ntheirs 7');
    const result = mergeTexts(BASE, ours, theirs);
    expect(result).toMatchObject({
      status: 'conflict',
      kind: 'content',
      type: 'text',
      keyPaths: null,
      hunks: [
        { ours: 'ours 2\n', base: 'two\n', theirs: 'theirs 2\n' },
        { ours: 'ours 6\nseven\n', base: 'six\nseven\n', theirs: 'theirs 6\ntheirs 7\n' },
      ],
    });
  });

  it('writes diff3 markers around a conflict, clean parts merged around it', () => {
    const result = mergeTexts('a\nb\nc\nd\n', 'A\nb\nc\nd\n', 'a!\nb\nc\nD\n');
    expect(text(result.content)).toBe('<<<<<<< ours\nA\n||||||| base\na\n=======\na!\n>>>>>>> theirs\nb\nc\nD\n');
  });

  it('treats changes to adjacent lines as a conflict, as git does', () => {
    expect(mergeTexts('a\nb\nc\n', 'a\nB\nc\n', 'a\nb\nC\n').status).toBe('conflict');
  });

  it('merges both sides inserting the same lines at the same place', () => {
    expect(text(mergeTexts('a\nc\n', 'a\nb\nc\n', 'a\nb\nc\nd\n').content)).toBe('a\nb\nc\nd\n');
  });

  it('keeps CRLF line endings byte for byte', () => {
    const base = 'one\r\ntwo\r\nthree\r\nfour\r\n';
    const result = mergeTexts(base, base.replace('one', 'ONE'), base.replace('four', 'FOUR'));
    expect(text(result.content)).toBe('ONE\r\ntwo\r\nthree\r\nFOUR\r\n');
  });

  it('writes CRLF markers in a CRLF file, as git does', () => {
    const base = 'one\r\ntwo\r\nthree\r\n';
    const result = mergeTexts(base, base.replace('two', 'ours'), base.replace('two', 'theirs'));
    expect(text(result.content)).toBe(
      'one\r\n<<<<<<< ours\r\nours\r\n||||||| base\r\ntwo\r\n=======\r\ntheirs\r\n>>>>>>> theirs\r\nthree\r\n',
    );
  });

  it('keeps a missing final newline', () => {
    const base = 'a\nb\nc\nd';
    expect(text(mergeTexts(base, 'A\nb\nc\nd', 'a\nb\nc\nD').content)).toBe('A\nb\nc\nD');
    expect(text(mergeTexts(base, 'A\nb\nc\nd', base).content)).toBe('A\nb\nc\nd');
  });

  it('merges one side adding the final newline with a change elsewhere', () => {
    expect(text(mergeTexts('a\nb\nc\nd', 'A\nb\nc\nd', 'a\nb\nc\nd\n').content)).toBe('A\nb\nc\nd\n');
  });

  it('ends each conflict section with a newline even where the file has none', () => {
    const result = mergeTexts('a\nb', 'a\nours', 'a\ntheirs');
    expect(result).toMatchObject({ hunks: [{ ours: 'ours', base: 'b', theirs: 'theirs' }] });
    expect(text(result.content)).toBe('a\n<<<<<<< ours\nours\n||||||| base\nb\n=======\ntheirs\n>>>>>>> theirs\n');
  });

  it('keeps a byte-order mark and non-ASCII text exactly', () => {
    const base = '\uFEFFnaïve\n日本\nend\n';
    expect(text(mergeTexts(base, base.replace('naïve', 'naïf'), base.replace('end', 'fin')).content)).toBe(
      '\uFEFFnaïf\n日本\nfin\n',
    );
  });

  it('does not mistake lines named like Object.prototype members for each other', () => {
    const base = 'constructor\n__proto__\ntoString\n';
    expect(text(mergeTexts(base, 'x\n' + base, base + 'y\n').content)).toBe('x\nconstructor\n__proto__\ntoString\ny\n');
  });

  it('merges a file of 300,000 lines without running out of stack', () => {
    const lines = Array.from({ length: 300_000 }, (_, at) => `line ${at}\n`);
    const [ours, theirs, expected] = [[...lines], [...lines], [...lines]];
    [ours[10], theirs[299_000]] = ['ours\n', 'theirs\n'];
    [expected[10], expected[299_000]] = ['ours\n', 'theirs\n'];
    expect(text(mergeTexts(lines.join(''), ours.join(''), theirs.join('')).content)).toBe(expected.join(''));
  });

  it('resolves every conflicting hunk to ours under the ours strategy and reports each', () => {
    const ours = BASE.replace('two', 'ours 2').replace('six', 'ours 6');
    const theirs = BASE.replace('two', 'theirs 2').replace('six', 'theirs 6').replace('four', 'theirs 4');
    const result = mergeTexts(BASE, ours, theirs, 'ours');
    expect(result.status).toBe('clean');
    expect(text(result.content)).toBe('one\nours 2\nthree\ntheirs 4\nfive\nours 6\nseven\n');
    expect(result.status === 'clean' && result.resolved).toEqual([
      { kind: 'content', side: 'ours', hunk: { ours: 'ours 2\n', base: 'two\n', theirs: 'theirs 2\n' }, keyPath: null },
      { kind: 'content', side: 'ours', hunk: { ours: 'ours 6\n', base: 'six\n', theirs: 'theirs 6\n' }, keyPath: null },
    ]);
  });

  it('resolves every conflicting hunk to theirs under the theirs strategy, keeping ours elsewhere', () => {
    const ours = BASE.replace('two', 'ours 2').replace('five', 'ours 5');
    const theirs = BASE.replace('two', 'theirs 2');
    const result = mergeTexts(BASE, ours, theirs, 'theirs');
    expect(text(result.content)).toBe('one\ntheirs 2\nthree\nfour\nours 5\nsix\nseven\n');
    expect(result).toMatchObject({ status: 'clean', resolved: [{ kind: 'content', side: 'theirs' }] });
  });

  it('reports nothing resolved when a strategy finds no conflict', () => {
    expect(mergeTexts(BASE, BASE.replace('one', '1'), BASE.replace('seven', '7'), 'theirs')).toMatchObject({
      status: 'clean',
      resolved: [],
    });
  });

  it('resolves add/add conflicts with a strategy and reports them as add-add', () => {
    const result = mergeTexts(null, 'x\ny\n', 'x\nz\n', 'theirs');
    expect(text(result.content)).toBe('x\nz\n');
    expect(result).toMatchObject({
      status: 'clean',
      resolved: [{ kind: 'add-add', side: 'theirs', hunk: { ours: 'y\n', base: null, theirs: 'z\n' } }],
    });
  });

  it('merges a .json path that is not valid JSON as text', () => {
    const base = '{"a": 1,\n"b": 2,\n"c": 3,\n';
    const result = merge({
      path: 'broken.json',
      base: bytes(base),
      ours: bytes(base.replace('1', '10')),
      theirs: bytes(base.replace('3', '30')),
    });
    expect(result).toMatchObject({ status: 'clean', type: 'text' });
    expect(text(result.content)).toBe('{"a": 10,\n"b": 2,\n"c": 30,\n');
  });
});

// git's is_cr_needed (xdiff/xmerge.c): a marker ends in CRLF only when ours'
// line before the conflict, theirs' line before it and base's first line all
// do; a side that starts with the conflict is asked about its first line, and
// a file that cannot tell (empty, or one line without a newline) does not say
// no. Expected texts are `git merge-file -p --diff3` 2.39's.
describe('merge: text, the line ending of conflict markers in files of mixed endings', () => {
  const markers = (base: string | null, ours: string, theirs: string) => text(mergeTexts(base, ours, theirs).content);

  it('ends markers in LF when ours or theirs, at a conflict on the first line, starts with an LF line', () => {
    expect(markers('a\r\nb\r\n', 'A\nb\r\n', 'AA\r\nb\r\n')).toBe(
      '<<<<<<< ours\nA\n||||||| base\na\r\n=======\nAA\r\n>>>>>>> theirs\nb\r\n',
    );
    expect(markers('a\r\nb\r\n', 'A\r\nb\r\n', 'AA\nb\r\n')).toBe(
      '<<<<<<< ours\nA\r\n||||||| base\na\r\n=======\nAA\n>>>>>>> theirs\nb\r\n',
    );
    expect(markers('a\r\nb\r\n', 'A\r\nb\r\n', 'AA\r\nb\r\n')).toBe(
      '<<<<<<< ours\r\nA\r\n||||||| base\r\na\r\n=======\r\nAA\r\n>>>>>>> theirs\r\nb\r\n',
    );
  });

  it("ends markers in LF when base's first line ends in LF, however the lines before the conflict end", () => {
    expect(markers('x\ny\r\nb\r\nc\r\n', 'x\ny\r\nO\r\nc\r\n', 'x\ny\r\nT\r\nc\r\n')).toBe(
      'x\ny\r\n<<<<<<< ours\nO\r\n||||||| base\nb\r\n=======\nT\r\n>>>>>>> theirs\nc\r\n',
    );
  });

  it('asks each side about the line just before the conflict, not its first line', () => {
    // ours, then theirs, turned their first line to LF: the lines before the conflict are still CRLF
    expect(markers('x\r\np\r\ny\r\nb\r\nc\r\n', 'x\np\r\ny\r\nO\r\nc\r\n', 'x\r\np\r\ny\r\nT\r\nc\r\n')).toBe(
      'x\np\r\ny\r\n<<<<<<< ours\r\nO\r\n||||||| base\r\nb\r\n=======\r\nT\r\n>>>>>>> theirs\r\nc\r\n',
    );
    expect(markers('x\r\np\r\ny\r\nb\r\nc\r\n', 'x\r\np\r\ny\r\nO\r\nc\r\n', 'x\np\r\ny\r\nT\r\nU\nc\r\n')).toBe(
      'x\np\r\ny\r\n<<<<<<< ours\r\nO\r\n||||||| base\r\nb\r\n=======\r\nT\r\nU\n>>>>>>> theirs\r\nc\r\n',
    );
  });

  it('asks ours about its last line when ours deleted what theirs changed at the end', () => {
    expect(markers('w\r\nx\r\ny\r\n', 'w\nx\r\n', 'w\r\nx\r\nY\r\n')).toBe(
      'w\nx\r\n<<<<<<< ours\r\n||||||| base\r\ny\r\n=======\r\nY\r\n>>>>>>> theirs\r\n',
    );
  });

  it('lets a side of one line without a newline, or an empty base, leave the choice to the others', () => {
    expect(markers('a\r\n', 'b', 'c\r\n')).toBe(
      '<<<<<<< ours\r\nb\r\n||||||| base\r\na\r\n=======\r\nc\r\n>>>>>>> theirs\r\n',
    );
    // both added the file: base is empty and cannot tell, which counts as LF (git: `needs_cr < 0 ? 0`)
    expect(markers(null, 'x\r\nO\r\n', 'x\r\nT\r\n')).toBe(
      'x\r\n<<<<<<< ours\nO\r\n||||||| base\n=======\nT\r\n>>>>>>> theirs\n',
    );
  });
});

describe('merge: text, regions', () => {
  it('conflicts where one side inserted lines the other inserted with more after them', () => {
    // the shorter insertion is a prefix of the longer one, not the same change (git conflicts too)
    const result = mergeTexts('a\nz\n', 'a\nb\nz\n', 'a\nb\nc\nz\n');
    expect(result).toMatchObject({ status: 'conflict', hunks: [{ ours: 'b\n', base: '', theirs: 'b\nc\n' }] });
  });

  it('merges a path that only contains .json as text', () => {
    const base = '{"a": 1,\n"b": 2,\n"c": 3}\n';
    const result = merge({
      path: 'config.json.orig',
      base: bytes(base),
      ours: bytes(base.replace('1', '10')),
      theirs: bytes(base.replace('3', '30')),
    });
    expect(result).toMatchObject({ status: 'clean', type: 'text' });
  });
});
