import { describe, expect, it } from 'vitest';
import { merge, type MergeResult } from '../../src/merge/index.js';
import { bytes, text } from './bytes.js';

function mergeJson(base: string | null, ours: string, theirs: string, path = 'package.json'): MergeResult {
  return merge({ path, base: bytes(base), ours: bytes(ours), theirs: bytes(theirs) });
}

const lines = (...all: string[]) => `${all.join('\n')}\n`;

describe('merge: JSON keeps order and layout (issue 19)', () => {
  it('places a script only theirs added after the one theirs has before it, not at the end (svelte package.json)', () => {
    const base = lines(
      '{',
      '  "name": "svelte",',
      '  "version": "3.0.0",',
      '  "scripts": {',
      '    "build": "rollup -c",',
      '    "dev": "rollup -cw",',
      '    "test": "mocha"',
      '  }',
      '}',
    );
    const ours = base.replace('"3.0.0"', '"3.0.1"');
    const theirs = base.replace('    "test"', '    "lint": "eslint src",\n    "test"');
    expect(text(mergeJson(base, ours, theirs).content)).toBe(
      lines(
        '{',
        '  "name": "svelte",',
        '  "version": "3.0.1",',
        '  "scripts": {',
        '    "build": "rollup -c",',
        '    "dev": "rollup -cw",',
        '    "lint": "eslint src",',
        '    "test": "mocha"',
        '  }',
        '}',
      ),
    );
  });

  it('places a key theirs has first at the start, and keys both sides added at one place ours first', () => {
    const base = lines('{', '  "main": "index.js",', '  "license": "MIT"', '}');
    const ours = lines('{', '  "main": "index.js",', '  "types": "index.d.ts",', '  "license": "MIT"', '}');
    const theirs = lines(
      '{',
      '  "$schema": "x",',
      '  "main": "index.js",',
      '  "module": "index.mjs",',
      '  "exports": "./index.js",',
      '  "license": "MIT"',
      '}',
    );
    expect(text(mergeJson(base, ours, theirs).content)).toBe(
      lines(
        '{',
        '  "$schema": "x",',
        '  "main": "index.js",',
        '  "types": "index.d.ts",',
        '  "module": "index.mjs",',
        '  "exports": "./index.js",',
        '  "license": "MIT"',
        '}',
      ),
    );
  });

  it('keeps a sorted object sorted when each side adds definitions in order (webpack schemas/WebpackOptions.json)', () => {
    const definition = (name: string, type: string) => [
      `\t\t"${name}": {`,
      `\t\t\t"description": "${name}.",`,
      `\t\t\t"type": "${type}"`,
      '\t\t},',
    ];
    const schema = (...names: [string, string][]) =>
      lines(
        '{',
        '\t"definitions": {',
        ...names.flatMap(([name, type]) => definition(name, type)),
        '\t\t"Zeta": {}',
        '\t},',
        '\t"title": "WebpackOptions"',
        '}',
      );
    const base = schema(['Amd', 'object'], ['Bail', 'boolean'], ['Cache', 'boolean']);
    const ours = schema(
      ['Amd', 'object'],
      ['AssetModuleFilename', 'string'],
      ['Bail', 'boolean'],
      ['Cache', 'boolean'],
      ['Context', 'string'],
    );
    const theirs = schema(
      ['Amd', 'object'],
      ['Bail', 'boolean'],
      ['Bdd', 'string'],
      ['Cache', 'boolean'],
      ['Chunk', 'string'],
    );
    const result = mergeJson(base, ours, theirs, 'schemas/WebpackOptions.json');
    expect(result).toMatchObject({ status: 'clean', type: 'json' });
    const expected = schema(
      ['Amd', 'object'],
      ['AssetModuleFilename', 'string'],
      ['Bail', 'boolean'],
      ['Bdd', 'string'],
      ['Cache', 'boolean'],
      ['Chunk', 'string'],
      ['Context', 'string'],
    );
    expect(text(result.content)).toBe(expected);
  });

  it('keeps an object sorted ignoring case in order when both sides add keys at one place', () => {
    const doc = (...keys: string[]) => `{\n${keys.map((key) => `  "${key}": 1`).join(',\n')}\n}\n`;
    const result = mergeJson(
      doc('alpha', 'Beta', 'gamma'),
      doc('alpha', 'Beta', 'charlie', 'gamma'),
      doc('alpha', 'Beta', 'Bravo', 'gamma'),
    );
    expect(text(result.content)).toBe(doc('alpha', 'Beta', 'Bravo', 'charlie', 'gamma'));
    // not sorted on one side: ours' key first, then theirs'
    expect(text(mergeJson(doc('b', 'a', 'z'), doc('b', 'a', 'x', 'z'), doc('b', 'a', 'm', 'z')).content)).toBe(
      doc('b', 'a', 'x', 'm', 'z'),
    );
  });

  it('places thousands of keys theirs added in a row, in theirs order', () => {
    const added = Array.from({ length: 20_000 }, (_, at) => `  "k${at}": ${at},`);
    const base = lines('{', '  "first": 1,', '  "last": 1', '}');
    const result = mergeJson(
      base,
      base.replace('"last": 1', '"last": 2'),
      lines('{', '  "first": 1,', ...added, '  "last": 1', '}'),
    );
    expect(result).toMatchObject({ status: 'clean', type: 'json' });
    expect(text(result.content)).toBe(lines('{', '  "first": 1,', ...added, '  "last": 2', '}'));
  });

  it('spaces a one-line object members like its colon when theirs adds one', () => {
    const base = '{\n  "a": {"x": 1},\n  "b": {"x":1},\n  "c": 1\n}\n';
    const theirs = base.replace('{"x": 1}', '{"x": 1, "y": 2}').replace('{"x":1}', '{"x":1,"y":2}');
    const ours = base.replace('{"x": 1}', '{"x": 5}').replace('{"x":1}', '{"x":5}');
    expect(text(mergeJson(base, ours, theirs).content)).toBe(
      '{\n  "a": {"x": 5, "y": 2},\n  "b": {"x":5,"y":2},\n  "c": 1\n}\n',
    );
  });

  it('re-indents a value theirs wrote on a line indented otherwise than where it lands in ours', () => {
    const base = '{\n  "a": {"x": 1, "z": 2},\n  "b": 1\n}\n';
    const ours = '{\n  "a": {"x": 1, "z": 3},\n  "b": 1\n}\n';
    const theirs = '{\n  "a": {\n    "x": {\n      "y": [\n        1\n      ]\n    },\n    "z": 2\n  },\n  "b": 1\n}\n';
    expect(text(mergeJson(base, ours, theirs).content)).toBe(
      '{\n  "a": {"x": {\n    "y": [\n      1\n    ]\n  }, "z": 3},\n  "b": 1\n}\n',
    );
  });

  it('keeps the order and layout ours gave an object it did not change otherwise, with theirs changes in it', () => {
    const base = lines('{', '  "scripts": {', '    "test": "jest",', '    "build": "tsc"', '  }', '}');
    const ours = lines('{', '  "scripts": { "build": "tsc", "test": "jest" }', '}');
    const theirs = lines(
      '{',
      '  "scripts": {',
      '    "test": "jest --ci",',
      '    "build": "tsc",',
      '    "lint": "eslint ."',
      '  }',
      '}',
    );
    expect(text(mergeJson(base, ours, theirs).content)).toBe(
      lines('{', '  "scripts": { "build": "tsc", "lint": "eslint .", "test": "jest --ci" }', '}'),
    );
  });

  it('keeps a final newline only theirs added, and the one ours has when theirs dropped it', () => {
    expect(
      text(mergeJson('{\n  "a": 1,\n  "b": 1\n}', '{\n  "a": 2,\n  "b": 1\n}', '{\n  "a": 1,\n  "b": 3\n}\n').content),
    ).toBe('{\n  "a": 2,\n  "b": 3\n}\n');
    expect(
      text(
        mergeJson('{\n  "a": 1,\n  "b": 1\n}\n', '{\n  "a": 2,\n  "b": 1\n}\n', '{\n  "a": 1,\n  "b": 3\n}').content,
      ),
    ).toBe('{\n  "a": 2,\n  "b": 3\n}\n');
    expect(
      text(
        mergeJson('{\n  "a": 1,\n  "b": 1\n}\n', '{\n  "a": 2,\n  "b": 1\n}', '{\n  "a": 1,\n  "b": 3\n}\n').content,
      ),
    ).toBe('{\n  "a": 2,\n  "b": 3\n}');
  });

  it('keeps a comma-first package.json comma-first, with theirs added keys laid out alike (npm/cli)', () => {
    const base = lines(
      '{ "name": "npm"',
      ', "version": "1.1.70"',
      ', "bugs": { "email": "npm-@googlegroups.com"',
      '          , "url": "http://github.com/isaacs/npm/issues"',
      '          }',
      ', "dependencies":',
      '  { "abbrev": "~1.0.4"',
      '  , "semver": "~1.1.2"',
      '  }',
      ', "license": "Artistic"',
      '}',
    );
    const ours = base.replace('"1.1.70"', '"1.1.71"');
    const theirs = base
      .replace('  , "semver"', '  , "ini": "~1.1.0"\n  , "semver"')
      .replace('          , "url"', '          , "irc": "#npm"\n          , "url"')
      .replace(', "license"', ', "devDependencies":\n  { "ronn": "~0.3.6"\n  , "tap": "~0.4.0"\n  }\n, "license"');
    const result = mergeJson(base, ours, theirs);
    expect(text(result.content)).toBe(
      lines(
        '{ "name": "npm"',
        ', "version": "1.1.71"',
        ', "bugs": { "email": "npm-@googlegroups.com"',
        '          , "irc": "#npm"',
        '          , "url": "http://github.com/isaacs/npm/issues"',
        '          }',
        ', "dependencies":',
        '  { "abbrev": "~1.0.4"',
        '  , "ini": "~1.1.0"',
        '  , "semver": "~1.1.2"',
        '  }',
        ', "devDependencies":',
        '  { "ronn": "~0.3.6"',
        '  , "tap": "~0.4.0"',
        '  }',
        ', "license": "Artistic"',
        '}',
      ),
    );
  });

  it('adds a first key to a comma-first object and prints a value theirs laid out otherwise comma-first', () => {
    const base = '{ "name": "npm"\n, "version": "1.0.0"\n}\n';
    const theirs =
      '{\n  "private": true,\n  "name": "npm",\n  "version": "1.0.0",\n  "files": {\n    "bin": 1,\n    "lib": 2\n  }\n}\n';
    const result = mergeJson(base, base.replace('1.0.0', '1.0.1'), theirs);
    expect(text(result.content)).toBe(
      '{ "private": true\n, "name": "npm"\n, "version": "1.0.1"\n, "files": { "bin": 1\n  , "lib": 2\n  }\n}\n',
    );
  });

  it('keeps ours bytes outside the changed values: key escapes, spacing, blank lines, compact arrays', () => {
    const base = '{\n  "\\u0061": 1,\n\n  "b" :  [1,2],\n  "c": 1\n}\n';
    const ours = base.replace('"c": 1', '"c": 2');
    const theirs = base
      .replace('"\\u0061": 1', '"\\u0061": 10')
      .replace('\n}', ',\n  "caf\\u00e9": {\n    "x": [3, 4]\n  }\n}');
    expect(text(mergeJson(base, ours, theirs).content)).toBe(
      '{\n  "\\u0061": 10,\n\n  "b" :  [1,2],\n  "c": 2,\n  "caf\\u00e9": {\n    "x": [3, 4]\n  }\n}\n',
    );
  });

  it.each([
    ['a tab', '\t'],
    ['four spaces', '    '],
  ])('writes a value theirs added in its own text, indented like ours: %s', (_name, indent) => {
    const doc = (...body: string[]) =>
      `{\n${body.map((line) => line.replace(/^(\.+)/, (dots) => indent.repeat(dots.length))).join('\n')}\n}\n`;
    const base = doc('."a": {', '.."b": 1', '.}');
    const ours = doc('."a": {', '.."b": 2', '.}');
    const theirs = doc('."a": {', '.."b": 1,', '.."c": {', '..."d": [1, 2],', '..."e": {"f": 3}', '..}', '.}');
    expect(text(mergeJson(base, ours, theirs).content)).toBe(
      doc('."a": {', '.."b": 2,', '.."c": {', '..."d": [1, 2],', '..."e": {"f": 3}', '..}', '.}'),
    );
  });

  it('writes a conflict in a comma-first file around the member lines, keeping the rest', () => {
    const base = '{ "name": "npm"\n, "version": "1.0.0"\n, "main": "x.js"\n}\n';
    const result = mergeJson(
      base,
      base.replace('1.0.0', '1.1.0'),
      base.replace('1.0.0', '2.0.0').replace('x.js', 'y.js'),
    );
    expect(result).toMatchObject({ status: 'conflict', kind: 'content', keyPaths: [['version']] });
    expect(text(result.status === 'conflict' ? result.content : null)).toBe(
      '{ "name": "npm"\n<<<<<<< ours\n, "version": "1.1.0"\n||||||| base\n, "version": "1.0.0"\n=======\n, "version": "2.0.0"\n>>>>>>> theirs\n, "main": "y.js"\n}\n',
    );
  });

  it('writes a conflict in a one-line file as one region whose sides each parse', () => {
    const result = mergeJson('{"a":1,"b":2}', '{"b":2}', '{"a":4,"b":5}');
    expect(result).toMatchObject({
      status: 'conflict',
      keyPaths: [['a']],
      hunks: [{ ours: null, base: '1', theirs: '4' }],
    });
    const content = text(result.status === 'conflict' ? result.content : null)!;
    expect(content).toBe('<<<<<<< ours\n{"b":5}\n||||||| base\n{"a":1,"b":5}\n=======\n{"a":4,"b":5}\n>>>>>>> theirs');
    for (const side of content.split(/^(?:<<<<<<<|\|\|\|\|\|\|\||=======|>>>>>>>).*\n?/m).filter((part) => part !== ''))
      expect(() => JSON.parse(side)).not.toThrow();
  });
});

describe('merge: JSON, when an object counts as sorted (json-order.ts)', () => {
  const doc = (...keys: string[]) => `{\n${keys.map((key) => `  "${key}": 1`).join(',\n')}\n}\n`;
  const merged = (base: string[], ours: string[], theirs: string[]) =>
    text(mergeJson(doc(...base), doc(...ours), doc(...theirs)).content);

  it('keeps an object of three keys sorted, but places keys in one of two after their predecessor', () => {
    // sorted: theirs' b goes before ours' d; not sorted: after a, past the d only ours added there
    expect(merged(['a', 'e'], ['a', 'd', 'e'], ['a', 'b', 'e'])).toBe(doc('a', 'b', 'd', 'e'));
    expect(merged(['a'], ['a', 'd'], ['a', 'b'])).toBe(doc('a', 'd', 'b'));
    // both sides must have three: ours two, then theirs two (it dropped e)
    expect(merged(['a'], ['a', 'd'], ['a', 'b', 'c'])).toBe(doc('a', 'd', 'b', 'c'));
    expect(merged(['a', 'e'], ['a', 'd', 'e'], ['a', 'b'])).toBe(doc('a', 'd', 'b'));
  });

  it('orders keys that differ only in case by code unit when it sorts ignoring case', () => {
    // B before b: sorted ignoring case, so c goes in order
    expect(merged(['a', 'B', 'b', 'e'], ['a', 'B', 'b', 'd', 'e'], ['a', 'B', 'b', 'c', 'e'])).toBe(
      doc('a', 'B', 'b', 'c', 'd', 'e'),
    );
    // b before B, or C before b: sorted in no order, so c follows b, past ours' d
    expect(merged(['a', 'b', 'B', 'e'], ['a', 'b', 'B', 'd', 'e'], ['a', 'b', 'B', 'c', 'e'])).toBe(
      doc('a', 'b', 'B', 'd', 'c', 'e'),
    );
    expect(merged(['a', 'C', 'b', 'e'], ['a', 'C', 'b', 'd', 'e'], ['a', 'C', 'b', 'c', 'e'])).toBe(
      doc('a', 'C', 'b', 'd', 'c', 'e'),
    );
  });

  it('places a key theirs added before one both sides added, not after it', () => {
    expect(merged(['name', 'version'], ['name', 'main', 'version'], ['name', 'types', 'main', 'version'])).toBe(
      doc('name', 'types', 'main', 'version'),
    );
  });
});
