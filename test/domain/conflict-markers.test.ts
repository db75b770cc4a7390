import { describe, expect, it } from 'vitest';
import { firstConflictMarker, markerPlace } from '../../src/domain/index.js';

describe('conflict markers', () => {
  it.each([
    ['one\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n', 2, '<<<<<<< ours'],
    ['a\n<<<<<<<\r\nb\n', 2, '<<<<<<<'],
    ['a\nb\n>>>>>>> theirs', 3, '>>>>>>> theirs'],
    // the opening line deleted, the rest left: the middle line comes first
    ['a\n=======\nb\n>>>>>>> theirs\n', 2, '======='],
    ['x\n||||||| base\ny\n>>>>>>> theirs\n', 2, '||||||| base'],
  ])('finds the first marker in %j at line %i', (text, line, shown) => {
    expect(firstConflictMarker(text)).toEqual({ line, text: shown });
  });

  it.each([
    ['a heading underlined with seven =', 'Title\n=======\n\nText\n'],
    ['markers not at the start of a line', 'a <<<<<<< b\n  >>>>>>> c\n'],
    ['eight of a kind', '<<<<<<<< eight\n>>>>>>>>\n'],
    ['a label glued to the marker', '<<<<<<<ours\n'],
    ['binary content', '\0<<<<<<< ours\n'],
  ])('finds none in %s', (_, text) => {
    expect(firstConflictMarker(text)).toBeNull();
  });

  it('names where a marker is, cut short when its line is long', () => {
    const marker = firstConflictMarker(`<<<<<<< ${'x'.repeat(100)}\n`)!;
    expect(marker.text).toBe(`<<<<<<< ${'x'.repeat(52)}…`);
    expect(markerPlace({ line: 12, text: '<<<<<<< ours' })).toBe('line 12 (<<<<<<< ours)');
  });
});
