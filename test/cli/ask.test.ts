import { describe, expect, it } from 'vitest';
import { isYes } from '../../src/cli/ask.js';

describe('a [y/N] answer', () => {
  it.each([
    ['y', true],
    ['Y', true],
    [' yes\n', true],
    ['YES', true],
    ['', false],
    ['n', false],
    ['no', false],
    ['yep', false],
    ['sure', false],
  ])('%j is yes: %s', (answer, yes) => {
    expect(isYes(answer)).toBe(yes);
  });
});
