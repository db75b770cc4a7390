import { describe, expect, it } from 'vitest';
import { jsonKeyPath } from '../../src/domain/index.js';
import { text } from './bytes.js';
import { mergeJsonTexts, json } from './json-fixtures.js';

describe('merge: JSON', () => {
  it('merges changes to different keys of the same object, where a line merge would conflict', () => {
    const base = json({ name: 'x', deps: { a: '1' } });
    const ours = json({ name: 'x', deps: { a: '1', b: '2' } });
    const theirs = json({ name: 'x', deps: { a: '1', c: '3' } });
    const result = mergeJsonTexts(base, ours, theirs);
    expect(result).toMatchObject({ status: 'clean', type: 'json', resolved: [] });
    expect(text(result.content)).toBe(json({ name: 'x', deps: { a: '1', b: '2', c: '3' } }));
  });

  it('merges nested keys changed on different sides', () => {
    const base = json({ a: { b: { c: 1, d: 1 } }, e: 1 });
    const result = mergeJsonTexts(
      base,
      json({ a: { b: { c: 2, d: 1 } }, e: 1 }),
      json({ a: { b: { c: 1, d: 3 } }, e: 4 }),
    );
    expect(text(result.content)).toBe(json({ a: { b: { c: 2, d: 3 } }, e: 4 }));
  });

  it('takes added and removed keys from either side', () => {
    const base = json({ keep: 1, goOurs: 1, goTheirs: 1 });
    const ours = json({ keep: 1, goTheirs: 1, addedOurs: true });
    const theirs = json({ keep: 1, goOurs: 1, addedTheirs: [1] });
    expect(text(mergeJsonTexts(base, ours, theirs).content)).toBe(json({ keep: 1, addedOurs: true, addedTheirs: [1] }));
  });

  it('keeps ours key order and places keys only theirs added after the key theirs has before them', () => {
    const base = json({ b: 1, a: 1 });
    const ours = json({ a: 1, b: 2 });
    const theirs = json({ z: 1, b: 1, y: 1, a: 1 });
    expect(text(mergeJsonTexts(base, ours, theirs).content)).toBe('{\n  "z": 1,\n  "a": 1,\n  "b": 2,\n  "y": 1\n}\n');
  });

  it('keeps the spacing of a one-line document when it rebuilds it', () => {
    expect(
      text(mergeJsonTexts('{"port": 1, "name": "x"}', '{"port": 3, "name": "x"}', '{"port": 1, "name": "y"}').content),
    ).toBe('{"port": 3, "name": "y"}');
    expect(
      text(mergeJsonTexts('{"port":1,"name":"x"}', '{"port":3,"name":"x"}', '{"port":1,"name":"y"}').content),
    ).toBe('{"port":3,"name":"y"}');
  });

  it('keeps the order of integer-like keys, which JSON.parse would move first', () => {
    const base = '{"b": 1, "10": 1, "a": 1}';
    expect(text(mergeJsonTexts(base, '{"b": 2, "10": 1, "a": 1}', '{"b": 1, "10": 1, "a": 3}').content)).toBe(
      '{"b": 2, "10": 1, "a": 3}',
    );
  });

  it('treats arrays as single values: one side changed, that side wins', () => {
    const base = json({ files: ['a', 'b'], n: 1 });
    const result = mergeJsonTexts(base, json({ files: ['a', 'b', 'c'], n: 1 }), json({ files: ['a', 'b'], n: 2 }));
    expect(text(result.content)).toBe(json({ files: ['a', 'b', 'c'], n: 2 }));
  });

  it('reports a conflict at the key path when both sides changed an array differently', () => {
    const base = json({ files: ['a'], other: 1 });
    const result = mergeJsonTexts(
      base,
      json({ files: ['a', 'ours'], other: 1 }),
      json({ files: ['theirs', 'a'], other: 1 }),
    );
    expect(result).toMatchObject({
      status: 'conflict',
      kind: 'content',
      type: 'json',
      keyPaths: [['files']],
      hunks: [{ ours: '[\n  "a",\n  "ours"\n]', base: '[\n  "a"\n]', theirs: '[\n  "theirs",\n  "a"\n]' }],
    });
  });

  it('reports one conflict per key path, nested paths in full, and keeps merging the other keys', () => {
    const base = json({ version: '1.0.0', scripts: { test: 'vitest' }, private: true });
    const ours = json({ version: '1.1.0', scripts: { test: 'vitest run' }, private: true });
    const theirs = json({ version: '2.0.0', scripts: { test: 'jest' }, private: false });
    const result = mergeJsonTexts(base, ours, theirs);
    expect(result).toMatchObject({
      status: 'conflict',
      keyPaths: [['version'], ['scripts', 'test']],
      hunks: [
        { ours: '"1.1.0"', base: '"1.0.0"', theirs: '"2.0.0"', path: 'version' },
        { ours: '"vitest run"', base: '"vitest"', theirs: '"jest"', path: 'scripts.test' },
      ],
    });
    expect(text(result.content)).toBe(
      [
        '{',
        '<<<<<<< ours',
        '  "version": "1.1.0",',
        '||||||| base',
        '  "version": "1.0.0",',
        '=======',
        '  "version": "2.0.0",',
        '>>>>>>> theirs',
        '  "scripts": {',
        '<<<<<<< ours',
        '    "test": "vitest run"',
        '||||||| base',
        '    "test": "vitest"',
        '=======',
        '    "test": "jest"',
        '>>>>>>> theirs',
        '  },',
        '  "private": false',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('names each hunk by its key path, quoting keys that are not plain names', () => {
    const base = json({ dependencies: { react: '18', '@types/node': '20' }, scripts: { 'build:prod': 'a' } });
    const ours = json({ dependencies: { react: '19', '@types/node': '22' }, scripts: { 'build:prod': 'b' } });
    const theirs = json({ dependencies: { react: '17', '@types/node': '18' }, scripts: { 'build:prod': 'c' } });
    const result = mergeJsonTexts(base, ours, theirs);
    expect(result.status === 'conflict' && result.hunks.map((hunk) => hunk.path)).toEqual([
      'dependencies.react',
      'dependencies["@types/node"]',
      'scripts["build:prod"]',
    ]);
    expect(jsonKeyPath(['a.b', 'react-dom', '0'])).toBe('["a.b"].react-dom["0"]');
  });

  it('reports a key one side removed and the other changed as a conflict with a null side', () => {
    const result = mergeJsonTexts(json({ a: 1, b: 1 }), json({ b: 1 }), json({ a: 2, b: 1 }));
    expect(result).toMatchObject({
      status: 'conflict',
      kind: 'content',
      keyPaths: [['a']],
      hunks: [{ ours: null, base: '1', theirs: '2' }],
    });
  });

  it('is clean when both sides made the same change to a key', () => {
    expect(text(mergeJsonTexts(json({ a: 1, b: 1 }), json({ a: 2, b: 1 }), json({ a: 2, b: 1, c: 1 })).content)).toBe(
      json({ a: 2, b: 1, c: 1 }),
    );
  });

  it.each([
    ['four spaces', 4],
    ['a tab', '\t'],
    ['two spaces', 2],
  ])('keeps ours indentation: %s', (_name, indent) => {
    const base = json({ a: { x: 1 }, b: 1 }, indent);
    const ours = json({ a: { x: 2 }, b: 1 }, indent);
    // theirs reformatted with another indentation and changed b
    const theirs = json({ a: { x: 1 }, b: 2, c: { d: [1] } }, indent === 2 ? 4 : 2);
    expect(text(mergeJsonTexts(base, ours, theirs).content)).toBe(json({ a: { x: 2 }, b: 2, c: { d: [1] } }, indent));
  });

  it('keeps a one-line document on one line', () => {
    expect(text(mergeJsonTexts('{"a":1,"b":1}', '{"a":2,"b":1}', '{"a":1,"b":1,"c":{"d":3}}').content)).toBe(
      '{"a":2,"b":1,"c":{"d":3}}',
    );
  });

  it('keeps the final newline ours has, adds one theirs added, and keeps CRLF line endings', () => {
    const base = '{\r\n  "a": 1,\r\n  "b": 1\r\n}';
    const result = mergeJsonTexts(
      base,
      '{\r\n  "a": 2,\r\n  "b": 1\r\n}',
      '{\r\n  "a": 1,\r\n  "b": 1,\r\n  "c": 3\r\n}\r\n',
    );
    expect(text(result.content)).toBe('{\r\n  "a": 2,\r\n  "b": 1,\r\n  "c": 3\r\n}\r\n');
    expect(
      text(mergeJsonTexts(base, '{\r\n  "a": 2,\r\n  "b": 1\r\n}', '{\r\n  "a": 1,\r\n  "b": 3\r\n}\n').content),
    ).toBe('{\r\n  "a": 2,\r\n  "b": 3\r\n}\r\n');
    expect(text(mergeJsonTexts('{"a":1}\n', '{"a":2}\n', '{"a":1,"b":2}').content)).toBe('{"a":2,"b":2}\n');
  });

  it('keeps the exact text of values the merge leaves alone: big numbers, escapes, compact arrays', () => {
    const base = '{\n  "id": 12345678901234567890,\n  "s": "caf\\u00e9",\n  "list": [1, 2, 3],\n  "n": 1.50\n}\n';
    const ours = base.replace('"n": 1.50', '"n": 2.50');
    const theirs = base.replace('\n}', ',\n  "added": 1e3\n}');
    expect(text(mergeJsonTexts(base, ours, theirs).content)).toBe(
      '{\n  "id": 12345678901234567890,\n  "s": "caf\\u00e9",\n  "list": [1, 2, 3],\n  "n": 2.50,\n  "added": 1e3\n}\n',
    );
  });

  it('does not let a __proto__ key change anything but that key', () => {
    const base = '{"__proto__": {"x": 1}, "a": 1}';
    const result = mergeJsonTexts(base, '{"__proto__": {"x": 2}, "a": 1}', '{"__proto__": {"x": 1}, "a": 3}');
    expect(text(result.content)).toBe('{"__proto__": {"x": 2}, "a": 3}');
  });

  it('merges a JSON file both sides added key by key, as add-add when it conflicts', () => {
    expect(text(mergeJsonTexts(null, json({ a: 1 }), json({ b: 2 })).content)).toBe(json({ a: 1, b: 2 }));
    expect(mergeJsonTexts(null, json({ a: 1 }), json({ a: 2 }))).toMatchObject({
      status: 'conflict',
      kind: 'add-add',
      type: 'json',
      hunks: [{ ours: '1', base: null, theirs: '2' }],
    });
  });

  it('matches *.json in any case', () => {
    expect(
      mergeJsonTexts(json({ a: 1, b: 1 }), json({ a: 2, b: 1 }), json({ a: 1, b: 2 }), undefined, 'conf/Settings.JSON')
        .type,
    ).toBe('json');
  });

  it.each([
    ['invalid JSON on one side', '{"a": 1,\n"b": 2\n}\n', '{"a": 10,\n"b": 2\n}\n', '{"a": 1,\n"b": 2,\n}\n'],
    ['a top-level array', '[\n1,\n2\n]\n', '[\n10,\n2\n]\n', '[\n1,\n20\n]\n'],
    ['a duplicate key', '{"a": 1,\n"a": 2\n}\n', '{"a": 10,\n"a": 2\n}\n', '{"a": 1,\n"a": 20\n}\n'],
  ])('falls back to the text merge for %s', (_name, base, ours, theirs) => {
    const result = mergeJsonTexts(base, ours, theirs);
    expect(result).toMatchObject({ type: 'text' });
  });
});

describe('merge: JSON, the edges of a document', () => {
  it('merges a document that starts with a byte-order mark key by key, and keeps the mark', () => {
    const base = '\uFEFF{\n  "a": 1,\n  "b": 1\n}\n';
    const result = mergeJsonTexts(base, base.replace('"a": 1', '"a": 2'), base.replace('"b": 1', '"b": 2'));
    expect(result).toMatchObject({ status: 'clean', type: 'json' });
    expect(text(result.content)).toBe('\uFEFF{\n  "a": 2,\n  "b": 2\n}\n');
  });

  it("writes theirs' keys into an empty object of ours in ours' compact layout", () => {
    const result = mergeJsonTexts('{}', '{}\n', '{"a": 1}');
    expect(text(result.content)).toBe('{"a":1}\n');
  });
});
