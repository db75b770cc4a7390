import { chmod, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeCommits } from '../../src/runtime/engine-merger.js';
import { GitTrees } from '../../src/sandbox/git-trees.js';
import { rejection } from '../helpers/rejection.js';
import { git, tempRepo, writeFiles } from '../helpers/temp.js';

// mergeCommits on real git: the tree merge written as a commit, by strategy.

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
  git(repo, 'commit', '-qam', name);
  return git(repo, 'rev-parse', 'HEAD');
}

async function sides() {
  const ours = await branch('ours', { 'a.txt': LINES.replace('two', 'TWO ours') });
  const theirs = await branch('theirs', { 'a.txt': LINES.replace('two', 'TWO theirs').replace('six', 'SIX theirs'), 'keep.txt': 'kept by theirs\n' });
  return { ours, theirs };
}

describe('mergeCommits', () => {
  it('three-way: commits the clean parts on top of ours and returns the conflicts', async () => {
    const { ours, theirs } = await sides();
    const merged = await mergeCommits(trees, { base, ours, theirs, strategy: 'three-way', parents: [ours, theirs], message: 'merge' });
    expect(merged.conflicts.map((conflict) => [conflict.file, conflict.kind, conflict.hunks])).toEqual([['a.txt', 'content', [{ ours: 'TWO ours\n', base: 'two\n', theirs: 'TWO theirs\n' }]]]);
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
    expect(git(repo, 'show', `${merged.commit}:a.txt`)).toBe(LINES.replace('two', line).replace('six', 'SIX theirs').trim());
  });

  it('fail-on-conflict: writes nothing and names the files', async () => {
    const { ours, theirs } = await sides();
    const objects = git(repo, 'count-objects', '-v');
    const error = await rejection(mergeCommits(trees, { base, ours, theirs, strategy: 'fail-on-conflict', parents: [ours], message: 'merge', subject: 'cannot merge demo/x-1' }));
    expect(error).toMatchObject({ code: 'MERGE_CONFLICT', message: 'cannot merge demo/x-1: 1 file conflicts (fail-on-conflict): a.txt', details: { files: ['a.txt'] } });
    expect(git(repo, 'count-objects', '-v')).toBe(objects);
  });

  it('fail-on-conflict: merges like three-way when nothing conflicts', async () => {
    const ours = await branch('ours', { 'a.txt': LINES.replace('one', 'ONE') });
    const theirs = await branch('theirs', { 'a.txt': LINES.replace('six', 'SIX') });
    const merged = await mergeCommits(trees, { base, ours, theirs, strategy: 'fail-on-conflict', parents: [ours], message: 'merge' });
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
    const merged = await mergeCommits(trees, { base, ours, theirs, strategy: 'three-way', parents: [ours, theirs], message: 'merge' });
    expect(merged.conflicts).toEqual([]);
    expect(git(repo, 'ls-tree', '-r', merged.commit)).toBe(
      [git(repo, 'ls-tree', ours, 'a.txt'), ...['bin/tool.sh', 'deep/new dir/f.txt', 'img.bin', 'link'].map((path) => git(repo, 'ls-tree', theirs, path))].join('\n'),
    );
    expect(git(repo, 'diff', '--name-status', theirs, merged.commit)).toBe('M\ta.txt');
  });
});
