// How the key-by-key merge writes its answer into ours' text: conflicts
// around the member lines, values from theirs in ours' layout, separators
// and brackets taken from ours' object (src/merge/json.ts's Writer).
import { describe, expect, it } from 'vitest';
import { merge, type MergeResult } from '../../src/merge/index.js';
import { bytes, text } from './bytes.js';

function mergeJson(base: string | null, ours: string, theirs: string): MergeResult {
  return merge({ path: 'settings.json', base: bytes(base), ours: bytes(ours), theirs: bytes(theirs) });
}

const merged = (base: string | null, ours: string, theirs: string) => text(mergeJson(base, ours, theirs).content);
const crlf = (lines: string) => lines.replace(/\n/g, '\r\n');

describe('merge: JSON conflicts where a side removed the member', () => {
  const base = '{\n  "a": 1,\n  "b": 1\n}\n';
  const [ours, theirs] = [base.replace('"a": 1', '"a": 2'), '{\n  "b": 1\n}\n'];

  it('ends each section of a conflict on the last line of a CRLF document without a final newline in CRLF', () => {
    const base = crlf('{\n  "a": 1,\n  "b": 1}');
    expect(merged(base, base.replace('"b": 1', '"b": 2'), base.replace('"b": 1', '"b": 3'))).toBe(
      crlf('{\n  "a": 1,\n<<<<<<< ours\n  "b": 2}\n||||||| base\n  "b": 1}\n=======\n  "b": 3}\n>>>>>>> theirs'),
    );
  });

  it("leaves the removing side's section empty, its comma gone with the member", () => {
    expect(merged(base, ours, theirs)).toBe(
      '{\n<<<<<<< ours\n  "a": 2,\n||||||| base\n  "a": 1,\n=======\n>>>>>>> theirs\n  "b": 1\n}\n',
    );
    expect(merged(crlf(base), crlf(ours), crlf(theirs))).toBe(
      crlf('{\n<<<<<<< ours\n  "a": 2,\n||||||| base\n  "a": 1,\n=======\n>>>>>>> theirs\n  "b": 1\n}\n'),
    );
  });

  it('drops the comma before a last member on one line', () => {
    expect(merged('{"a": 1, "b": 2}\n', '{"a": 1, "b": 3}\n', '{"a": 1}\n')).toBe(
      '<<<<<<< ours\n{"a": 1, "b": 3}\n||||||| base\n{"a": 1, "b": 2}\n=======\n{"a": 1}\n>>>>>>> theirs\n',
    );
  });
});

describe("merge: JSON values from theirs in ours' layout", () => {
  const base = '{\n  "a": 1,\n  "z": 1\n}\n';
  const ours = base.replace('"z": 1', '"z": 2');

  it("prints a value theirs laid out with another indentation, line ending or colon in ours' layout", () => {
    const expected = '{\n  "a": {\n    "x": 1\n  },\n  "z": 2\n}\n';
    expect(merged(base, ours, '{\n    "a": {\n        "x": 1\n    },\n    "z": 1\n}\n')).toBe(expected);
    expect(merged(base, ours, crlf('{\n  "a": {\n    "x": 1\n  },\n  "z": 1\n}\n'))).toBe(expected);
    expect(merged(base, ours, '{\n  "a":{\n    "x":1\n  },\n  "z":1\n}\n')).toBe(expected);
  });

  it("prints a value theirs laid out on one line with another comma in ours' one-line layout", () => {
    expect(merged('{"a": 1, "b": 2}', '{"a": 1, "b": 3}', '{"a": 1,"b": 2,"c": [1,2]}')).toBe(
      '{"a": 1, "b": 3, "c": [1, 2]}',
    );
  });

  it("re-indents theirs' whole document to where ours' root starts, but not its first line", () => {
    expect(merged('{\n  "a": 1\n}', ' {\n  "a": 1\n}', '{\n  "a": 2\n}')).toBe(' {\n   "a": 2\n }');
  });
});

describe("merge: JSON objects rebuilt in ours' layout", () => {
  it('opens an object ours emptied on its own lines when theirs adds to it', () => {
    const base = '{\n  "d": {\n    "a": 1\n  },\n  "z": 1\n}\n';
    expect(
      merged(base, '{\n  "d": {},\n  "z": 1\n}\n', '{\n  "d": {\n    "a": 1,\n    "b": 2\n  },\n  "z": 1\n}\n'),
    ).toBe('{\n  "d": {\n    "b": 2\n  },\n  "z": 1\n}\n');
  });

  it('writes {} for an object both sides emptied between them', () => {
    const base = '{\n  "d": {\n    "a": 1,\n    "b": 1\n  },\n  "z": 1\n}\n';
    expect(
      merged(base, '{\n  "d": {\n    "b": 1\n  },\n  "z": 1\n}\n', '{\n  "d": {\n    "a": 1\n  },\n  "z": 1\n}\n'),
    ).toBe('{\n  "d": {},\n  "z": 1\n}\n');
  });

  it('drops a key ours removed and theirs kept, and one theirs removed at the end of an object ours changed', () => {
    // sorted, so that a dropped key would be placed rather than lost
    const sorted = '{\n  "a": 1,\n  "b": 1,\n  "c": 1,\n  "d": 1\n}\n';
    expect(merged(sorted, sorted.replace('  "a": 1,\n', ''), sorted.replace('"d": 1', '"d": 2'))).toBe(
      '{\n  "b": 1,\n  "c": 1,\n  "d": 2\n}\n',
    );
    const base = '{\n  "x": {\n    "a": 1,\n    "b": 2,\n    "c": 3\n  }\n}\n';
    expect(merged(base, base.replace('"a": 1', '"a": 9'), '{\n  "x": {\n    "a": 1,\n    "b": 2\n  }\n}\n')).toBe(
      '{\n  "x": {\n    "a": 9,\n    "b": 2\n  }\n}\n',
    );
  });

  it('separates added keys like the nearest members of ours: a blank line stays where ours has it', () => {
    const base = '{\n  "a": 1,\n\n  "b": 2,\n  "c": 3\n}\n';
    const theirs = '{\n  "p": 0,\n  "a": 1,\n  "q": 0,\n  "r": 0,\n  "b": 2,\n  "s": 0,\n  "c": 3,\n  "t": 0\n}\n';
    expect(merged(base, base.replace('"c": 3', '"c": 4'), theirs)).toBe(
      '{\n  "p": 0,\n\n  "a": 1,\n\n  "q": 0,\n\n  "r": 0,\n\n  "b": 2,\n  "s": 0,\n  "c": 4,\n  "t": 0\n}\n',
    );
  });

  it('adds the final newline theirs added to a file both sides added', () => {
    expect(merged(null, '{"a": 1}', '{"a": 1, "b": 2}\n')).toBe('{"a": 1, "b": 2}\n');
    // and only a newline: spaces ours ends with stay when theirs ends with none
    expect(merged('{"a": 1, "b": 1}', '{"a": 2, "b": 1}  ', '{"a": 1, "b": 2}')).toBe('{"a": 2, "b": 2}  ');
  });
});

describe('merge: JSON separators where ours has no member to copy them from', () => {
  it('lays out keys theirs adds to an object ours emptied in a comma-first file like printed values: commas and bracket a level in', () => {
    const base = '{ "name": "npm"\n, "d":\n  { "a": 1\n  }\n}\n';
    const theirs = '{ "name": "npm"\n, "d":\n  { "a": 1\n  , "b": 2\n  , "c": 3\n  }\n}\n';
    expect(merged(base, '{ "name": "npm"\n, "d": {}\n}\n', theirs)).toBe(
      '{ "name": "npm"\n, "d": { "b": 2\n  , "c": 3\n  }\n}\n',
    );
  });

  it("spaces the comma after ours' only member on one line as its colon is spaced after, not before", () => {
    expect(merged('{"a": 0}', '{"a": 1}', '{"a": 0,"b": 2}')).toBe('{"a": 1, "b": 2}');
    expect(merged('{"a" :0}', '{"a" :1}', '{"a" :0,"b":2}')).toBe('{"a" :1,"b":2}');
  });

  it("spaces the comma after ours' only member on one line when ours spaces its braces", () => {
    expect(merged('{ "a":0 }', '{ "a":1 }', '{ "a":0,"b":2 }')).toBe('{ "a":1, "b":2 }');
    expect(merged('{"a":0}', '{"a":1}', '{"a":0,"b":2}')).toBe('{"a":1,"b":2}');
  });
});
