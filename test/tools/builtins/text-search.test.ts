import { describe, expect, it } from 'vitest';
import { MAX_MATCH_LINE, compilePattern, searchLines } from '../../../src/tools/index.js';

describe('compilePattern', () => {
  it('finds the first match of a line, case-insensitively when asked', () => {
    expect(compilePattern('TODO|FIXME', false).firstMatch('// FIXME and TODO')).toBe(3);
    expect(compilePattern('todo', false).firstMatch('// TODO')).toBe(-1);
    expect(compilePattern('todo', true).firstMatch('// TODO')).toBe(3);
  });

  it('answers a pattern that backtracking engines take exponential time on, at once', () => {
    expect(compilePattern('(a+)+$', false).firstMatch(`${'a'.repeat(50_000)}b`)).toBe(-1);
    expect(compilePattern('(x+x+)+y', false).firstMatch('x'.repeat(5_000))).toBe(-1);
    // no timing here: a backtracking engine would not finish these lines within the test's timeout
  });

  it('refuses what RE2 cannot match in linear time, or cannot parse, naming input.pattern', () => {
    expect(() => compilePattern('(a)\\1', false)).toThrow(
      /input\.pattern: not a pattern troupe can search with: invalid escape sequence/,
    );
    expect(() => compilePattern('(?=a)', false)).toThrow(/input\.pattern/);
    expect(() => compilePattern('(', false)).toThrow(/missing closing \)/);
  });
});

describe('searchLines', () => {
  const text = 'one\r\ntwo TODO\nthree\nfour TODO\nfive\n';

  it('reports each matching line with its 1-based line and column, without its line end', () => {
    expect(searchLines('a.txt', text, compilePattern('TODO', false), { contextLines: 0, limit: 10 })).toEqual([
      { path: 'a.txt', line: 2, column: 5, text: 'two TODO' },
      { path: 'a.txt', line: 4, column: 6, text: 'four TODO' },
    ]);
  });

  it("adds the lines around a match, cut at the file's ends", () => {
    expect(searchLines('a.txt', text, compilePattern('^one|five', false), { contextLines: 2, limit: 10 })).toEqual([
      { path: 'a.txt', line: 1, column: 1, text: 'one', before: [], after: ['two TODO', 'three'] },
      { path: 'a.txt', line: 5, column: 1, text: 'five', before: ['three', 'four TODO'], after: [] },
    ]);
  });

  it('stops at the limit, and cuts a very long line', () => {
    expect(
      searchLines('a.txt', text, compilePattern('o', false), { contextLines: 0, limit: 2 }).map((match) => match.line),
    ).toEqual([1, 2]);
    const [long] = searchLines('min.js', `${'x'.repeat(MAX_MATCH_LINE + 10)}\n`, compilePattern('x', false), {
      contextLines: 0,
      limit: 1,
    });
    expect(long!.text).toHaveLength(MAX_MATCH_LINE + 1);
    expect(long!.text.endsWith('…')).toBe(true);
  });
});
