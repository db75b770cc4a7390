import { describe, expect, it } from 'vitest';
import { mergeEntry } from '../../src/merge/entry-merge.js';
import { merge } from '../../src/merge/index.js';
import { DIRECTORY_MODE, gitlinkFile, type TreeFile } from '../../src/merge/tree-entry.js';
import { bytes } from './bytes.js';

// What one side's change means against the other's when the two are of
// different kinds: a side left as base had it, a deletion, a symlink, a
// directory, a binary; and how each side of a whole-entry conflict is told.

const file = (text: string, mode = '100644'): TreeFile => ({ mode, content: new TextEncoder().encode(text) });
const symlink = (target: string) => file(target, '120000');
const directory: TreeFile = { mode: DIRECTORY_MODE, content: new Uint8Array() };
const BINARY = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]);

describe('mergeEntry: the side left as base had it', () => {
  it('takes the other side’s deletion, or its change of type, cleanly', () => {
    const base = file('x\n');
    expect(mergeEntry({ path: 'a', base, ours: file('x\n'), theirs: null })).toEqual({
      status: 'clean',
      file: null,
      kept: false,
      resolved: null,
    });
    expect(mergeEntry({ path: 'a', base, ours: file('x\n'), theirs: symlink('b') })).toEqual({
      status: 'clean',
      file: symlink('b'),
      kept: false,
      resolved: null,
    });
  });

  it('keeps nothing where ours deleted a file and theirs made a directory', () => {
    expect(mergeEntry({ path: 'icons', base: file('x\n'), ours: null, theirs: directory })).toEqual({
      status: 'clean',
      file: null,
      kept: true,
      resolved: null,
    });
  });

  it('settles a modify/delete to the side that deleted', () => {
    expect(mergeEntry({ path: 'a', base: file('x\n'), ours: file('y\n'), theirs: null, strategy: 'theirs' })).toEqual({
      status: 'clean',
      file: null,
      kept: false,
      resolved: { kind: 'modify-delete', hunks: 1 },
    });
  });
});

describe('mergeEntry: modes', () => {
  it('a mode conflict over a base of another type names base’s mode and is a content conflict', () => {
    const merged = mergeEntry({
      path: 'tool',
      base: symlink('x\n'),
      ours: file('x\nours\n'),
      theirs: file('theirs\nx\n', '100755'),
    });

    expect(merged).toEqual({
      status: 'conflict',
      kind: 'content',
      hunks: [{ ours: 'mode 100644', base: 'mode 120000', theirs: 'mode 100755' }],
      content: bytes('theirs\nx\nours\n'),
    });
  });

  it('a mode conflict a strategy settles in a file both sides added is add/add', () => {
    expect(
      mergeEntry({ path: 'run.sh', base: null, ours: file('x\n'), theirs: file('x\n', '100755'), strategy: 'ours' }),
    ).toEqual({
      status: 'clean',
      file: file('x\n'),
      kept: true,
      resolved: { kind: 'add-add', hunks: 1 },
    });
  });
});

describe('mergeEntry: how a whole-entry conflict tells each side', () => {
  it('a modify/delete of a symlink gives its target, and a side that only changed the type is not called a mode change', () => {
    expect(mergeEntry({ path: 'link', base: symlink('a'), ours: null, theirs: symlink('b') })).toMatchObject({
      kind: 'modify-delete',
      hunks: [{ ours: null, base: 'a', theirs: 'b' }],
    });
    // a regular file with the symlink's target as its bytes, and the reverse
    expect(mergeEntry({ path: 'link', base: file('a'), ours: symlink('a'), theirs: null })).toMatchObject({
      kind: 'modify-delete',
      hunks: [{ ours: 'a', base: 'a', theirs: null }],
    });
    expect(mergeEntry({ path: 'link', base: symlink('a'), ours: file('a'), theirs: null })).toMatchObject({
      kind: 'modify-delete',
      hunks: [{ ours: 'a', base: 'a', theirs: null }],
    });
  });

  it('a submodule conflict gives base as it is, and a file against a directory says which side is a symlink', () => {
    const [two, three] = [2, 3].map((digit) => gitlinkFile(String(digit).repeat(40)));
    expect(mergeEntry({ path: 'vendor', base: symlink('lib'), ours: two!, theirs: three! })).toMatchObject({
      kind: 'submodule',
      hunks: [
        { ours: `submodule commit ${'2'.repeat(40)}`, base: 'lib', theirs: `submodule commit ${'3'.repeat(40)}` },
      ],
    });
    expect(mergeEntry({ path: 'docs', base: null, ours: symlink('site'), theirs: directory })).toMatchObject({
      kind: 'file-directory',
      hunks: [{ ours: 'symlink to site', base: null, theirs: 'directory' }],
    });
  });
});

describe('merge: the type a one-sided change reports', () => {
  const BASE_JSON = '{\n  "a": 1\n}\n';

  it('is the type of the version the merge keeps, or base’s when both deleted it', () => {
    // both sides wrote the same JSON object over a text file
    expect(
      merge({ path: 'x.json', base: bytes('not json\n'), ours: bytes(BASE_JSON), theirs: bytes(BASE_JSON) }),
    ).toMatchObject({ status: 'clean', type: 'json' });
    expect(merge({ path: 'x.bin', base: BINARY, ours: null, theirs: null })).toMatchObject({
      status: 'clean',
      content: null,
      type: 'binary',
    });
    // only theirs changed it: to JSON, or by deleting a binary
    expect(
      merge({ path: 'x.json', base: bytes('not json\n'), ours: bytes('not json\n'), theirs: bytes(BASE_JSON) }),
    ).toMatchObject({ type: 'json' });
    expect(merge({ path: 'x.bin', base: BINARY, ours: BINARY, theirs: null })).toMatchObject({
      content: null,
      type: 'binary',
    });
    // only ours changed it
    expect(
      merge({ path: 'x.json', base: bytes('not json\n'), ours: bytes(BASE_JSON), theirs: bytes('not json\n') }),
    ).toMatchObject({ type: 'json' });
    expect(merge({ path: 'x.bin', base: BINARY, ours: null, theirs: BINARY })).toMatchObject({
      content: null,
      type: 'binary',
    });
  });

  it('a binary base makes two text versions a binary conflict', () => {
    expect(merge({ path: 'x.dat', base: BINARY, ours: bytes('ours\n'), theirs: bytes('theirs\n') })).toMatchObject({
      status: 'conflict',
      kind: 'binary',
      type: 'binary',
    });
  });

  it('a JSON base that is no object merges two objects as text', () => {
    const merged = merge({
      path: 'x.json',
      base: bytes('[1]\n'),
      ours: bytes('{\n  "a": 1\n}\n'),
      theirs: bytes('{\n  "b": 2\n}\n'),
    });

    expect(merged).toMatchObject({ status: 'conflict', kind: 'content', type: 'text', keyPaths: null });
  });
});
