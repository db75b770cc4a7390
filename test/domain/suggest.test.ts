import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from '../../src/domain/index.js';

describe('suggestions for a misspelt name', () => {
  it.each([
    ['steps', 'steps', 0],
    ['stpes', 'steps', 1],
    ['automaton', 'automation', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('counts %s → %s as %i edits', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it('picks the closest candidate within reach of the word length, ignoring case', () => {
    expect(closestMatch('stpes', ['name', 'goal', 'steps'])).toBe('steps');
    expect(closestMatch('Goal', ['name', 'goal'])).toBe('goal');
    expect(closestMatch('resourceScope', ['resourceScopes', 'project'])).toBe('resourceScopes');
    expect(closestMatch('colour', ['name', 'goal'])).toBeNull();
    // four letters allow one edit, not two
    expect(closestMatch('nmae', ['name'])).toBe('name');
    expect(closestMatch('nope', ['name'])).toBeNull();
  });

  it('suggests nothing for an empty word, the word itself, or a long one', () => {
    expect(closestMatch('', ['a'])).toBeNull();
    expect(closestMatch('steps', ['steps'])).toBeNull();
    expect(closestMatch('x'.repeat(100), ['x'.repeat(99)])).toBeNull();
  });

  it('says it as a suffix of a message', () => {
    expect(`is not a known field${didYouMean('stpes', ['steps'])}`).toBe('is not a known field; did you mean `steps`?');
    expect(didYouMean('zzz', ['steps'])).toBe('');
  });
});
