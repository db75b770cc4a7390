import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mergeTrees } from '../../src/merge/tree-merge.js';
import { mergeCommitRound, mergeCommits } from '../../src/runtime/children/engine-merger.js';
import { GIT_ENV } from '../helpers/temp.js';
import { referenceRepo, treeFiles, type FixtureTree, type ReferenceRepo } from './merge-tree-reference.js';
import { UTIL, editedUtil, renamedUtil } from './rename-fixtures.js';

// Merges that follow a file across a rename, on real git: what lands where,
// the conflicts rename/rename and rename/delete leave, what a strategy
// settles, and when rename detection runs at all.

const NOTES = Array.from({ length: 10 }, (_, at) => `note ${at + 1}`).join('\n') + '\n';
const open: ReferenceRepo[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((repo) => repo.cleanup()));
  vi.restoreAllMocks();
});

async function repoOf(base: FixtureTree, ours: FixtureTree, theirs: FixtureTree): Promise<ReferenceRepo> {
  const repo = await referenceRepo({ base, ours, theirs });
  open.push(repo);
  return repo;
}

async function merged(repo: ReferenceRepo, strategy: 'three-way' | 'ours' | 'theirs' = 'three-way') {
  const result = await mergeCommits(repo.trees, {
    base: repo.base,
    ours: repo.ours,
    theirs: repo.theirs,
    strategy,
    parents: [repo.ours, repo.theirs],
    message: 'merge',
  });
  const files = Object.fromEntries(
    Object.entries(treeFiles(repo.dir, result.tree)).map(([path, entry]) => [path, entry.content]),
  );
  return { ...result, files };
}

describe('rename + edit', () => {
  it('merges theirs edit into the file ours renamed at 54 % similarity, and the old path is gone', async () => {
    const repo = await repoOf(
      { 'src/util.js': UTIL },
      { 'src/helpers.js': renamedUtil() },
      { 'src/util.js': editedUtil() },
    );

    const result = await merged(repo);

    expect(result.conflicts).toEqual([]);
    expect(result.files).toEqual({ 'src/helpers.js': renamedUtil(editedUtil()) });
  });

  it('merges ours edit into the path theirs renamed the file to, and removes the old path', async () => {
    const repo = await repoOf(
      { 'src/util.js': UTIL, 'keep.txt': 'k\n' },
      { 'src/util.js': editedUtil(), 'keep.txt': 'k\n' },
      { 'src/helpers.js': renamedUtil(), 'keep.txt': 'k\n' },
    );

    const result = await mergeTrees({ base: repo.base, ours: repo.ours, theirs: repo.theirs, reader: repo.trees });

    expect(result.conflicts).toEqual([]);
    expect(
      result.writes.map((write) => [write.path, write.file && Buffer.from(write.file.content).toString('utf8')]),
    ).toEqual([
      ['src/helpers.js', renamedUtil(editedUtil())],
      ['src/util.js', null],
    ]);
  });

  it('merges both edits when both sides renamed the file to the same path', async () => {
    const repo = await repoOf(
      { 'a.txt': NOTES },
      { 'b.txt': NOTES.replace('note 2\n', 'note two\n') },
      { 'b.txt': NOTES.replace('note 9\n', 'note nine\n') },
    );

    expect((await merged(repo)).files).toEqual({
      'b.txt': NOTES.replace('note 2\n', 'note two\n').replace('note 9\n', 'note nine\n'),
    });
  });

  it('reports overlapping edits as a content conflict at the new path, saying where each side has the file', async () => {
    const repo = await repoOf(
      { 'a.txt': NOTES },
      { 'a.txt': NOTES.replace('note 2\n', 'note two (ours)\n') },
      { 'b.txt': NOTES.replace('note 2\n', 'note two (theirs)\n') },
    );

    const result = await merged(repo);

    expect(result.conflicts).toMatchObject([
      {
        file: 'b.txt',
        kind: 'content',
        hunks: [{ ours: 'note two (ours)\n', base: 'note 2\n', theirs: 'note two (theirs)\n' }],
        paths: { base: 'a.txt', ours: 'a.txt', theirs: 'b.txt' },
      },
    ]);
    // until it is resolved the file stays as ours has it
    expect(result.files).toEqual({ 'a.txt': NOTES.replace('note 2\n', 'note two (ours)\n') });
  });

  it('does not follow a pair less than 50 % similar: like git, a modify/delete', async () => {
    const rewritten = NOTES.split('\n')
      .map((line, at) => (at < 6 ? `rewritten ${at}` : line))
      .join('\n');
    const repo = await repoOf(
      { 'a.txt': NOTES },
      { 'b.txt': rewritten },
      { 'a.txt': NOTES.replace('note 9\n', 'note nine\n') },
    );

    expect((await merged(repo)).conflicts).toMatchObject([{ file: 'a.txt', kind: 'modify-delete' }]);
  });

  it('does not follow a rename onto a path the other side added: the paths merge one by one', async () => {
    const repo = await repoOf(
      { 'a.txt': NOTES },
      { 'b.txt': NOTES.replace('note 1\n', 'note one\n') },
      { 'a.txt': NOTES.replace('note 9\n', 'note nine\n'), 'b.txt': 'theirs own b\n' },
    );

    expect((await merged(repo)).conflicts.map((conflict) => [conflict.file, conflict.kind])).toEqual([
      ['a.txt', 'modify-delete'],
      ['b.txt', 'add-add'],
    ]);
  });

  it('leaves a file added in a folder the other side renamed where it was added (no directory renames, unlike git)', async () => {
    const repo = await repoOf(
      { 'lib/a.txt': NOTES },
      { 'src/a.txt': NOTES },
      { 'lib/a.txt': NOTES, 'lib/new.txt': 'new\n' },
    );

    const result = await merged(repo);

    expect(result.conflicts).toEqual([]);
    expect(result.files).toEqual({ 'src/a.txt': NOTES, 'lib/new.txt': 'new\n' });
  });

  it('follows renames with git’s own rule whatever the repository configures', async () => {
    // two inexact renames: a rename limit of 1 in the repository's config would make git skip both
    const other = NOTES.replaceAll('note', 'item');
    const repo = await repoOf(
      { 'a.txt': NOTES, 'x.txt': other },
      { 'b.txt': NOTES.replace('note 1\n', 'note one\n'), 'y.txt': other.replace('item 1\n', 'item one\n') },
      { 'a.txt': NOTES.replace('note 9\n', 'note nine\n'), 'x.txt': other.replace('item 9\n', 'item nine\n') },
    );
    for (const [key, value] of [
      ['diff.renameLimit', '1'],
      ['diff.renames', 'false'],
      ['merge.renames', 'false'],
    ]) {
      execFileSync('git', ['config', key!, value!], { cwd: repo.dir, env: GIT_ENV });
    }

    expect((await merged(repo)).files).toEqual({
      'b.txt': NOTES.replace('note 1\n', 'note one\n').replace('note 9\n', 'note nine\n'),
      'y.txt': other.replace('item 1\n', 'item one\n').replace('item 9\n', 'item nine\n'),
    });
  });
});

describe('GitTrees.renames', () => {
  it('pairs each side’s renames against base, from commit ids in one process or from any revision', async () => {
    const repo = await repoOf(
      { 'a.txt': NOTES, 'x.txt': 'x\n' },
      { 'b.txt': NOTES, 'x.txt': 'x\n' },
      { 'a.txt': NOTES, 'y.txt': 'x\n' },
    );

    const byId = await repo.trees.renames(repo.base, [repo.ours, repo.theirs]);
    const byRevision = await repo.trees.renames(`${repo.base}^0`, [`${repo.ours}^0`, `${repo.theirs}^0`]);

    expect(byId).toEqual([[{ from: 'a.txt', to: 'b.txt' }], [{ from: 'x.txt', to: 'y.txt' }]]);
    expect(byRevision).toEqual(byId);
  });
});

describe('rename/rename and rename/delete', () => {
  const renamedApart = () =>
    repoOf(
      { 'a.txt': NOTES },
      { 'b.txt': NOTES.replace('note 2\n', 'note two\n') },
      { 'c.txt': NOTES.replace('note 9\n', 'note nine\n') },
    );
  const bothEdits = NOTES.replace('note 2\n', 'note two\n').replace('note 9\n', 'note nine\n');

  it('rename/rename to different paths: a conflict at ours’ path naming both, with the merged content to edit; theirs’ path is not written', async () => {
    const repo = await renamedApart();

    const result = await merged(repo);

    expect(result.conflicts).toEqual([
      {
        file: 'b.txt',
        kind: 'rename-rename',
        hunks: [],
        content: new TextEncoder().encode(bothEdits),
        paths: { base: 'a.txt', ours: 'b.txt', theirs: 'c.txt' },
      },
    ]);
    expect(result.files).toEqual({ 'b.txt': NOTES.replace('note 2\n', 'note two\n') });
  });

  it.each([
    ['ours', { 'b.txt': bothEdits }],
    ['theirs', { 'c.txt': bothEdits }],
  ] as const)(
    'rename/rename settled to %s: that side’s path holds the merged content, no other copy',
    async (strategy, files) => {
      const repo = await renamedApart();

      const result = await merged(repo, strategy);

      expect(result.resolved).toEqual([{ file: 'b.txt', kind: 'rename-rename', side: strategy, hunks: 1 }]);
      expect(result.files).toEqual(files);
    },
  );

  it('rename/delete: a conflict at the renamed path with the whole file, ours kept until resolved', async () => {
    const repo = await repoOf(
      { 'a.txt': NOTES, 'z.txt': 'z\n' },
      { 'b.txt': NOTES, 'z.txt': 'z\n' },
      { 'z.txt': 'z theirs\n' },
    );

    const result = await merged(repo);

    expect(result.conflicts).toEqual([
      {
        file: 'b.txt',
        kind: 'rename-delete',
        hunks: [{ ours: NOTES, base: NOTES, theirs: null }],
        content: null,
        paths: { base: 'a.txt', ours: 'b.txt', theirs: null },
      },
    ]);
    expect(result.files).toEqual({ 'b.txt': NOTES, 'z.txt': 'z theirs\n' });
  });

  it.each([
    ['ours', {}],
    ['theirs', { 'c.txt': NOTES.replace('note 9\n', 'note nine\n') }],
  ] as const)('delete/rename settled to %s: the renamed file comes only with theirs', async (strategy, files) => {
    const repo = await repoOf({ 'a.txt': NOTES }, {}, { 'c.txt': NOTES.replace('note 9\n', 'note nine\n') });

    const result = await merged(repo, strategy);

    expect(result.resolved).toEqual([{ file: 'c.txt', kind: 'rename-delete', side: strategy, hunks: 1 }]);
    expect(result.files).toEqual(files);
  });

  it('rename/delete settled to theirs deletes ours’ renamed file', async () => {
    const repo = await repoOf({ 'a.txt': NOTES }, { 'b.txt': NOTES }, {});

    expect((await merged(repo, 'theirs')).files).toEqual({});
  });

  it('fail-on-conflict names the renamed path', async () => {
    const repo = await renamedApart();

    await expect(
      mergeCommits(repo.trees, {
        base: repo.base,
        ours: repo.ours,
        theirs: repo.theirs,
        strategy: 'fail-on-conflict',
        parents: [repo.ours],
        message: 'merge',
      }),
    ).rejects.toMatchObject({
      code: 'MERGE_CONFLICT',
      details: { files: ['b.txt'], conflicts: [{ file: 'b.txt', kind: 'rename-rename' }] },
    });
  });
});

describe('cost', () => {
  it('runs no rename detection when no side deleted a path the other changed', async () => {
    const repo = await repoOf(
      { 'a.txt': NOTES, 'b.txt': 'b\n' },
      { 'a.txt': NOTES.replace('note 1\n', 'note one\n'), 'b.txt': 'b\n' },
      { 'a.txt': NOTES.replace('note 9\n', 'note nine\n'), 'c.txt': 'b\n' },
    );
    const renames = vi.spyOn(repo.trees, 'renames');

    const result = await merged(repo);
    const round = await mergeCommitRound(repo.trees, {
      ours: repo.ours,
      strategy: 'three-way',
      merges: [{ base: repo.base, theirs: repo.theirs, message: 'm', subject: 's' }],
    });

    expect(result.files).toEqual({
      'a.txt': NOTES.replace('note 1\n', 'note one\n').replace('note 9\n', 'note nine\n'),
      'c.txt': 'b\n',
    });
    expect(round.stopped).toBeUndefined();
    expect(renames).not.toHaveBeenCalled();
  });

  it('follows a rename in a round of children when an earlier child edited the file', async () => {
    const repo = await repoOf(
      { 'a.txt': NOTES },
      { 'a.txt': NOTES.replace('note 2\n', 'note two\n') },
      { 'b.txt': NOTES.replace('note 9\n', 'note nine\n') },
    );
    const round = await mergeCommitRound(repo.trees, {
      ours: repo.base,
      strategy: 'three-way',
      merges: [
        { base: repo.base, theirs: repo.ours, message: 'edit', subject: 's' },
        { base: repo.base, theirs: repo.theirs, message: 'rename', subject: 's' },
      ],
    });

    expect(round.stopped).toBeUndefined();
    const last = round.merged.at(-1)!.commit;
    expect(
      Object.fromEntries(Object.entries(treeFiles(repo.dir, last)).map(([path, entry]) => [path, entry.content])),
    ).toEqual({ 'b.txt': NOTES.replace('note 2\n', 'note two\n').replace('note 9\n', 'note nine\n') });
  });
});
