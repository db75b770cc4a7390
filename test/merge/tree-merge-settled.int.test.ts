import { afterEach, describe, expect, it } from 'vitest';
import { mergeTrees, type TreeMergeResult, type TreeReader } from '../../src/merge/tree-merge.js';
import type { MergeStrategy } from '../../src/merge/types.js';
import { referenceRepo, type FixtureTree, type ReferenceRepo } from './merge-tree-reference.js';

// What a tree merge says it settled, what it writes and what it reads, on
// real git: `resolved` names only the conflicts a strategy settled (never a
// file that merged cleanly, never under three-way), a file kept over a
// directory drops only that directory's writes, a file ours already holds
// is not written again, and a path only theirs changed is read once.

const NOTES = Array.from({ length: 12 }, (_, at) => `note ${at + 1}`).join('\n') + '\n';
const edit = (line: number, to: string, text = NOTES) => text.replace(`note ${line}\n`, `${to}\n`);

const open: ReferenceRepo[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((repo) => repo.cleanup()));
});

async function merge(
  fixture: { base: FixtureTree; ours: FixtureTree; theirs: FixtureTree },
  strategy: MergeStrategy = 'three-way',
  reader?: (trees: TreeReader) => TreeReader,
) {
  const repo = await referenceRepo(fixture);
  open.push(repo);
  return mergeTrees({
    base: repo.base,
    ours: repo.ours,
    theirs: repo.theirs,
    reader: reader ? reader(repo.trees) : repo.trees,
    strategy,
  });
}

const writes = (result: TreeMergeResult) =>
  result.writes.map((write) => [
    write.path,
    write.file === null ? null : Buffer.from(write.file.content).toString('utf8'),
  ]);

describe('what a strategy says it settled', () => {
  // both.txt: both edit apart (clean); clash.txt: both edit line 5 (a conflict)
  const fixture = {
    base: { 'both.txt': NOTES, 'clash.txt': NOTES },
    ours: { 'both.txt': edit(2, 'two ours'), 'clash.txt': edit(5, 'five ours') },
    theirs: { 'both.txt': edit(11, 'eleven theirs'), 'clash.txt': edit(5, 'five theirs') },
  };

  it.each(['ours', 'theirs'] as const)(
    '%s: only the conflicting file is in resolved, the clean one is merged and not listed',
    async (strategy) => {
      const result = await merge(fixture, strategy);

      expect(result.resolved).toEqual([{ file: 'clash.txt', kind: 'content', side: strategy, hunks: 1 }]);
      expect(result.conflicts).toEqual([]);
      expect(writes(result)).toEqual([
        ['both.txt', edit(11, 'eleven theirs', edit(2, 'two ours'))],
        ...(strategy === 'theirs' ? [['clash.txt', edit(5, 'five theirs')]] : []),
      ]);
    },
  );

  it('three-way settles nothing: resolved stays empty beside the conflict and the clean merge', async () => {
    const result = await merge(fixture);

    expect(result.resolved).toEqual([]);
    expect(result.conflicts.map((conflict) => [conflict.file, conflict.kind])).toEqual([['clash.txt', 'content']]);
    expect(writes(result)).toEqual([['both.txt', edit(11, 'eleven theirs', edit(2, 'two ours'))]]);
  });
});

describe('a file kept over a directory', () => {
  it('drops the writes under each such directory and keeps every other write', async () => {
    const result = await merge(
      {
        base: { 'notes.txt': NOTES },
        ours: { 'notes.txt': NOTES, icons: 'icons file\n', fonts: 'fonts file\n' },
        theirs: {
          'notes.txt': edit(3, 'three theirs'),
          'icons/a.css': 'a\n',
          'icons/b.css': 'b\n',
          'fonts/c.woff': 'c\n',
          'iconsets.txt': 'sets\n',
        },
      },
      'ours',
    );

    expect(result.resolved.map((settled) => [settled.file, settled.kind])).toEqual([
      ['fonts', 'file-directory'],
      ['icons', 'file-directory'],
    ]);
    // ours' files are written over theirs' directories; iconsets.txt starts with "icons" but is no file under icons/
    expect(writes(result)).toEqual([
      ['fonts', 'fonts file\n'],
      ['icons', 'icons file\n'],
      ['iconsets.txt', 'sets\n'],
      ['notes.txt', edit(3, 'three theirs')],
    ]);
  });
});

describe('across a rename', () => {
  // ours renames notes.txt to moved.txt (an edit on line 2); theirs edits it in place
  const renamed = (theirsEdit: string) => ({
    base: { 'notes.txt': NOTES },
    ours: { 'moved.txt': edit(2, 'two ours') },
    theirs: { 'notes.txt': theirsEdit },
  });

  it('a clean merge into the renamed file settles nothing, under three-way and under a strategy', async () => {
    for (const strategy of ['three-way', 'ours'] as const) {
      const result = await merge(renamed(edit(11, 'eleven theirs')), strategy);

      expect(result.resolved).toEqual([]);
      expect(writes(result)).toEqual([['moved.txt', edit(11, 'eleven theirs', edit(2, 'two ours'))]]);
    }
  });

  it('a conflict in the renamed file settled by a strategy is listed at the new path', async () => {
    const result = await merge(renamed(edit(2, 'two theirs')), 'theirs');

    expect(result.resolved).toEqual([{ file: 'moved.txt', kind: 'content', side: 'theirs', hunks: 1 }]);
    expect(writes(result)).toEqual([['moved.txt', edit(2, 'two theirs')]]);
  });

  it('writes nothing when ours’ renamed file already holds the merge', async () => {
    const result = await merge(renamed(edit(2, 'two ours')));

    expect(result).toEqual({ writes: [], conflicts: [], resolved: [] });
  });

  it('renamed apart with clashing edits: the rename/rename conflict carries the clash’s hunk and markers', async () => {
    const result = await merge({
      base: { 'notes.txt': NOTES },
      ours: { 'b.txt': edit(6, 'six ours') },
      theirs: { 'c.txt': edit(6, 'six theirs') },
    });

    expect(result.conflicts).toHaveLength(1);
    const [conflict] = result.conflicts;
    expect(conflict).toMatchObject({
      file: 'b.txt',
      kind: 'rename-rename',
      hunks: [{ ours: 'six ours\n', base: 'note 6\n', theirs: 'six theirs\n' }],
    });
    expect(Buffer.from(conflict!.content!).toString('utf8')).toContain('<<<<<<< ours\nsix ours\n');
  });
});

describe('what it reads', () => {
  it('reads a path only theirs changed once, at theirs, and never a path only ours changed', async () => {
    const reads: string[] = [];
    const counting = (trees: TreeReader): TreeReader => ({
      changedPaths: (from, to) => trees.changedPaths(from, to),
      renames: (from, to) => trees.renames(from, to),
      readFile: (commit, path) => {
        reads.push(path);
        return trees.readFile(commit, path);
      },
    });

    const result = await merge(
      {
        base: { 'both.txt': NOTES, 'mine.txt': 'm\n', 'yours.txt': 'y\n' },
        ours: { 'both.txt': edit(2, 'two ours'), 'mine.txt': 'm ours\n', 'yours.txt': 'y\n', 'added-ours.txt': 'a\n' },
        theirs: {
          'both.txt': edit(11, 'eleven theirs'),
          'mine.txt': 'm\n',
          'yours.txt': 'y theirs\n',
          'added-theirs.txt': 't\n',
        },
      },
      'three-way',
      counting,
    );

    expect(writes(result).map(([path]) => path)).toEqual(['added-theirs.txt', 'both.txt', 'yours.txt']);
    expect(reads.sort()).toEqual(['added-theirs.txt', 'both.txt', 'both.txt', 'both.txt', 'yours.txt']);
  });
});
