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
  fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }).map((value) => encoder.encode(JSON.stringify(value, null, 2))),
);
const side = fc.option(content, { nil: null });
const path = fc.oneof(fc.constantFrom('a.txt', 'package.json', 'Conf.JSON', 'logo.png', '.json', ''), fc.string({ maxLength: 12 }));
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
        const oursChanged = merge({ path: filePath, base, ours: changed, theirs: base?.slice() ?? null, strategy: chosen });
        const theirsChanged = merge({ path: filePath, base, ours: base?.slice() ?? null, theirs: changed, strategy: chosen });
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
        fc.record({ gapBefore: fc.integer({ min: 1, max: 4 }), remove: fc.integer({ min: 0, max: 3 }), add: fc.integer({ min: 0, max: 3 }), ours: fc.boolean() }),
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
          const added = Array.from({ length: edit.add || (removed.length === 0 ? 1 : 0) }, (_, n) => `${edit.ours ? 'ours' : 'theirs'} ${index}.${n}`);
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
        const result = merge({ path: 'src/file.ts', base: bytes(render(base)), ours: bytes(render(oursLines)), theirs: bytes(render(theirsLines)) });
        expect(result.status).toBe('clean');
        expect(text(result.content)).toBe(render(expected));
      }),
      { numRuns: 500 },
    );
  });

  it('merges JSON edits to different keys cleanly, keeping both sides changes', () => {
    const keyEdit = fc.oneof(fc.constant({ remove: true as const }), fc.record({ value: fc.jsonValue({ maxDepth: 2 }) }));
    const scenario = fc.record({
      base: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }),
      oursEdits: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }).map((key) => `o${key}`), keyEdit, { maxKeys: 4 }),
      theirsEdits: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }).map((key) => `t${key}`), keyEdit, { maxKeys: 4 }),
      indent: fc.constantFrom(0, 2, 4, '\t'),
    });
    fc.assert(
      fc.property(scenario, ({ base, oursEdits, theirsEdits, indent }) => {
        const apply = (target: Record<string, unknown>, edits: Record<string, { remove: true } | { value: unknown }>) => {
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
