import { chmod, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeTrees, type TreeMergeResult } from '../../src/merge/tree-merge.js';
import { GitTrees } from '../../src/sandbox/git-trees.js';
import { git, tempRepo, writeFiles } from '../helpers/temp.js';

// The tree merge over real git commits: a base, two branches, the engine per file.

let repo: string;
let cleanup: () => Promise<void>;
let trees: GitTrees;
let base: string;

const LINES = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

beforeEach(async () => {
  ({ dir: repo, cleanup } = await tempRepo({
    'a.txt': LINES,
    'b.txt': 'b\n',
    'gone.txt': 'gone\n',
    'conf.json': '{\n  "name": "x",\n  "port": 1\n}\n',
    'img.bin': Buffer.from([0, 1, 2]),
  }));
  trees = new GitTrees(repo);
  base = git(repo, 'rev-parse', 'HEAD');
});
afterEach(() => cleanup());

/** Commit `files` (and removals) on a new branch from base; the commit id. */
async function branch(name: string, files: Record<string, string | Buffer>, remove: string[] = []): Promise<string> {
  git(repo, 'checkout', '-q', '-b', name, base);
  await writeFiles(repo, files);
  for (const path of remove) git(repo, 'rm', '-q', '--', path);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '--allow-empty', '-m', name);
  return git(repo, 'rev-parse', 'HEAD');
}

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : null);

function writesOf(result: TreeMergeResult): Record<string, string | null> {
  return Object.fromEntries(result.writes.map((write) => [write.path, write.file ? text(write.file.content) : null]));
}

describe('mergeTrees', () => {
  it('takes what only one side changed and merges what both changed, line by line', async () => {
    const ours = await branch('ours', { 'a.txt': LINES.replace('line 2\n', 'line 2 ours\n'), 'ours-only.txt': 'o\n' });
    const theirs = await branch(
      'theirs',
      { 'a.txt': LINES.replace('line 11\n', 'line 11 theirs\n'), 'b.txt': 'b theirs\n', 'new.txt': 'n\n' },
      ['gone.txt'],
    );

    const result = await mergeTrees({ base, ours, theirs, reader: trees });

    expect(result.conflicts).toEqual([]);
    expect(writesOf(result)).toEqual({
      'a.txt': LINES.replace('line 2\n', 'line 2 ours\n').replace('line 11\n', 'line 11 theirs\n'),
      'b.txt': 'b theirs\n',
      'gone.txt': null,
      'new.txt': 'n\n',
    });
    // the writes on top of ours make a commit holding both sides' work
    const merged = await trees.writeCommit({
      onto: ours,
      writes: result.writes,
      parents: [ours, theirs],
      message: 'merge',
    });
    expect(text((await trees.readFile(merged, 'ours-only.txt'))?.content)).toBe('o\n');
    expect(await trees.readFile(merged, 'gone.txt')).toBeNull();
  });

  it('surfaces overlapping edits, modify/delete and binary conflicts, and writes none of them', async () => {
    const ours = await branch('ours', {
      'a.txt': LINES.replace('line 5\n', 'five ours\n'),
      'b.txt': 'b ours\n',
      'img.bin': Buffer.from([0, 9]),
    });
    const theirs = await branch(
      'theirs',
      { 'a.txt': LINES.replace('line 5\n', 'five theirs\n'), 'img.bin': Buffer.from([0, 8]) },
      ['b.txt'],
    );

    const result = await mergeTrees({ base, ours, theirs, reader: trees });

    expect(result.writes).toEqual([]);
    expect(result.conflicts.map((conflict) => [conflict.file, conflict.kind])).toEqual([
      ['a.txt', 'content'],
      ['b.txt', 'modify-delete'],
      ['img.bin', 'binary'],
    ]);
    const [content] = result.conflicts;
    expect(content?.hunks).toEqual([{ ours: 'five ours\n', base: 'line 5\n', theirs: 'five theirs\n' }]);
    expect(text(content?.content)).toContain('<<<<<<< ours\nfive ours\n');
  });

  it('resolves every conflict to one side with the ours or theirs strategy, and says what it resolved', async () => {
    const ours = await branch('ours', { 'a.txt': LINES.replace('line 5\n', 'five ours\n') });
    const theirs = await branch('theirs', {
      'a.txt': LINES.replace('line 5\n', 'five theirs\n').replace('line 12\n', 'twelve theirs\n'),
    });

    const toTheirs = await mergeTrees({ base, ours, theirs, reader: trees, strategy: 'theirs' });
    expect(toTheirs.conflicts).toEqual([]);
    expect(writesOf(toTheirs)['a.txt']).toBe(
      LINES.replace('line 5\n', 'five theirs\n').replace('line 12\n', 'twelve theirs\n'),
    );
    expect(toTheirs.resolved).toEqual([{ file: 'a.txt', kind: 'content', side: 'theirs', hunks: 1 }]);

    const toOurs = await mergeTrees({ base, ours, theirs, reader: trees, strategy: 'ours' });
    // the clean part of theirs still comes in
    expect(writesOf(toOurs)['a.txt']).toBe(
      LINES.replace('line 5\n', 'five ours\n').replace('line 12\n', 'twelve theirs\n'),
    );
    expect(toOurs.resolved).toEqual([{ file: 'a.txt', kind: 'content', side: 'ours', hunks: 1 }]);
  });

  it('merges JSON by key, and writes nothing for a file both sides changed alike', async () => {
    const ours = await branch('ours', { 'conf.json': '{\n  "name": "y",\n  "port": 1\n}\n', 'b.txt': 'same\n' });
    const theirs = await branch('theirs', {
      'conf.json': '{\n  "name": "x",\n  "port": 2,\n  "debug": true\n}\n',
      'b.txt': 'same\n',
    });

    const result = await mergeTrees({ base, ours, theirs, reader: trees });

    expect(result.conflicts).toEqual([]);
    expect(writesOf(result)).toEqual({ 'conf.json': '{\n  "name": "y",\n  "port": 2,\n  "debug": true\n}\n' });
  });

  it('keeps the executable bit one side set', async () => {
    const ours = await branch('ours', { 'a.txt': LINES.replace('line 1\n', 'one\n') });
    git(repo, 'checkout', '-q', '-b', 'theirs', base);
    git(repo, 'update-index', '--chmod=+x', 'a.txt');
    git(repo, 'commit', '-q', '-m', 'exec');
    const theirs = git(repo, 'rev-parse', 'HEAD');

    const result = await mergeTrees({ base, ours, theirs, reader: trees });
    expect(result.writes.map((write) => [write.path, write.file?.mode])).toEqual([['a.txt', '100755']]);
  });

  it('keeps the executable bit ours set while merging in what theirs changed', async () => {
    git(repo, 'checkout', '-q', '-b', 'ours', base);
    await chmod(join(repo, 'a.txt'), 0o755);
    git(repo, 'commit', '-qam', 'exec');
    const ours = git(repo, 'rev-parse', 'HEAD');
    const theirs = await branch('theirs', { 'a.txt': LINES.replace('line 12\n', 'twelve\n') });

    const result = await mergeTrees({ base, ours, theirs, reader: trees });
    expect(result.writes.map((write) => [write.path, write.file?.mode, text(write.file?.content)])).toEqual([
      ['a.txt', '100755', LINES.replace('line 12\n', 'twelve\n')],
    ]);
  });

  it('takes the mode of the side a strategy chooses when both sides changed it differently', async () => {
    // from a symlink, ours makes a plain file and theirs an executable one
    await symlink('a.txt', join(repo, 'tool'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'link');
    const linked = git(repo, 'rev-parse', 'HEAD');
    const replace = async (name: string, content: string, mode: number) => {
      git(repo, 'checkout', '-q', '-b', name, linked);
      git(repo, 'rm', '-q', 'tool');
      await writeFiles(repo, { tool: content });
      await chmod(join(repo, 'tool'), mode);
      git(repo, 'add', '-A');
      git(repo, 'commit', '-qm', name);
      return git(repo, 'rev-parse', 'HEAD');
    };
    const ours = await replace('ours', 'ours\n', 0o644);
    const theirs = await replace('theirs', 'theirs\n', 0o755);

    const toTheirs = await mergeTrees({ base: linked, ours, theirs, reader: trees, strategy: 'theirs' });
    expect(toTheirs.writes.map((write) => [write.path, write.file?.mode, text(write.file?.content)])).toEqual([
      ['tool', '100755', 'theirs\n'],
    ]);
    const toOurs = await mergeTrees({ base: linked, ours, theirs, reader: trees, strategy: 'ours' });
    expect(toOurs.writes).toEqual([]);
    // the content and the modes each conflicted: two hunks settled
    expect(toOurs.resolved).toEqual([{ file: 'tool', kind: 'content', side: 'ours', hunks: 2 }]);
  });

  it('keeps a file a file when the ours strategy settles it against theirs turning it into a symlink', async () => {
    const ours = await branch('ours', { 'b.txt': 'b ours\n' });
    git(repo, 'checkout', '-q', '-b', 'theirs', base);
    git(repo, 'rm', '-q', 'b.txt');
    await symlink('a.txt', join(repo, 'b.txt'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'theirs');
    const theirs = git(repo, 'rev-parse', 'HEAD');

    // ours' content in a symlink would point at a file named "b ours\n"
    const toOurs = await mergeTrees({ base, ours, theirs, reader: trees, strategy: 'ours' });
    expect(toOurs.writes).toEqual([]);
    expect(toOurs.resolved).toEqual([{ file: 'b.txt', kind: 'distinct-types', side: 'ours', hunks: 1 }]);
    const toTheirs = await mergeTrees({ base, ours, theirs, reader: trees, strategy: 'theirs' });
    expect(toTheirs.writes.map((write) => [write.path, write.file?.mode, text(write.file?.content)])).toEqual([
      ['b.txt', '120000', 'a.txt'],
    ]);
  });

  it('turns a file into the directory only theirs made of it: the file goes, the files under it come', async () => {
    const ours = await branch('ours', { 'a.txt': LINES.replace('line 1\n', 'one\n') });
    git(repo, 'checkout', '-q', '-b', 'theirs', base);
    git(repo, 'rm', '-q', 'b.txt');
    await writeFiles(repo, { 'b.txt/inner.txt': 'inner\n' });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'theirs');
    const theirs = git(repo, 'rev-parse', 'HEAD');

    const result = await mergeTrees({ base, ours, theirs, reader: trees });
    expect(result.conflicts).toEqual([]);
    expect(writesOf(result)).toEqual({ 'b.txt': null, 'b.txt/inner.txt': 'inner\n' });
    const merged = await trees.writeCommit({
      onto: ours,
      writes: result.writes,
      parents: [ours, theirs],
      message: 'merge',
    });
    expect(await trees.readFile(merged, 'b.txt')).toEqual({ mode: '040000', content: new Uint8Array() });
    expect(text((await trees.readFile(merged, 'b.txt/inner.txt'))?.content)).toBe('inner\n');
  });
});

describe('mergeTrees: the order of its answer', () => {
  it('lists writes and conflicts in path order, those of renamed files among the rest', async () => {
    // ours renames gone.txt (theirs edits it) and conf.json (theirs deletes it): their merges come first, then the rest
    const ours = await branch(
      'ours',
      {
        'z-gone.txt': 'gone\n',
        'a.txt': LINES.replace('line 5\n', 'line 5 ours\n'),
        'y.json': '{\n  "name": "x",\n  "port": 1\n}\n',
      },
      ['gone.txt', 'conf.json'],
    );
    const theirs = await branch(
      'theirs',
      { 'gone.txt': 'gone\nmore\n', 'a.txt': LINES.replace('line 5\n', 'line 5 theirs\n'), 'b.txt': 'b theirs\n' },
      ['conf.json'],
    );
    const result = await mergeTrees({ base, ours, theirs, reader: trees });
    expect(result.writes.map((write) => write.path)).toEqual(['b.txt', 'z-gone.txt']);
    expect(result.conflicts.map((conflict) => [conflict.file, conflict.kind])).toEqual([
      ['a.txt', 'content'],
      ['y.json', 'rename-delete'],
    ]);
  });
});
