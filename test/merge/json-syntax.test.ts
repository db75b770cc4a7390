import { describe, expect, it } from 'vitest';
import { parseJson, printJson, sameJson } from '../../src/merge/json-syntax.js';

// The JSON reader and writer of the merge: layout detection, what parses, equality, printing.

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
