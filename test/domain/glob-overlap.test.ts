import { describe, expect, it } from 'vitest';
import {
  compileGlob,
  globsOverlap,
  MAX_OVERLAP_FILES,
  overlapFiles,
  overlappingPairs,
  serializeCycle,
  serializeEdges,
} from '../../src/domain/index.js';

// Which scopes can meet: the product of two glob automata, decided exactly,
// with a path both match as the example.

const overlap = (a: string, b: string) => globsOverlap(a, b);

describe('globsOverlap', () => {
  it.each([
    ['package.json', 'package.json', 'package.json'],
    ['src/**', 'src/index.ts', 'src/index.ts'],
    ['src/**', 'src', 'src'],
    ['*.json', 'package.json', 'package.json'],
    ['**/*.ts', 'lib/**', 'lib/t.ts'],
    ['[a-f]x', '[d-z]?', 'dx'],
    ['{a,b}/c', 'b/*', 'b/c'],
    ['x/**/y', 'x/y', 'x/y'],
    ['a/**/b/**/c', 'a/b/c', 'a/b/c'],
    ['**', '.git', '.git'],
    ['[ā-ą]', '[ă]', 'ă'],
    ['[[:digit:]]*', '*[^a-z]', '0'],
    ['./docs/*.md', 'docs/README.md', 'docs/README.md'],
    ['src/\\*', 'src/?', 'src/*'],
  ])('%s and %s meet (%s)', (a, b, example) => {
    expect(overlap(a, b)).toEqual({ overlaps: true, example });
    expect(overlap(b, a).overlaps).toBe(true);
  });

  it.each([
    ['packages/core/**', 'packages/cli/**'],
    ['package.json', 'package.jsonx'],
    ['a/*', 'a'],
    ['[!a]', 'a'],
    ['src/*.ts', 'src/*.js'],
    ['*.md', 'docs/*.md'],
    ['a/?', 'a/.'],
    ['a/*', 'a/..'],
    // "." + anything against one character: only "." itself, never a path
    ['.*', '?'],
    ['src/{a,b}.ts', 'src/c.ts'],
    ['[[:upper:]]', '[[:lower:]]'],
  ])('%s and %s never meet', (a, b) => {
    expect(overlap(a, b)).toEqual({ overlaps: false });
    expect(overlap(b, a)).toEqual({ overlaps: false });
  });

  it('gives a path both globs match, one that is no dotfile where one exists', () => {
    const found = overlap('src/**', 'src/*.ts');
    expect(found).toEqual({ overlaps: true, example: 'src/s.ts' });
    expect(compileGlob('src/**')('src/s.ts') && compileGlob('src/*.ts')('src/s.ts')).toBe(true);
    // only a dotfile is both: that is the example
    expect(overlap('.*', '*rc')).toEqual({ overlaps: true, example: '.rc' });
  });

  it('refused globs overlap nothing', () => {
    expect(overlap('(a|b)', '**')).toEqual({ overlaps: false });
  });

  it('calls a pair it cannot decide within its bound overlapping, with no example', () => {
    expect(globsOverlap('**/*a*b*c*d*', '**/*d*c*b*a*', { maxWork: 10 })).toEqual({ overlaps: true, example: null });
    expect(overlap('**/*a*b*c*d*', '**/*d*c*b*a*').overlaps).toBe(true);
  });
});

describe('overlappingPairs', () => {
  const entry = (name: string, scopes: string[] | null, project: string | null = null) => ({ name, scopes, project });

  it('lists every pair whose scopes meet, earlier entry first, with the scopes that meet', () => {
    const entries = [entry('a', ['docs/**', 'src/**']), entry('b', ['lib/**']), entry('c', ['src/index.ts'])];
    expect(overlappingPairs(entries)).toEqual([
      { a: 0, b: 2, patterns: ['src/**', 'src/index.ts'], example: 'src/index.ts' },
    ]);
  });

  it('an entry without scopes meets every entry of its project, none of another', () => {
    const entries = [entry('a', null), entry('b', ['x/*']), entry('c', ['x/*'], 'docs-site'), entry('d', null)];
    expect(overlappingPairs(entries)).toEqual([
      { a: 0, b: 1, patterns: [null, 'x/*'], example: 'x/x' },
      { a: 0, b: 3, patterns: [null, null], example: null },
      { a: 1, b: 3, patterns: ['x/*', null], example: 'x/x' },
    ]);
  });

  it('calls pairs overlapping, unproven, once the group’s work runs out; pairs told apart by their first characters cost none', () => {
    const entries = [entry('a', ['**/*a*b*']), entry('b', ['**/*b*a*']), entry('c', ['docs/x']), entry('d', ['src/y'])];
    expect(overlappingPairs(entries, { maxWork: 10 })).toEqual([
      { a: 0, b: 1, patterns: ['**/*a*b*', '**/*b*a*'], example: null },
      { a: 0, b: 2, patterns: ['**/*a*b*', 'docs/x'], example: null },
      { a: 1, b: 2, patterns: ['**/*b*a*', 'docs/x'], example: null },
      { a: 0, b: 3, patterns: ['**/*a*b*', 'src/y'], example: null },
      { a: 1, b: 3, patterns: ['**/*b*a*', 'src/y'], example: null },
    ]);
    expect(overlappingPairs(entries).map(({ a, b, example }) => [a, b, example])).toEqual([[0, 1, 'aba']]);
  });

  it('reports the files of the tree both match, at most a bounded number', () => {
    const entries = [entry('a', ['src/**']), entry('b', ['src/*.ts'])];
    const pairs = overlappingPairs(entries);
    const tree = ['README.md', 'src/a.ts', 'src/b.js', ...Array.from({ length: 60 }, (_, i) => `src/f${i}.ts`)];
    const [files] = overlapFiles(entries, pairs, tree);
    expect(files!.fileCount).toBe(61);
    expect(files!.files).toHaveLength(MAX_OVERLAP_FILES);
    expect(files!.files[0]).toBe('src/a.ts');
    expect(files!.files).not.toContain('src/b.js');
    // another project's entries are not in this tree
    expect(
      overlapFiles(
        [entry('x', ['a'], 'p'), entry('y', ['a'], 'p')],
        [{ a: 0, b: 1, patterns: ['a', 'a'], example: 'a' }],
        ['a'],
      ),
    ).toEqual([{ files: [], fileCount: 0 }]);
  });
});

describe('serialize', () => {
  it('makes the later entry of each pair wait, except in sequential groups', () => {
    const pairs = [{ a: 0, b: 2, patterns: ['x', 'x'] as [string, string], example: 'x' }];
    expect(serializeEdges(pairs, 'parallel')).toEqual([[0, 2]]);
    expect(serializeEdges(pairs, 'dependency-ordered')).toEqual([[0, 2]]);
    expect(serializeEdges(pairs, 'sequential')).toEqual([]);
  });

  it('finds a cycle the waits make with declared dependencies, and none where there is none', () => {
    // 1 waits for 0 (overlap), 0 depends on 1
    expect(serializeCycle([[0, 1]], [[1], []])).toEqual([0, 1, 0]);
    expect(serializeCycle([[0, 2]], [[], [0], [1]])).toBeNull();
    expect(
      serializeCycle(
        [
          [0, 1],
          [1, 2],
        ],
        [[2], [], []],
      ),
    ).toEqual([0, 1, 2, 0]);
  });
});
