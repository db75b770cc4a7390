import { describe, expect, it } from 'vitest';
import { merge, type MergeResult } from '../../src/merge/index.js';
import { jsonKeyPath } from '../../src/domain/index.js';
import { parseJson, printJson, sameJson } from '../../src/merge/json-syntax.js';
import { bytes, text } from './bytes.js';

function mergeJsonTexts(
  base: string | null,
  ours: string,
  theirs: string,
  strategy?: 'ours' | 'theirs',
  path = 'package.json',
): MergeResult {
  return merge({
    path,
    base: bytes(base),
    ours: bytes(ours),
    theirs: bytes(theirs),
    ...(strategy ? { strategy } : {}),
  });
}

const json = (value: unknown, indent: string | number = 2) => `${JSON.stringify(value, null, indent)}\n`;

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

  // replaying webpack's history: at 4a1d4e6dba both branches added definitions.CacheOptions to
  // schemas/WebpackOptions.json with different schemas; git conflicts, a key-by-key blend is neither
  describe('a key both sides added with different objects (add/add)', () => {
    const schema = (definitions: Record<string, unknown>) =>
      json({ definitions, title: 'WebpackOptions', type: 'object' });
    const base = schema({
      Amd: {
        description: 'Set the value of `require.amd` and `define.amd`.',
        anyOf: [{ enum: [false] }, { type: 'object' }],
      },
      Bail: { type: 'boolean' },
    });
    const memory = {
      description: 'Cache generated modules and chunks to improve performance for multiple incremental builds.',
      anyOf: [{ enum: [true] }, { $ref: '#/definitions/MemoryCacheOptions' }],
    };
    const filesystem = {
      description: 'Options for caching snapshots and intermediate products during build processes.',
      type: 'object',
      properties: { cacheDirectory: { type: 'string' } },
    };
    const withCache = (cache: unknown, bail: Record<string, unknown>) =>
      schema({ Amd: JSON.parse(base).definitions.Amd, Bail: bail, CacheOptions: cache });

    it('is a conflict at that key path, not a blend of the two', () => {
      const result = mergeJsonTexts(
        base,
        withCache(memory, { type: 'boolean' }),
        withCache(filesystem, { type: 'boolean' }),
        undefined,
        'schemas/WebpackOptions.json',
      );
      expect(result).toMatchObject({
        status: 'conflict',
        kind: 'content',
        type: 'json',
        keyPaths: [['definitions', 'CacheOptions']],
      });
      if (result.status !== 'conflict') return;
      expect(result.hunks[0]).toMatchObject({
        base: null,
        ours: JSON.stringify(memory, null, 2),
        path: jsonKeyPath(['definitions', 'CacheOptions']),
      });
      expect(JSON.parse(result.hunks[0]!.theirs!)).toEqual(filesystem);
    });

    it('still merges objects both sides changed from base key by key, beside it', () => {
      const result = mergeJsonTexts(
        base,
        withCache(memory, { type: 'boolean', description: 'Report the first error as a hard error.' }),
        withCache(filesystem, { type: 'boolean', default: false }),
      );
      expect(result).toMatchObject({ status: 'conflict', keyPaths: [['definitions', 'CacheOptions']] });
      const clean = mergeJsonTexts(
        base,
        schema({
          ...JSON.parse(base).definitions,
          Bail: { type: 'boolean', description: 'Report the first error as a hard error.' },
        }),
        schema({ ...JSON.parse(base).definitions, Bail: { type: 'boolean', default: false } }),
      );
      expect(JSON.parse(text(clean.content)!).definitions.Bail).toEqual({
        type: 'boolean',
        description: 'Report the first error as a hard error.',
        default: false,
      });
    });

    it('is clean when both added the same object, and settles to a side under a strategy', () => {
      expect(
        mergeJsonTexts(base, withCache(memory, { type: 'boolean' }), withCache(memory, { type: 'boolean' })),
      ).toMatchObject({ status: 'clean' });
      const settled = mergeJsonTexts(
        base,
        withCache(memory, { type: 'boolean' }),
        withCache(filesystem, { type: 'boolean' }),
        'theirs',
      );
      expect(JSON.parse(text(settled.content)!).definitions.CacheOptions).toEqual(filesystem);
      expect(settled).toMatchObject({
        status: 'clean',
        resolved: [{ kind: 'content', side: 'theirs', keyPath: ['definitions', 'CacheOptions'] }],
      });
    });
  });

  it('matches *.json in any case', () => {
    expect(
      mergeJsonTexts(json({ a: 1, b: 1 }), json({ a: 2, b: 1 }), json({ a: 1, b: 2 }), undefined, 'conf/Settings.JSON')
        .type,
    ).toBe('json');
  });

  it('resolves each conflicting key to the strategy side and reports its key path', () => {
    const base = json({ a: 1, b: { c: 1 }, d: 1 });
    const ours = json({ a: 2, b: { c: 2 }, d: 1 });
    const theirs = json({ a: 3, b: { c: 3 }, d: 4 });
    const result = mergeJsonTexts(base, ours, theirs, 'theirs');
    expect(text(result.content)).toBe(json({ a: 3, b: { c: 3 }, d: 4 }));
    expect(result).toMatchObject({
      status: 'clean',
      type: 'json',
      resolved: [
        { kind: 'content', side: 'theirs', keyPath: ['a'], hunk: { ours: '2', base: '1', theirs: '3' } },
        { kind: 'content', side: 'theirs', keyPath: ['b', 'c'] },
      ],
    });
    expect(text(mergeJsonTexts(base, ours, theirs, 'ours').content)).toBe(json({ a: 2, b: { c: 2 }, d: 4 }));
  });

  it('drops a key the strategy side removed', () => {
    expect(text(mergeJsonTexts(json({ a: 1, b: 1 }), json({ b: 1 }), json({ a: 2, b: 1 }), 'ours').content)).toBe(
      json({ b: 1 }),
    );
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

describe('merge: a JSON file that does not parse on one side (issue 19)', () => {
  const base = '{\n  "name": "x",\n  "version": "1.0.0",\n  "private": true\n}\n';

  it('merges it line by line when the lines merge cleanly', () => {
    const ours = base.replace('"private": true', '"private": false');
    const theirs = base.replace('"name": "x",', '"name": "x",,'); // not JSON
    const result = mergeJsonTexts(base, ours, theirs);
    expect(result).toMatchObject({ status: 'clean', type: 'text' });
    expect(text(result.content)).toBe('{\n  "name": "x",,\n  "version": "1.0.0",\n  "private": false\n}\n');
  });

  it('conflicts as content, region by region with markers, when both changed the same lines', () => {
    const result = mergeJsonTexts(
      base,
      base.replace('"1.0.0"', '"1.0.1"'),
      base.replace('"1.0.0",', '"2.0.0" // major'),
    );
    expect(result).toMatchObject({
      status: 'conflict',
      kind: 'content',
      type: 'text',
      keyPaths: null,
      hunks: [
        { ours: '  "version": "1.0.1",\n', base: '  "version": "1.0.0",\n', theirs: '  "version": "2.0.0" // major\n' },
      ],
    });
    expect(text(result.status === 'conflict' ? result.content : null)).toContain(
      '<<<<<<< ours\n  "version": "1.0.1",\n||||||| base\n',
    );
  });

  it('conflicts as add-add when both sides added the file and one does not parse', () => {
    const result = mergeJsonTexts(null, '{\n  "a": 1\n}\n', '{\n  "a": 2,\n}\n');
    expect(result).toMatchObject({ status: 'conflict', kind: 'add-add', type: 'text', keyPaths: null });
    expect(result.status === 'conflict' && result.content).not.toBeNull();
  });

  it('settles it to a side under a strategy, line by line', () => {
    const result = mergeJsonTexts(
      base,
      base.replace('"1.0.0"', '"1.0.1"'),
      base.replace('"1.0.0",', '"2.0.0" // major'),
      'theirs',
    );
    expect(result).toMatchObject({
      status: 'clean',
      type: 'text',
      resolved: [{ kind: 'content', side: 'theirs', keyPath: null }],
    });
    expect(text(result.content)).toBe(base.replace('"1.0.0",', '"2.0.0" // major'));
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

describe('parseJson', () => {
  it('detects the indentation and line ending of a document', () => {
    expect(parseJson('{\n    "a": 1\n}')?.style).toEqual({
      indent: '    ',
      eol: '\n',
      colon: ': ',
      comma: ',',
      commaFirst: false,
    });
    expect(parseJson('{\r\n\t"a": [\r\n\t\t1\r\n\t]\r\n}\r\n')?.style).toEqual({
      indent: '\t',
      eol: '\r\n',
      colon: ': ',
      comma: ',',
      commaFirst: false,
    });
    expect(parseJson('{"a": 1}')?.style).toEqual({
      indent: null,
      eol: '\n',
      colon: ': ',
      comma: ',',
      commaFirst: false,
    });
    expect(parseJson('{"a":1,"b":2}')?.style).toEqual({
      indent: null,
      eol: '\n',
      colon: ':',
      comma: ',',
      commaFirst: false,
    });
    expect(parseJson('{ "a": 1\n, "b": {\n    "c": 1\n  }\n}')?.style).toEqual({
      indent: '    ',
      eol: '\n',
      colon: ': ',
      comma: ',',
      commaFirst: true,
    });
    expect(parseJson('{"a":", ","b":{"c":1, "d":2}}')?.style.comma).toBe(',');
    expect(parseJson('[1, 2]')?.style.comma).toBe(', ');
    expect(parseJson('{"a" : 1, "b" : 2}')?.style).toEqual({
      indent: null,
      eol: '\n',
      colon: ' : ',
      comma: ', ',
      commaFirst: false,
    });
  });

  it('accepts what JSON.parse accepts and refuses what it refuses, on tricky inputs', () => {
    const cases = [
      '{}',
      '[]',
      '"\\ud800"',
      '-0.0e+1',
      '01',
      '1.',
      '.5',
      '"\t"',
      '"\\x"',
      '{"a":1,}',
      '[1,]',
      'tru',
      'nul',
      '{"a" 1}',
      ' \n{ } ',
      '"\\u12"',
      '1 2',
      '[[[]]]',
      '{"\\u0041":1}',
    ];
    // a check skipped would read on: a key without its opening quote, a missing colon or comma, a short \u escape before another string
    cases.push('{a": 1}', '{"a"x1}', '{"a": 1 x "b": 2}', '[1 x 2]', '["\\u12", "a"]');
    for (const source of cases) {
      let parses = true;
      try {
        JSON.parse(source);
      } catch {
        parses = false;
      }
      expect([source, parseJson(source) !== null]).toEqual([source, parses]);
    }
  });

  it('refuses nesting deeper than it can merge safely', () => {
    expect(parseJson(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)).toBeNull();
    // 500 levels below the root are read, 501 are not, through arrays and objects alike
    expect(parseJson(`${'['.repeat(501)}${']'.repeat(501)}`)).not.toBeNull();
    expect(parseJson(`${'['.repeat(502)}${']'.repeat(502)}`)).toBeNull();
    expect(parseJson(`${'{"a":'.repeat(500)}1${'}'.repeat(500)}`)).not.toBeNull();
    expect(parseJson(`${'{"a":'.repeat(501)}1${'}'.repeat(501)}`)).toBeNull();
  });

  it("reads the colon of an indented document's first key as written, and no comma-first in a document without indentation", () => {
    expect(parseJson('{\n  "ab":1\n}')?.style.colon).toBe(':');
    expect(parseJson('{\n  "a":  1\n}')?.style.colon).toBe(':  ');
    expect(parseJson('{\n"a":1,\n"b":2\n}')?.style).toMatchObject({ colon: ':', commaFirst: false });
  });
});

describe('sameJson', () => {
  const same = (x: string, y: string) => sameJson(parseJson(x)!.root, parseJson(y)!.root);

  it('compares objects by members in any order, arrays item by item, strings by their decoded text', () => {
    expect(same('{"a": 1, "b": [1, 2]}', '{"b":[1,2],"a":1}')).toBe(true);
    expect(same('["a"]', '["\\u0061"]')).toBe(true);
    expect(same('{"a": 1}', '{"a": 1, "b": 2}')).toBe(false);
    expect(same('{"a": 1, "b": 2}', '{"a": 1, "c": 2}')).toBe(false);
    expect(same('[1, 2]', '[1, 3]')).toBe(false);
    expect(same('["a"]', '["b"]')).toBe(false);
  });

  it('tells numbers by their text and values of different kinds apart', () => {
    expect(same('[1]', '[1.0]')).toBe(false);
    expect(same('["1"]', '[1]')).toBe(false);
    expect(same('{"a": "x"}', '{"a": ["x"]}')).toBe(false);
    expect(same('{"a": ["x"]}', '{"a": "x"}')).toBe(false);
    expect(same('{"a": []}', '{"a": {}}')).toBe(false);
    expect(sameJson(undefined, undefined)).toBe(true);
    expect(sameJson(parseJson('{}')!.root, undefined)).toBe(false);
  });
});

describe('printJson', () => {
  const style = { indent: '  ', eol: '\n', colon: ': ', comma: ',', commaFirst: false } as const;

  it('prints empty objects and arrays as a pair of brackets, in any layout', () => {
    const node = parseJson('{"a": {}, "b": []}')!.root;
    expect(printJson(node, '', style)).toBe('{\n  "a": {},\n  "b": []\n}');
    expect(printJson(node, '', { ...style, indent: null, comma: ', ' })).toBe('{"a": {}, "b": []}');
  });
});
