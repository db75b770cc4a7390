import { describe, expect, it } from 'vitest';
import { jsonKeyPath } from '../../src/domain/index.js';
import { text } from './bytes.js';
import { mergeJsonTexts, json } from './json-fixtures.js';

// Where a JSON merge conflicts as git does, and how a strategy settles it: keys
// both sides added, conflicting keys, a file that does not parse on one side.

describe('merge: JSON', () => {
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
