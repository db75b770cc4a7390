import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, globProblem, globsOverlap } from '../../src/domain/index.js';

// The overlap of two globs against brute force: every normalized path of up
// to five characters over a, b, c and "." (c stands for every character the
// globs below do not name). A path both match means globsOverlap says so; an
// overlap it reports comes with a path both match, and when that path is
// short enough to be among those tried, brute force found one too.

const CHARS = ['a', 'b', 'c', '.', '/'];
const PATHS: string[] = [];
for (let length = 1; length <= 5; length++) {
  const build = (prefix: string): void => {
    if (prefix.length === length) {
      if (prefix.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..'))
        PATHS.push(prefix);
      return;
    }
    for (const char of CHARS) build(prefix + char);
  };
  build('');
}

const atom = fc.constantFrom('a', 'b', '.', '*', '?', '[ab]', '[^a]', '[.b]', '{a,b.}', '\\*');
const segment = fc.oneof(
  { weight: 1, arbitrary: fc.constant('**') },
  { weight: 4, arbitrary: fc.array(atom, { minLength: 1, maxLength: 3 }).map((atoms) => atoms.join('')) },
);
const glob = fc
  .array(segment, { minLength: 1, maxLength: 3 })
  .map((segments) => segments.join('/'))
  .filter((text) => globProblem(text) === null);

describe('globsOverlap (property)', () => {
  it('agrees with brute force over every short path', () => {
    fc.assert(
      fc.property(glob, glob, (a, b) => {
        const [matchA, matchB] = [compileGlob(a), compileGlob(b)];
        const witness = PATHS.find((path) => matchA(path) && matchB(path));
        const found = globsOverlap(a, b);
        if (witness !== undefined) expect(found.overlaps, `${a} and ${b} both match ${witness}`).toBe(true);
        if (!found.overlaps) return;
        expect(found.example).not.toBeNull();
        const example = found.example!;
        expect(matchA(example) && matchB(example), `${a} and ${b} on ${example}`).toBe(true);
        expect(example.split('/').every((part) => part !== '' && part !== '.' && part !== '..')).toBe(true);
        if (example.length <= 5 && [...example].every((char) => CHARS.includes(char))) expect(witness).toBeDefined();
        expect(globsOverlap(b, a).overlaps).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
