import { chmod, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeCommitRound, mergeCommits } from '../../src/runtime/children/engine-merger.js';
import { GitTrees } from '../../src/sandbox/git-trees.js';
import { rejection } from '../helpers/rejection.js';
import { git, tempRepo, writeFiles } from '../helpers/temp.js';

// mergeCommits and mergeCommitRound on real git: the tree merge written as a
// commit, by strategy; a round of them, one onto the other.

let repo: string;
let cleanup: () => Promise<void>;
let trees: GitTrees;
let base: string;
const LINES = 'one\ntwo\nthree\nfour\nfive\nsix\n';

beforeEach(async () => {
  ({ dir: repo, cleanup } = await tempRepo({ 'a.txt': LINES, 'keep.txt': 'keep\n' }));
  trees = new GitTrees(repo);
  base = git(repo, 'rev-parse', 'HEAD');
});
afterEach(() => cleanup());

async function branch(name: string, files: Record<string, string>): Promise<string> {
  git(repo, 'checkout', '-q', '-b', name, base);
  await writeFiles(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', name);
  return git(repo, 'rev-parse', 'HEAD');
}

async function sides() {
  const ours = await branch('ours', { 'a.txt': LINES.replace('two', 'TWO ours') });
  const theirs = await branch('theirs', {
    'a.txt': LINES.replace('two', 'TWO theirs').replace('six', 'SIX theirs'),
    'keep.txt': 'kept by theirs\n',
  });
  return { ours, theirs };
}

describe('mergeCommits', () => {
  it('three-way: commits the clean parts on top of ours and returns the conflicts', async () => {
    const { ours, theirs } = await sides();
    const merged = await mergeCommits(trees, {
      base,
      ours,
      theirs,
      strategy: 'three-way',
      parents: [ours, theirs],
      message: 'merge',
    });
    expect(merged.conflicts.map((conflict) => [conflict.file, conflict.kind, conflict.hunks])).toEqual([
      ['a.txt', 'content', [{ ours: 'TWO ours\n', base: 'two\n', theirs: 'TWO theirs\n' }]],
    ]);
    expect(git(repo, 'rev-parse', `${merged.commit}^{tree}`)).toBe(merged.tree);
    expect(git(repo, 'log', '-1', '--format=%P', merged.commit)).toBe(`${ours} ${theirs}`);
    expect(git(repo, 'show', `${merged.commit}:keep.txt`)).toBe('kept by theirs');
    // the conflicting file stays as ours has it until it is resolved
    expect(git(repo, 'show', `${merged.commit}:a.txt`)).toBe(LINES.replace('two', 'TWO ours').trim());
  });

  it.each([
    ['ours', 'TWO ours'],
    ['theirs', 'TWO theirs'],
  ] as const)('%s: settles each conflicting hunk to that side and says so', async (strategy, line) => {
    const { ours, theirs } = await sides();
    const merged = await mergeCommits(trees, { base, ours, theirs, strategy, parents: [ours], message: 'merge' });
    expect(merged.conflicts).toEqual([]);
    expect(merged.resolved).toEqual([{ file: 'a.txt', kind: 'content', side: strategy, hunks: 1 }]);
    expect(git(repo, 'show', `${merged.commit}:a.txt`)).toBe(
      LINES.replace('two', line).replace('six', 'SIX theirs').trim(),
    );
  });

  it('fail-on-conflict: writes nothing and names the files', async () => {
    const { ours, theirs } = await sides();
    const objects = git(repo, 'count-objects', '-v');
    const error = await rejection(
      mergeCommits(trees, {
        base,
        ours,
        theirs,
        strategy: 'fail-on-conflict',
        parents: [ours],
        message: 'merge',
        subject: 'cannot merge demo/x-1',
      }),
    );
    expect(error).toMatchObject({
      code: 'MERGE_CONFLICT',
      message: 'cannot merge demo/x-1: 1 file conflicts (fail-on-conflict): a.txt',
      details: { files: ['a.txt'] },
    });
    expect(git(repo, 'count-objects', '-v')).toBe(objects);
  });

  it('fail-on-conflict: merges like three-way when nothing conflicts', async () => {
    const ours = await branch('ours', { 'a.txt': LINES.replace('one', 'ONE') });
    const theirs = await branch('theirs', { 'a.txt': LINES.replace('six', 'SIX') });
    const merged = await mergeCommits(trees, {
      base,
      ours,
      theirs,
      strategy: 'fail-on-conflict',
      parents: [ours],
      message: 'merge',
    });
    expect(git(repo, 'show', `${merged.commit}:a.txt`)).toBe(LINES.replace('one', 'ONE').replace('six', 'SIX').trim());
  });

  it('takes what only theirs changed as theirs has it: modes, binary bytes, symlinks, deletes, new directories', async () => {
    const ours = await branch('ours', { 'a.txt': LINES.replace('one', 'ONE') });
    git(repo, 'checkout', '-q', '-b', 'theirs', base);
    const bytes = Buffer.from([0, 255, 13, 10, 0x80]);
    await writeFiles(repo, { 'bin/tool.sh': '#!/bin/sh\n', 'img.bin': bytes, 'deep/new dir/f.txt': 'f\n' });
    await chmod(join(repo, 'bin/tool.sh'), 0o755);
    await symlink('keep.txt', join(repo, 'link'));
    git(repo, 'rm', '-q', 'keep.txt');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'theirs');
    const theirs = git(repo, 'rev-parse', 'HEAD');
    const merged = await mergeCommits(trees, {
      base,
      ours,
      theirs,
      strategy: 'three-way',
      parents: [ours, theirs],
      message: 'merge',
    });
    expect(merged.conflicts).toEqual([]);
    expect(git(repo, 'ls-tree', '-r', merged.commit)).toBe(
      [
        git(repo, 'ls-tree', ours, 'a.txt'),
        ...['bin/tool.sh', 'deep/new dir/f.txt', 'img.bin', 'link'].map((path) => git(repo, 'ls-tree', theirs, path)),
      ].join('\n'),
    );
    expect(git(repo, 'diff', '--name-status', theirs, merged.commit)).toBe('M\ta.txt');
  });
});

describe('mergeCommitRound', () => {
  const request = (theirs: string, from = base) => ({
    base: from,
    theirs,
    message: `merge ${theirs.slice(0, 7)}`,
    subject: `cannot merge ${theirs.slice(0, 7)}`,
  });

  it('children that touch separate files: one commit each onto the one before, the trees mergeCommits makes one by one', async () => {
    const ours = await branch('ours', { 'ours.txt': 'ours\n' });
    const first = await branch('first', { 'one/f.txt': 'first\n' });
    git(repo, 'checkout', '-q', '-b', 'second', base);
    git(repo, 'rm', '-q', 'keep.txt');
    await writeFiles(repo, { 'two.bin': Buffer.from([0, 255, 1]) });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'second');
    const second = git(repo, 'rev-parse', 'HEAD');
    const third = await branch('third', { 'a.txt': LINES.replace('six', 'SIX') });

    const round = await mergeCommitRound(trees, {
      ours,
      strategy: 'three-way',
      merges: [request(first), request(second), request(third)],
    });
    expect(round.stopped).toBeUndefined();
    expect(round.merged.map((merge) => merge.files)).toEqual([['one/f.txt'], ['keep.txt', 'two.bin'], ['a.txt']]);
    expect(round.merged.every((merge) => merge.resolved.length === 0)).toBe(true);
    // the same commits as merging one after another: parents, trees
    let head = ours;
    for (const [index, theirs] of [first, second, third].entries()) {
      const commit = round.merged[index]!.commit;
      expect(git(repo, 'log', '-1', '--format=%P', commit)).toBe(`${head} ${theirs}`);
      const one = await mergeCommits(trees, {
        base,
        ours: head,
        theirs,
        strategy: 'three-way',
        parents: [head, theirs],
        message: 'merge',
      });
      expect(git(repo, 'rev-parse', `${commit}^{tree}`)).toBe(one.tree);
      head = commit;
    }
    expect(git(repo, 'ls-tree', '-r', '--name-only', head)).toBe(
      ['a.txt', 'one/f.txt', 'ours.txt', 'two.bin'].join('\n'),
    );
  });

  it('a child that changes what one before it in the round changed goes through the engine, and the round goes on', async () => {
    const first = await branch('first', { 'a.txt': LINES.replace('one', 'ONE') });
    const second = await branch('second', { 'a.txt': LINES.replace('six', 'SIX') });
    const third = await branch('third', { 'c.txt': 'c\n' });
    const round = await mergeCommitRound(trees, {
      ours: base,
      strategy: 'three-way',
      merges: [request(first), request(second), request(third)],
    });
    expect(round.stopped).toBeUndefined();
    const head = round.merged.at(-1)!.commit;
    expect(git(repo, 'show', `${head}:a.txt`)).toBe(LINES.replace('one', 'ONE').replace('six', 'SIX').trim());
    expect(git(repo, 'show', `${head}:c.txt`)).toBe('c');
    expect(git(repo, 'log', '-1', '--format=%P', round.merged[1]!.commit)).toBe(`${round.merged[0]!.commit} ${second}`);
  });

  it('each child from its own base (dependency-ordered): ours changed since that base counts', async () => {
    const ours = await branch('ours', { 'a.txt': LINES.replace('one', 'ONE ours') });
    const later = await branch('later', { 'b.txt': 'b\n' });
    // a child that branched from `later` and changes a.txt where ours did not
    git(repo, 'checkout', '-q', '-b', 'child', later);
    await writeFiles(repo, { 'a.txt': LINES.replace('six', 'SIX child') });
    git(repo, 'commit', '-qam', 'child');
    const child = git(repo, 'rev-parse', 'HEAD');
    const round = await mergeCommitRound(trees, {
      ours,
      strategy: 'three-way',
      merges: [request(later), request(child, later)],
    });
    expect(round.stopped).toBeUndefined();
    expect(round.merged.map((merge) => merge.files)).toEqual([['b.txt'], ['a.txt']]);
    const head = round.merged.at(-1)!.commit;
    expect(git(repo, 'show', `${head}:a.txt`)).toBe(
      LINES.replace('one', 'ONE ours').replace('six', 'SIX child').trim(),
    );
    expect(git(repo, 'show', `${head}:b.txt`)).toBe('b');
  });

  it('stops at a child whose merge conflicts: what merged before it stays, its conflicts come back onto the last merge', async () => {
    const first = await branch('first', { 'f.txt': 'f\n' });
    const { ours, theirs } = await sides();
    const after = await branch('after', { 'z.txt': 'z\n' });
    const round = await mergeCommitRound(trees, {
      ours,
      strategy: 'three-way',
      merges: [request(first), request(theirs), request(after)],
    });
    expect(round.merged.map((merge) => merge.files)).toEqual([['f.txt']]);
    expect(round.stopped).toMatchObject({
      index: 1,
      conflicts: [expect.objectContaining({ file: 'a.txt', kind: 'content' })],
    });
    const clean = (round.stopped as { clean: string }).clean;
    expect(git(repo, 'log', '-1', '--format=%P', clean)).toBe(`${round.merged[0]!.commit} ${theirs}`);
    expect(git(repo, 'show', `${clean}:keep.txt`)).toBe('kept by theirs');
  });

  it('fail-on-conflict: the child that conflicts stops the round with MERGE_CONFLICT naming the files', async () => {
    const first = await branch('first', { 'f.txt': 'f\n' });
    const { ours, theirs } = await sides();
    const round = await mergeCommitRound(trees, {
      ours,
      strategy: 'fail-on-conflict',
      merges: [request(first), request(theirs)],
    });
    expect(round.merged).toHaveLength(1);
    expect(round.stopped).toMatchObject({ index: 1, error: { code: 'MERGE_CONFLICT', details: { files: ['a.txt'] } } });
  });
});
