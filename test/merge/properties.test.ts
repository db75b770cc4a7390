import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { merge, type MergeStrategy } from '../../src/merge/index.js';
import { bytes, text } from './bytes.js';

const encoder = new TextEncoder();

// file contents: arbitrary bytes, text made of a few lines (so that sides share lines), and JSON
const lineText = fc
  .array(fc.constantFrom('a', 'b', 'c', '}', '', 'x y', 'é', '\u0000'), { maxLength: 12 })
  .chain((lines) => fc.tuple(fc.constant(lines), fc.constantFrom('\n', '\r\n'), fc.boolean()))
  .map(([lines, eol, final]) => lines.join(eol) + (final && lines.length > 0 ? eol : ''));
const content = fc.oneof(
  fc.uint8Array({ maxLength: 120 }),
  lineText.map((source) => encoder.encode(source)),
  fc.json({ maxDepth: 3 }).map((source) => encoder.encode(source)),
  fc
    .dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })
    .map((value) => encoder.encode(JSON.stringify(value, null, 2))),
);
const side = fc.option(content, { nil: null });
const path = fc.oneof(
  fc.constantFrom('a.txt', 'package.json', 'Conf.JSON', 'logo.png', '.json', ''),
  fc.string({ maxLength: 12 }),
);
const strategy = fc.constantFrom<MergeStrategy>('three-way', 'ours', 'theirs');

describe('merge (property)', () => {
  it('never throws on arbitrary bytes, missing sides and paths, and answers a well-formed result', () => {
    fc.assert(
      fc.property(path, side, side, side, strategy, (filePath, base, ours, theirs, chosen) => {
        const result = merge({ path: filePath, base, ours, theirs, strategy: chosen });
        expect(['text', 'json', 'binary']).toContain(result.type);
        expect(result.content === null || result.content instanceof Uint8Array).toBe(true);
        if (result.status === 'conflict') {
          expect(chosen).toBe('three-way');
          expect(result.hunks.length).toBeGreaterThan(0);
        } else if (chosen === 'three-way') {
          expect(result.resolved).toEqual([]);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('gives that side when both sides are the same', () => {
    fc.assert(
      fc.property(path, side, side, strategy, (filePath, base, both, chosen) => {
        const result = merge({ path: filePath, base, ours: both, theirs: both?.slice() ?? null, strategy: chosen });
        expect(result.status).toBe('clean');
        expect(result.content).toEqual(both);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the changed side when the other is the base: merge(base, x, base) = x and merge(base, base, x) = x', () => {
    fc.assert(
      fc.property(path, side, side, strategy, (filePath, base, changed, chosen) => {
        const oursChanged = merge({
          path: filePath,
          base,
          ours: changed,
          theirs: base?.slice() ?? null,
          strategy: chosen,
        });
        const theirsChanged = merge({
          path: filePath,
          base,
          ours: base?.slice() ?? null,
          theirs: changed,
          strategy: chosen,
        });
        expect(oursChanged).toMatchObject({ status: 'clean', content: changed, resolved: [] });
        expect(theirsChanged).toMatchObject({ status: 'clean', content: changed, resolved: [] });
      }),
      { numRuns: 500 },
    );
  });

  it('merges edits to different lines cleanly, keeping both sides changes', () => {
    // a base of distinct lines and edits separated by at least one untouched line, each on one side
    const scenario = fc.record({
      length: fc.integer({ min: 1, max: 30 }),
      eol: fc.constantFrom('\n', '\r\n'),
      edits: fc.array(
        fc.record({
          gapBefore: fc.integer({ min: 1, max: 4 }),
          remove: fc.integer({ min: 0, max: 3 }),
          add: fc.integer({ min: 0, max: 3 }),
          ours: fc.boolean(),
        }),
        { minLength: 2, maxLength: 6 },
      ),
    });
    fc.assert(
      fc.property(scenario, ({ length, eol, edits }) => {
        const base = Array.from({ length }, (_, at) => `base ${at}`);
        const oursLines: string[] = [];
        const theirsLines: string[] = [];
        const expected: string[] = [];
        let at = 0;
        for (const [index, edit] of edits.entries()) {
          const start = at + (index === 0 ? edit.gapBefore - 1 : edit.gapBefore);
          // past the end there is no untouched line left to separate the edits
          if (start > base.length) break;
          const kept = base.slice(at, start);
          const removed = base.slice(start, start + edit.remove);
          const added = Array.from(
            { length: edit.add || (removed.length === 0 ? 1 : 0) },
            (_, n) => `${edit.ours ? 'ours' : 'theirs'} ${index}.${n}`,
          );
          oursLines.push(...kept, ...(edit.ours ? added : removed));
          theirsLines.push(...kept, ...(edit.ours ? removed : added));
          expected.push(...kept, ...added);
          at = start + removed.length;
        }
        const rest = base.slice(at);
        oursLines.push(...rest);
        theirsLines.push(...rest);
        expected.push(...rest);
        const render = (lines: string[]) => lines.map((line) => line + eol).join('');
        const result = merge({
          path: 'src/file.ts',
          base: bytes(render(base)),
          ours: bytes(render(oursLines)),
          theirs: bytes(render(theirsLines)),
        });
        expect(result.status).toBe('clean');
        expect(text(result.content)).toBe(render(expected));
      }),
      { numRuns: 500 },
    );
  });

  it('merges JSON edits to different keys cleanly, keeping both sides changes', () => {
    const keyEdit = fc.oneof(
      fc.constant({ remove: true as const }),
      fc.record({ value: fc.jsonValue({ maxDepth: 2 }) }),
    );
    const scenario = fc.record({
      base: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }),
      oursEdits: fc.dictionary(
        fc.string({ minLength: 1, maxLength: 5 }).map((key) => `o${key}`),
        keyEdit,
        { maxKeys: 4 },
      ),
      theirsEdits: fc.dictionary(
        fc.string({ minLength: 1, maxLength: 5 }).map((key) => `t${key}`),
        keyEdit,
        { maxKeys: 4 },
      ),
      indent: fc.constantFrom(0, 2, 4, '\t'),
    });
    fc.assert(
      fc.property(scenario, ({ base, oursEdits, theirsEdits, indent }) => {
        const apply = (
          target: Record<string, unknown>,
          edits: Record<string, { remove: true } | { value: unknown }>,
        ) => {
          for (const [key, edit] of Object.entries(edits)) {
            if ('remove' in edit) delete target[key];
            else target[key] = edit.value;
          }
          return target;
        };
        const ours = apply(structuredClone(base) as Record<string, unknown>, oursEdits);
        const theirs = apply(structuredClone(base) as Record<string, unknown>, theirsEdits);
        const expected = apply(structuredClone(ours), theirsEdits);
        const write = (value: unknown) => bytes(JSON.stringify(value, null, indent));
        const result = merge({ path: 'data.json', base: write(base), ours: write(ours), theirs: write(theirs) });
        expect(result.status).toBe('clean');
        // through JSON text, as the files hold it (-0 is written 0)
        expect(JSON.parse(text(result.content)!)).toEqual(JSON.parse(JSON.stringify(expected)));
      }),
      { numRuns: 400 },
    );
  });
});

describe('merge JSON layout (property, issue 19)', () => {
  type Entries = [string, unknown][];
  // the layouts seen in real files: JSON.stringify's at 2 or 4 spaces or a tab, one line, and npm's comma-first
  const layouts = {
    spaces: (entries: Entries, eol: string) => indented(entries, '  ', eol),
    wide: (entries: Entries, eol: string) => indented(entries, '    ', eol),
    tabs: (entries: Entries, eol: string) => indented(entries, '\t', eol),
    oneLine: (entries: Entries) =>
      `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`,
    commaFirst: (entries: Entries, eol: string) =>
      entries.length === 0
        ? '{}'
        : `{ ${entries.map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(`${eol}, `)}${eol}}`,
  };
  function indented(entries: Entries, indent: string, eol: string): string {
    if (entries.length === 0) return '{}';
    const member = ([key, value]: [string, unknown]) =>
      `${indent}${JSON.stringify(key)}: ${JSON.stringify(value, null, indent).replace(/\n/g, `${eol}${indent}`)}`;
    return `{${eol}${entries.map(member).join(`,${eol}`)}${eol}}`;
  }

  it('keeps a sorted object sorted and ours layout byte for byte when each side adds keys and changes others', () => {
    const scenario = fc
      .record({
        keys: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 5, maxLength: 16 }),
        values: fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 16, maxLength: 16 }),
        changes: fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 16, maxLength: 16 }),
        roles: fc.array(fc.constantFrom('base', 'base', 'ours', 'theirs', 'oursChanges', 'theirsChanges'), {
          minLength: 16,
          maxLength: 16,
        }),
        layout: fc.constantFrom(...(Object.keys(layouts) as (keyof typeof layouts)[])),
        eol: fc.constantFrom('\n', '\r\n'),
        final: fc.boolean(),
      })
      .filter(({ keys, roles }) => keys.filter((_, at) => roles[at] !== 'ours' && roles[at] !== 'theirs').length >= 3);
    fc.assert(
      fc.property(scenario, ({ keys, values, changes, roles, layout, eol, final }) => {
        const sorted = keys.map((key, at) => ({ key, at })).sort((x, y) => (x.key < y.key ? -1 : 1));
        const pick = (side: 'base' | 'ours' | 'theirs' | 'merged'): Entries =>
          sorted.flatMap(({ key, at }): Entries => {
            const role = roles[at]!;
            if (role === 'ours' || role === 'theirs')
              return side === role || side === 'merged' ? [[key, values[at]]] : [];
            const changedHere =
              (role === 'oursChanges' && (side === 'ours' || side === 'merged')) ||
              (role === 'theirsChanges' && (side === 'theirs' || side === 'merged'));
            return [[key, changedHere ? changes[at] : values[at]]];
          });
        const write = (entries: Entries) => layouts[layout](entries, eol) + (final ? eol : '');
        const result = merge({
          path: 'schema.json',
          base: bytes(write(pick('base'))),
          ours: bytes(write(pick('ours'))),
          theirs: bytes(write(pick('theirs'))),
        });
        expect(result.status).toBe('clean');
        expect(text(result.content)).toBe(write(pick('merged')));
      }),
      { numRuns: 400 },
    );
  });

  it('merges any three objects in any layouts into JSON that parses, or a conflict with markers, without the catch-all', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 1 }),
      fc.dictionary(key, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
    );
    const object = fc.uniqueArray(fc.tuple(key, value), { selector: ([name]) => name, maxLength: 6 });
    const layout = fc.constantFrom(...(Object.keys(layouts) as (keyof typeof layouts)[]));
    const side = fc
      .tuple(object, layout, fc.constantFrom('\n', '\r\n'), fc.boolean())
      .map(([entries, chosen, eol, final]) => layouts[chosen](entries as Entries, eol) + (final ? eol : ''));
    fc.assert(
      fc.property(fc.option(side, { nil: null }), side, side, strategy, (base, ours, theirs, chosen) => {
        const result = merge({
          path: 'data.json',
          base: bytes(base),
          ours: bytes(ours),
          theirs: bytes(theirs),
          strategy: chosen,
        });
        expect(result.type).toBe('json');
        if (result.status === 'clean') expect(() => JSON.parse(text(result.content)!)).not.toThrow();
        // the catch-all answers whole-file hunks without content
        else expect(result.content).not.toBeNull();
      }),
      { numRuns: 600 },
    );
  });

  it('keeps ours bytes outside the values theirs changed, whatever ours layout, and places theirs keys after their predecessor', () => {
    const scenario = fc.record({
      keys: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 10 }),
      values: fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 10, maxLength: 10 }),
      changed: fc.array(fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }), { minLength: 10, maxLength: 10 }),
      added: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
      layout: fc.constantFrom(...(Object.keys(layouts) as (keyof typeof layouts)[])),
      eol: fc.constantFrom('\n', '\r\n'),
    });
    fc.assert(
      fc.property(scenario, ({ keys, values, changed, added, layout, eol }) => {
        // keys theirs added are new names, so that no side has them unsorted by chance of the rule
        const base: Entries = keys.map((key, at) => [key, values[at]]);
        const theirs: Entries = base.flatMap(([key, value], at): Entries => [
          [key, changed[at] ?? value],
          ...(added[at] ? ([[`${key}~new`, at]] as Entries) : []),
        ]);
        // ours: the base with a first key of its own, so that ours' bytes differ from base's
        const ours: Entries = [['~ours', true], ...base];
        const expected: Entries = [['~ours', true], ...theirs];
        const write = (entries: Entries) => `${layouts[layout](entries, eol)}${eol}`;
        const result = merge({
          path: 'package.json',
          base: bytes(write(base)),
          ours: bytes(write(ours)),
          theirs: bytes(write(theirs)),
        });
        expect(text(result.content)).toBe(write(expected));
      }),
      { numRuns: 400 },
    );
  });
});
