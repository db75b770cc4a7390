import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitTrees } from '../../src/sandbox/git-trees.js';
import { git, tempRepo, writeFiles } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';

let repo: string;
let cleanup: () => Promise<void>;
let trees: GitTrees;
let base: string;

// every byte value, a NUL, and a CR/LF mix: what a text-only path would mangle
const BINARY = Buffer.from([0, 1, 2, 13, 10, 255, 254, 0x80, 0xc3, 0x28, ...Array.from({ length: 256 }, (_, i) => i)]);

beforeEach(async () => {
  ({ dir: repo, cleanup } = await tempRepo({
    'README.md': '# test\n',
    'src/a.txt': 'one\r\ntwo\r\n',
    'img.bin': BINARY,
    'odd name!.txt': 'x',
  }));
  await chmod(join(repo, 'README.md'), 0o644);
  trees = new GitTrees(repo);
  base = git(repo, 'rev-parse', 'HEAD');
});
afterEach(() => cleanup());

async function commit(files: Record<string, string | Buffer>, remove: string[] = []): Promise<string> {
  await writeFiles(repo, files);
  for (const path of remove) git(repo, 'rm', '-q', '--', path);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'change');
  return git(repo, 'rev-parse', 'HEAD');
}

describe('GitTrees', () => {
  it('reads a file of a commit as its exact bytes and mode, and null where there is none', async () => {
    expect(await trees.readFile(base, 'img.bin')).toEqual({ mode: '100644', content: new Uint8Array(BINARY) });
    expect(Buffer.from((await trees.readFile(base, 'src/a.txt'))!.content).toString('utf8')).toBe('one\r\ntwo\r\n');
    expect(await trees.readFile(base, 'odd name!.txt')).toMatchObject({ content: new Uint8Array(Buffer.from('x')) });
    expect(await trees.readFile(base, 'missing.txt')).toBeNull();
    expect(await trees.readFile(base, 'src/a')).toBeNull();
  });

  it('reads a directory as one (mode 040000, no bytes) and a submodule as the commit it points at, never read', async () => {
    expect(await trees.readFile(base, 'src')).toEqual({ mode: '040000', content: new Uint8Array() });
    git(repo, 'update-index', '--add', '--cacheinfo', `160000,${'5'.repeat(40)},vendor`);
    git(repo, 'commit', '-q', '-m', 'submodule');
    const withSubmodule = git(repo, 'rev-parse', 'HEAD');
    expect(await trees.readFile(withSubmodule, 'vendor')).toEqual({
      mode: '160000',
      content: new TextEncoder().encode('5'.repeat(40)),
    });
    // written back, a pointer is the commit again, not a blob of its id
    const moved = await trees.writeCommit({
      onto: withSubmodule,
      writes: [{ path: 'vendor', file: { mode: '160000', content: new TextEncoder().encode('6'.repeat(40)) } }],
      parents: [withSubmodule],
      message: 'move',
    });
    expect(git(repo, 'ls-tree', moved, 'vendor')).toBe(`160000 commit ${'6'.repeat(40)}\tvendor`);
  });

  it('lists the paths that differ between two commits, renames as delete + add', async () => {
    git(repo, 'mv', 'src/a.txt', 'src/b.txt');
    const head = await commit({ 'new.txt': 'n\n' }, ['README.md']);
    expect(await trees.changedPaths(base, head)).toEqual(['README.md', 'new.txt', 'src/a.txt', 'src/b.txt']);
    expect(await trees.changedPaths(head, head)).toEqual([]);
  });

  it('writes a commit of another tree plus the writes, touching no working tree, index or branch', async () => {
    const statusBefore = git(repo, 'status', '--porcelain');
    const made = await trees.writeCommit({
      onto: base,
      writes: [
        { path: 'img.bin', file: { mode: '100644', content: new Uint8Array(Buffer.concat([BINARY, BINARY])) } },
        { path: 'tool.sh', file: { mode: '100755', content: new Uint8Array(Buffer.from('#!/bin/sh\necho hi\n')) } },
        { path: 'deep/new dir/f.txt', file: { mode: '100644', content: new Uint8Array(Buffer.from('f')) } },
        { path: 'README.md', file: null },
      ],
      parents: [base],
      message: 'merged',
    });

    expect(git(repo, 'rev-parse', 'HEAD')).toBe(base);
    expect(git(repo, 'status', '--porcelain')).toBe(statusBefore);
    expect(git(repo, 'rev-parse', `${made}^`)).toBe(base);
    expect(git(repo, 'log', '-1', '--format=%an <%ae>|%s', made)).toBe('troupe <troupe@localhost>|merged');
    expect(await trees.changedPaths(base, made)).toEqual(['README.md', 'deep/new dir/f.txt', 'img.bin', 'tool.sh']);
    expect(Buffer.from((await trees.readFile(made, 'img.bin'))!.content).equals(Buffer.concat([BINARY, BINARY]))).toBe(
      true,
    );
    expect((await trees.readFile(made, 'tool.sh'))?.mode).toBe('100755');
    expect(await trees.readFile(made, 'README.md')).toBeNull();
    expect(Buffer.from((await trees.readFile(made, 'src/a.txt'))!.content).toString('utf8')).toBe('one\r\ntwo\r\n');
  });

  it('makes a merge commit with two parents', async () => {
    const ours = await commit({ 'ours.txt': 'o\n' });
    git(repo, 'checkout', '-q', '-b', 'other', base);
    const theirs = await commit({ 'theirs.txt': 't\n' });
    const made = await trees.writeCommit({
      onto: ours,
      writes: [{ path: 'theirs.txt', file: { mode: '100644', content: new Uint8Array(Buffer.from('t\n')) } }],
      parents: [ours, theirs],
      message: 'merge',
    });
    expect(git(repo, 'log', '-1', '--format=%P', made)).toBe(`${ours} ${theirs}`);
    expect(await trees.changedPaths(base, made)).toEqual(['ours.txt', 'theirs.txt']);
  });

  it('lists the changes from one commit to several in one answer, as one call each would', async () => {
    const ours = await commit({ 'ours.txt': 'o\n', ':odd': 'a path that starts with a colon\n' }, ['README.md']);
    git(repo, 'checkout', '-q', '-b', 'other', base);
    const theirs = await commit({ 'src/a.txt': 'changed\n', [base]: 'a path that looks like a commit id\n' });
    git(repo, 'merge', '-q', '--no-edit', ours);
    const merged = git(repo, 'rev-parse', 'HEAD');

    const targets = [ours, base, theirs, merged, ours];
    const together = await trees.changesFrom(base, targets);

    expect(together).toEqual(await Promise.all(targets.map((target) => trees.changes(base, target))));
    expect(together[1]).toEqual([]);
    expect(together[2]!.map((change) => change.path).sort()).toEqual([base, 'src/a.txt'].sort());
  });

  it('writes the tree of a merge no path of which changed on both sides, as the tree built from theirs changes', async () => {
    await chmod(join(repo, 'README.md'), 0o644);
    const ours = await commit({ 'ours/deep/o.txt': 'o\n', 'src/a.txt': 'ours\n' }, ['odd name!.txt']);
    git(repo, 'checkout', '-q', '-b', 'other', base);
    await chmod(join(repo, 'README.md'), 0o755);
    const theirs = await commit({ 'theirs/t.txt': 't\n', 'img.bin': Buffer.concat([BINARY, BINARY]) });
    const [oursChanges = [], theirsChanges = []] = await trees.changesFrom(base, [ours, theirs]);
    expect(oursChanges.filter((change) => theirsChanges.some((other) => other.path === change.path))).toEqual([]);

    const tree = await trees.mergedTree(base, ours, theirs);

    expect(tree).toBe(await trees.writeTree(ours, [], theirsChanges));
  });

  it('writes no tree when git leaves a path unmerged', async () => {
    const ours = await commit({ 'both.txt': 'ours\n' });
    git(repo, 'checkout', '-q', '-b', 'other', base);
    const theirs = await commit({ 'both.txt': 'theirs\n' });

    expect(await trees.mergedTree(base, ours, theirs)).toBeNull();
  });

  it('refuses a revision that would read as an option', async () => {
    expect((await rejection(trees.changedPaths('--output=/tmp/x', base))).code).toBe('VALIDATION_ERROR');
  });
});
