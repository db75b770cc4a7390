import { describe, expect, it } from 'vitest';
import { mergeCommitRound, mergeCommits } from '../../src/runtime/children/engine-merger.js';
import { referenceRepo, treeFiles } from './merge-tree-reference.js';
import { repos, type Fixture, both, link, submodule, ICONS, BRANDS } from './tree-agreement-fixtures.js';

// Tree merges of entries of different types, side by side with git merge-tree
// (merge-ort): symlinks, a file against a directory, and whole-entry conflicts a
// strategy settles.

describe('entries of different types', () => {
  it.each<[string, Fixture, string]>([
    [
      'a symlink (ours) against a file theirs edited',
      {
        base: { 'fonts.css': ICONS },
        ours: { 'fonts.css': link('css/icons.css') },
        theirs: { 'fonts.css': ICONS.replace('glass', 'martini') },
      },
      'fonts.css',
    ],
    [
      'a file ours edited against a symlink (theirs)',
      {
        base: { 'fonts.css': ICONS },
        ours: { 'fonts.css': ICONS.replace('glass', 'martini') },
        theirs: { 'fonts.css': link('css/icons.css') },
      },
      'fonts.css',
    ],
    [
      'a symlink against a file both added',
      { base: {}, ours: { 'fonts.css': link('css/icons.css') }, theirs: { 'fonts.css': ICONS } },
      'fonts.css',
    ],
    [
      'a submodule ours moved against a file theirs made of it',
      { base: { vendor: submodule(1) }, ours: { vendor: submodule(2) }, theirs: { vendor: 'vendored\n' } },
      'vendor',
    ],
  ])('%s: a distinct-types conflict where git reports distinct types', async (_, fixture, path) => {
    const merged = await both({
      base: { ...fixture.base, 'keep.txt': 'k\n' },
      ours: { ...fixture.ours, 'keep.txt': 'k\n' },
      theirs: { ...fixture.theirs, 'keep.txt': 'K\n' },
    });
    expect(merged.git.messages).toContain(`CONFLICT (distinct types): ${path} had different types on each side`);
    expect(merged.troupe.conflicts.map((conflict) => [conflict.file, conflict.kind, conflict.content])).toEqual([
      [path, 'distinct-types', null],
    ]);
    // troupe keeps ours' entry at the path until the conflict is resolved; git keeps both, the regular file moved beside it
    expect(merged.troupe.files[path]).toEqual(treeFiles(merged.repo.dir, merged.repo.ours)[path]);
    expect(Object.keys(merged.git.conflicted).map((conflicted) => conflicted.replace(/~[0-9a-f]+$/, '~side'))).toEqual(
      expect.arrayContaining([path, `${path}~side`]),
    );
    expect(merged.troupe.files['keep.txt']).toEqual({ mode: '100644', content: 'K\n' });
  });

  it('names each side of a distinct-types conflict by its type', async () => {
    const merged = await both({
      base: { 'fonts.css': 'a\n' },
      ours: { 'fonts.css': link('css/icons.css') },
      theirs: { 'fonts.css': 'b\n' },
    });
    expect(merged.troupe.conflicts[0]?.hunks).toEqual([
      { ours: 'symlink to css/icons.css', base: 'a\n', theirs: 'b\n' },
    ]);
  });

  it.each<[string, Fixture]>([
    [
      'a symlink retargeted on one side',
      { base: { latest: link('v1') }, ours: { latest: link('v1'), 'keep.txt': 'k\n' }, theirs: { latest: link('v2') } },
    ],
    [
      'a file turned into a symlink on one side',
      { base: { latest: 'v1\n' }, ours: { latest: 'v1\n', 'keep.txt': 'k\n' }, theirs: { latest: link('v2') } },
    ],
  ])('%s: the same tree as git', async (_, fixture) => {
    const merged = await both(fixture);
    expect(merged.git.clean).toBe(true);
    expect(merged.troupe.files).toEqual(merged.git.files);
  });

  it('a symlink both sides retargeted differently conflicts on its content, as in git', async () => {
    const merged = await both({
      base: { latest: link('v1') },
      ours: { latest: link('v2') },
      theirs: { latest: link('v3') },
    });
    expect(merged.git.messages).toContain('CONFLICT (content)');
    expect(merged.troupe.conflicts.map((conflict) => [conflict.file, conflict.kind])).toEqual([['latest', 'content']]);
    expect(merged.troupe.files.latest).toEqual(merged.git.files.latest);
  });
});

describe('a file on one side, a directory on the other', () => {
  it.each<[string, Fixture]>([
    [
      'ours adds a file where theirs adds a directory',
      { base: {}, ours: { icons: ICONS }, theirs: { 'icons/fa.css': BRANDS } },
    ],
    [
      'ours adds a directory where theirs adds a file',
      { base: {}, ours: { 'icons/fa.css': BRANDS }, theirs: { icons: ICONS } },
    ],
    [
      'ours edits a file theirs turned into a directory',
      {
        base: { icons: ICONS },
        ours: { icons: ICONS.replace('glass', 'martini') },
        theirs: { 'icons/fa.css': BRANDS },
      },
    ],
    [
      'ours turns a file into a directory theirs edited',
      {
        base: { icons: ICONS },
        ours: { 'icons/fa.css': BRANDS },
        theirs: { icons: ICONS.replace('glass', 'martini') },
      },
    ],
    [
      'ours adds to a directory theirs turned into a file',
      {
        base: { 'icons/fa.css': BRANDS },
        ours: { 'icons/fa.css': BRANDS, 'icons/solid.css': 'solid\n' },
        theirs: { icons: ICONS },
      },
    ],
  ])('%s: a file-directory conflict where git reports file/directory, and the rest merges', async (_, fixture) => {
    const merged = await both({
      base: { ...fixture.base, 'keep.txt': 'k\n' },
      ours: { ...fixture.ours, 'keep.txt': 'k\n' },
      theirs: { ...fixture.theirs, 'keep.txt': 'K\n' },
    });
    expect(merged.git.messages).toContain('CONFLICT (file/directory): directory in the way of icons');
    expect(merged.troupe.conflicts.map((conflict) => [conflict.file, conflict.kind, conflict.content])).toEqual([
      ['icons', 'file-directory', null],
    ]);
    expect(merged.troupe.files['keep.txt']).toEqual({ mode: '100644', content: 'K\n' });
    // like git, the directory's files stay in the tree until the conflict is resolved
    const directory = (files: Record<string, unknown>) =>
      Object.keys(files).filter((path) => path.startsWith('icons/'));
    expect(directory(merged.troupe.files)).toEqual(directory(merged.git.files));
  });

  it('shows which side has the file and which the directory', async () => {
    const merged = await both({
      base: { icons: ICONS },
      ours: { icons: 'mine\n' },
      theirs: { 'icons/fa.css': BRANDS },
    });
    expect(merged.troupe.conflicts[0]?.hunks).toEqual([{ ours: 'mine\n', base: ICONS, theirs: 'directory' }]);
  });

  it('a file ours edited under a directory theirs turned into a file: modify/delete there and file/directory above, as in git', async () => {
    const merged = await both({
      base: { 'icons/fa.css': ICONS },
      ours: { 'icons/fa.css': ICONS.replace('glass', 'martini') },
      theirs: { icons: BRANDS },
    });
    expect(merged.git.messages).toContain('CONFLICT (modify/delete): icons/fa.css deleted');
    expect(merged.git.messages).toContain('CONFLICT (file/directory): directory in the way of icons');
    expect(merged.troupe.conflicts.map((conflict) => [conflict.file, conflict.kind])).toEqual([
      ['icons', 'file-directory'],
      ['icons/fa.css', 'modify-delete'],
    ]);
  });

  it('a directory ours turned into a file while theirs deleted it merges cleanly, as in git', async () => {
    const merged = await both({
      base: { 'icons/fa.css': BRANDS, 'keep.txt': 'k\n' },
      ours: { icons: ICONS, 'keep.txt': 'k\n' },
      theirs: { 'keep.txt': 'K\n' },
    });
    expect(merged.git.clean).toBe(true);
    expect(merged.troupe.conflicts).toEqual([]);
    expect(merged.troupe.files).toEqual(merged.git.files);
  });

  it('a file only theirs turned into a directory merges cleanly, as in git', async () => {
    const merged = await both({
      base: { icons: ICONS, 'keep.txt': 'k\n' },
      ours: { icons: ICONS, 'keep.txt': 'K\n' },
      theirs: { 'icons/fa.css': BRANDS, 'keep.txt': 'k\n' },
    });
    expect(merged.git.clean).toBe(true);
    expect(merged.troupe.conflicts).toEqual([]);
    expect(merged.troupe.files).toEqual(merged.git.files);
  });

  it('a child that makes a directory where the round made a file is merged, not taken as separate', async () => {
    const { repo } = await both({ base: {}, ours: { icons: ICONS }, theirs: { 'icons/fa.css': BRANDS } });
    const round = await mergeCommitRound(repo.trees, {
      ours: repo.ours,
      strategy: 'three-way',
      merges: [{ base: repo.base, theirs: repo.theirs, message: 'merge', subject: 'merge' }],
    });
    expect(round.stopped).toMatchObject({ index: 0, conflicts: [{ file: 'icons', kind: 'file-directory' }] });
  });
});

describe('whole-entry conflicts settled by a strategy', () => {
  const settled = async (fixture: Fixture, strategy: 'ours' | 'theirs') => {
    const repo = await referenceRepo(fixture);
    repos.push(repo);
    const merged = await mergeCommits(repo.trees, {
      base: repo.base,
      ours: repo.ours,
      theirs: repo.theirs,
      strategy,
      parents: [repo.ours, repo.theirs],
      message: 'merge',
    });
    return { resolved: merged.resolved, files: treeFiles(repo.dir, merged.tree) };
  };

  it('takes the strategy side’s submodule pointer', async () => {
    const fixture = {
      base: { vendor: submodule(1) },
      ours: { vendor: submodule(2) },
      theirs: { vendor: submodule(3) },
    };
    expect(await settled(fixture, 'theirs')).toEqual({
      resolved: [{ file: 'vendor', kind: 'submodule', side: 'theirs', hunks: 1 }],
      files: { vendor: { mode: '160000', content: '3'.repeat(40) } },
    });
    expect((await settled(fixture, 'ours')).files).toEqual({ vendor: { mode: '160000', content: '2'.repeat(40) } });
  });

  it('keeps ours’ file over the directory theirs made, or theirs’ directory over ours’ file', async () => {
    const fixture = {
      base: {},
      ours: { icons: ICONS },
      theirs: { 'icons/fa.css': BRANDS, 'icons/solid.css': 'solid\n' },
    };
    expect(await settled(fixture, 'ours')).toEqual({
      resolved: [{ file: 'icons', kind: 'file-directory', side: 'ours', hunks: 1 }],
      files: { icons: { mode: '100644', content: ICONS } },
    });
    expect((await settled(fixture, 'theirs')).files).toEqual({
      'icons/fa.css': { mode: '100644', content: BRANDS },
      'icons/solid.css': { mode: '100644', content: 'solid\n' },
    });
  });
});
