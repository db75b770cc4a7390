import { describe, expect, it } from 'vitest';
import { mergeEntry } from '../../src/merge/entry-merge.js';
import { pathSet } from '../../src/merge/path-set.js';
import { DIRECTORY_MODE, describeEntry, entryType, gitlinkFile, type TreeFile } from '../../src/merge/tree-entry.js';

// One path's three entries merged with their modes and types (the part of the
// tree merge git's merge-ort decides per path), and the path sets that tell a
// file from a directory the other side changed.

const file = (text: string, mode = '100644'): TreeFile => ({ mode, content: new TextEncoder().encode(text) });
const directory: TreeFile = { mode: DIRECTORY_MODE, content: new Uint8Array() };
const text = (entry: TreeFile | null) => (entry === null ? null : new TextDecoder().decode(entry.content));

describe('mergeEntry', () => {
  it('reports the modes and the content of a file both sides added differently, modes first', () => {
    const merged = mergeEntry({ path: 'run.sh', base: null, ours: file('a\nb\n', '100755'), theirs: file('a\nc\n') });
    expect(merged).toMatchObject({ status: 'conflict', kind: 'add-add' });
    if (merged.status !== 'conflict') return;
    expect(merged.hunks[0]).toEqual({ ours: 'mode 100755', base: null, theirs: 'mode 100644' });
    expect(merged.hunks.length).toBeGreaterThan(1);
    expect(text({ mode: '100644', content: merged.content! })).toContain('<<<<<<< ours');
  });

  it('settles modes and content to the strategy’s side, counting both', () => {
    const base = file('x\n', '120000');
    expect(
      mergeEntry({ path: 'tool', base, ours: file('ours\n'), theirs: file('theirs\n', '100755'), strategy: 'theirs' }),
    ).toEqual({
      status: 'clean',
      file: file('theirs\n', '100755'),
      kept: false,
      resolved: { kind: 'content', hunks: 2 },
    });
    expect(
      mergeEntry({ path: 'tool', base, ours: file('same\n'), theirs: file('same\n', '100755'), strategy: 'ours' }),
    ).toEqual({
      status: 'clean',
      file: file('same\n'),
      kept: true,
      resolved: { kind: 'content', hunks: 1 },
    });
  });

  it('merges two files over a base that was a submodule as files added on both sides', () => {
    const merged = mergeEntry({
      path: 'vendor',
      base: gitlinkFile('1'.repeat(40)),
      ours: file('a\n'),
      theirs: file('b\n'),
    });
    expect(merged).toMatchObject({
      status: 'conflict',
      kind: 'add-add',
      hunks: [{ ours: 'a\n', base: null, theirs: 'b\n' }],
    });
  });

  it('settles a file against a directory: the file written even where ours has it, the directory kept by writing nothing', () => {
    const input = { path: 'icons', base: null, ours: file('icons\n'), theirs: directory };
    expect(mergeEntry({ ...input, strategy: 'ours' })).toEqual({
      status: 'clean',
      file: file('icons\n'),
      kept: false,
      resolved: { kind: 'file-directory', hunks: 1 },
    });
    expect(mergeEntry({ ...input, strategy: 'theirs' })).toEqual({
      status: 'clean',
      file: null,
      kept: false,
      resolved: { kind: 'file-directory', hunks: 1 },
    });
  });

  it('leaves a directory both sides have, and takes a directory over a file the other side left as it was', () => {
    expect(mergeEntry({ path: 'icons', base: file('x\n'), ours: directory, theirs: directory })).toEqual({
      status: 'clean',
      file: null,
      kept: true,
      resolved: null,
    });
    expect(mergeEntry({ path: 'icons', base: file('x\n'), ours: file('x\n'), theirs: directory })).toEqual({
      status: 'clean',
      file: null,
      kept: false,
      resolved: null,
    });
  });

  it('settles a submodule conflict and a modify/delete to the strategy’s side', () => {
    const [one, two, three] = [1, 2, 3].map((digit) => gitlinkFile(String(digit).repeat(40)));
    expect(mergeEntry({ path: 'vendor', base: one!, ours: two!, theirs: three!, strategy: 'theirs' })).toEqual({
      status: 'clean',
      file: three,
      kept: false,
      resolved: { kind: 'submodule', hunks: 1 },
    });
    expect(
      mergeEntry({ path: 'run.sh', base: file('x\n'), ours: file('x\n', '100755'), theirs: null, strategy: 'ours' }),
    ).toEqual({
      status: 'clean',
      file: file('x\n', '100755'),
      kept: true,
      resolved: { kind: 'modify-delete', hunks: 1 },
    });
  });

  it('describes each kind of entry in one line', () => {
    expect(describeEntry(gitlinkFile('a'.repeat(40)))).toBe(`submodule commit ${'a'.repeat(40)}`);
    expect(describeEntry(directory)).toBe('directory');
    expect(describeEntry(file('lib/a.js', '120000'))).toBe('lib/a.js');
    expect(describeEntry(file('lib/a.js', '120000'), true)).toBe('symlink to lib/a.js');
    expect(describeEntry({ mode: '100644', content: new Uint8Array([0, 1]) })).toMatch(
      /^binary, 2 bytes, blob [0-9a-f]{40}$/,
    );
    expect(['100644', '100755', '120000', '160000', '040000'].map(entryType)).toEqual([
      'file',
      'file',
      'symlink',
      'submodule',
      'directory',
    ]);
    // git's own trees write a directory's mode without the leading zero
    expect(entryType('40000')).toBe('directory');
  });
});

describe('pathSet', () => {
  it('meets a path it holds, a directory above one, and a file under one', () => {
    const paths = pathSet(['icons', 'src/lib/a.js']);
    expect(['icons', 'icons/fa.css', 'src', 'src/lib', 'src/lib/a.js'].map((path) => paths.meets(path))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['iconsx', 'src/lib/b.js', 'src/libs', 'other'].map((path) => paths.meets(path))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect([paths.holds('src'), paths.holds('src/lib'), paths.holds('icons')]).toEqual([true, true, false]);
    paths.add('other/x');
    expect(paths.meets('other')).toBe(true);
  });
});
