// Arrays both sides changed: the key-by-key merge conflicts on the whole
// array, git's line merge of the file is often clean. Where it is clean and
// still sound JSON, troupe's answer must be git's, byte for byte.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merge, type MergeResult } from '../../src/merge/index.js';
import { mergeArraysAsLines } from '../../src/merge/json-lines.js';
import type { JsonConflict } from '../../src/merge/json.js';
import { GIT_ENV, tempDir } from '../helpers/temp.js';
import { bytes, text } from './bytes.js';

let temp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  temp = await tempDir('troupe-json-arrays-');
});
afterAll(async () => {
  await temp?.cleanup();
});

async function gitMergeFile(base: string, ours: string, theirs: string): Promise<{ clean: boolean; text: string }> {
  await Promise.all([
    writeFile(join(temp.dir, 'base'), base),
    writeFile(join(temp.dir, 'ours'), ours),
    writeFile(join(temp.dir, 'theirs'), theirs),
  ]);
  const run = spawnSync(
    'git',
    ['merge-file', '-p', '--diff3', '-L', 'ours', '-L', 'base', '-L', 'theirs', 'ours', 'base', 'theirs'],
    { cwd: temp.dir, env: GIT_ENV, encoding: 'utf8' },
  );
  return { clean: run.status === 0, text: run.stdout };
}

function mergeJson(
  base: string,
  ours: string,
  theirs: string,
  strategy?: 'ours' | 'theirs',
  path = 'cspell.json',
): MergeResult {
  return merge({
    path,
    base: bytes(base),
    ours: bytes(ours),
    theirs: bytes(theirs),
    ...(strategy ? { strategy } : {}),
  });
}

const cspell = (...words: string[]) =>
  `{\n  "version": "0.2",\n  "language": "en",\n  "words": [\n${words.map((word) => `    "${word}"`).join(',\n')}\n  ],\n  "ignorePaths": ["dist"]\n}\n`;
const WORDS = [
  'autofix',
  'camelcase',
  'codemod',
  'dedupe',
  'esbuild',
  'globby',
  'jsdom',
  'memfs',
  'nodenext',
  'preact',
  'tsconfig',
  'vitest',
];

describe('merge: JSON arrays both sides changed (issue 19)', () => {
  it('takes the line merge, as git does, when both sides added different words to a cspell.json list', async () => {
    const base = cspell(...WORDS);
    const ours = cspell(...WORDS.slice(0, 2), 'chokidar', ...WORDS.slice(2));
    const theirs = cspell(...WORDS.slice(0, 10), 'typedoc', ...WORDS.slice(10));
    const git = await gitMergeFile(base, ours, theirs);
    expect(git.clean).toBe(true);
    const result = mergeJson(base, ours, theirs);
    expect(result).toMatchObject({ status: 'clean', type: 'json', resolved: [] });
    expect(text(result.content)).toBe(git.text);
    expect(JSON.parse(git.text).words).toEqual([
      ...WORDS.slice(0, 2),
      'chokidar',
      ...WORDS.slice(2, 10),
      'typedoc',
      ...WORDS.slice(10),
    ]);
    // a strategy has nothing left to settle
    expect(mergeJson(base, ours, theirs, 'ours')).toMatchObject({
      status: 'clean',
      resolved: [],
      content: bytes(git.text),
    });
  });

  it('takes the line merge with other keys changed elsewhere in the file, which it keeps too (package.json files)', async () => {
    const pkg = (version: string, files: string[], license: string) =>
      `{\n  "name": "lib",\n  "version": "${version}",\n  "files": [\n${files.map((file) => `    "${file}"`).join(',\n')}\n  ],\n  "scripts": {\n    "test": "jest"\n  },\n  "license": "${license}"\n}\n`;
    const files = ['bin', 'dist', 'lib', 'man', 'types', 'index.js'];
    const base = pkg('1.0.0', files, 'MIT');
    const ours = pkg('1.1.0', ['bin', 'cli', ...files.slice(1)], 'MIT');
    const theirs = pkg('1.0.0', [...files.slice(0, 5), 'src', 'index.js'], 'ISC');
    const git = await gitMergeFile(base, ours, theirs);
    const result = mergeJson(base, ours, theirs, undefined, 'package.json');
    expect(result).toMatchObject({ status: 'clean', type: 'json' });
    expect(git.clean).toBe(true);
    expect(text(result.content)).toBe(git.text);
    expect(JSON.parse(git.text)).toMatchObject({
      version: '1.1.0',
      license: 'ISC',
      files: ['bin', 'cli', 'dist', 'lib', 'man', 'types', 'src', 'index.js'],
    });
  });

  it('reports the conflict at the key path when the line merge conflicts too (both added a last word)', async () => {
    const base = cspell(...WORDS);
    const result = mergeJson(base, cspell(...WORDS, 'zod'), cspell(...WORDS, 'yaml'));
    expect((await gitMergeFile(base, cspell(...WORDS, 'zod'), cspell(...WORDS, 'yaml'))).clean).toBe(false);
    expect(result).toMatchObject({
      status: 'conflict',
      kind: 'content',
      type: 'json',
      keyPaths: [['words']],
      hunks: [{ path: 'words' }],
    });
  });

  it('reports the conflict at the key path when the line merge is clean but does not parse (a key added twice)', async () => {
    const config = (...rules: string[]) =>
      `{\n  "overrides": [\n    {\n${rules.map((rule) => `      ${rule}`).join(',\n')}\n    }\n  ]\n}\n`;
    const base = config('"files": "*.ts"', '"semi": true', '"quotes": "single"');
    const ours = config('"files": "*.ts"', '"semi": true', '"quotes": "single"', '"printWidth": 100');
    const theirs = config('"printWidth": 80', '"files": "*.ts"', '"semi": true', '"quotes": "single"');
    const git = await gitMergeFile(base, ours, theirs);
    expect(git.clean).toBe(true);
    expect(() => JSON.parse(git.text)).not.toThrow(); // JSON.parse keeps the last of two keys; the merge refuses duplicates
    expect(git.text.match(/printWidth/g)).toHaveLength(2);
    const result = mergeJson(base, ours, theirs, undefined, '.prettierrc.json');
    expect(result).toMatchObject({ status: 'conflict', kind: 'content', type: 'json', keyPaths: [['overrides']] });
  });

  it('refuses a clean line merge that parses but differs from the key-by-key merge outside the arrays, or loses an array', () => {
    const base = cspell(...WORDS);
    const ours = cspell(...WORDS.slice(0, 2), 'chokidar', ...WORDS.slice(2));
    const theirs = cspell(...WORDS.slice(0, 10), 'typedoc', ...WORDS.slice(10));
    const conflict = (keyPath: string[]): JsonConflict => ({
      keyPath,
      arrays: true,
      hunk: { ours: null, base: null, theirs: null },
    });
    const lines = mergeArraysAsLines(base, ours, theirs, [conflict(['words'])], () => ours);
    expect(JSON.parse(lines!).words).toContain('typedoc');
    expect(
      mergeArraysAsLines(base, ours, theirs, [conflict(['words'])], () => ours.replace('"en"', '"fr"')),
    ).toBeNull();
    expect(
      mergeArraysAsLines(base, ours, theirs, [conflict(['words'])], () => ours.replace('"version": "0.2",', '')),
    ).toBeNull();
    expect(mergeArraysAsLines(base, ours, theirs, [conflict(['language'])], () => ours)).toBeNull();
    expect(mergeArraysAsLines(base, ours, theirs, [conflict(['nested', 'words'])], () => ours)).toBeNull();
    expect(
      mergeArraysAsLines(base, ours, theirs, [{ ...conflict(['version']), arrays: false }], () => ours),
    ).toBeNull();
  });

  it('refuses a clean line merge with a key the key-by-key merge lacks or lacks one it has, or no array where it conflicted', () => {
    const base = cspell(...WORDS);
    const ours = cspell(...WORDS.slice(0, 2), 'chokidar', ...WORDS.slice(2));
    const theirs = cspell(...WORDS.slice(0, 10), 'typedoc', ...WORDS.slice(10));
    const conflict = (keyPath: string[]): JsonConflict => ({
      keyPath,
      arrays: true,
      hunk: { ours: null, base: null, theirs: null },
    });
    const lines = mergeArraysAsLines(base, ours, theirs, [conflict(['words'])], () => ours)!;
    const structural = (edit: (text: string) => string) => () => edit(lines);
    expect(
      mergeArraysAsLines(
        base,
        ours,
        theirs,
        [conflict(['words'])],
        structural((text) => text.replace('{', '{\n  "extra": 1,')),
      ),
    ).toBeNull();
    expect(
      mergeArraysAsLines(
        base,
        ours,
        theirs,
        [conflict(['words'])],
        structural((text) => text.replace('"words"', '"wordz"')),
      ),
    ).toBeNull();
    // the line merge must hold an array where the key-by-key merge conflicted, and an object above it
    expect(
      mergeArraysAsLines(
        base,
        ours,
        theirs,
        [conflict(['language'])],
        structural((text) => text),
      ),
    ).toBeNull();
    expect(
      mergeArraysAsLines(
        base,
        ours,
        theirs,
        [conflict(['words', 'x'])],
        structural((text) => text.replace(/"words": \[[^\]]*\]/, '"words": {"x": []}')),
      ),
    ).toBeNull();
    expect(mergeArraysAsLines(base, ours, theirs, [conflict(['words'])], () => '[]')).toBeNull();
  });

  it('keeps the key-by-key merge when it is clean, even where the line merge would be too (theirs only re-laid out a list)', () => {
    const base = '{\n  "a": 1,\n  "b": 1,\n  "list": [1, 2],\n  "z": 0\n}\n';
    const result = mergeJson(base, base.replace('"a": 1', '"a": 2'), base.replace('[1, 2]', '[1,2]'));
    expect(result).toMatchObject({ status: 'clean', type: 'json' });
    expect(text(result.content)).toBe('{\n  "a": 2,\n  "b": 1,\n  "list": [1, 2],\n  "z": 0\n}\n');
  });

  it('does not try the line merge when another conflict is not in an array', () => {
    const base = cspell(...WORDS);
    const ours = cspell(...WORDS.slice(0, 2), 'chokidar', ...WORDS.slice(2)).replace('"en"', '"en-GB"');
    const theirs = cspell(...WORDS.slice(0, 10), 'typedoc', ...WORDS.slice(10)).replace('"en"', '"en-US"');
    expect(mergeJson(base, ours, theirs)).toMatchObject({ status: 'conflict', keyPaths: [['language'], ['words']] });
  });
});
