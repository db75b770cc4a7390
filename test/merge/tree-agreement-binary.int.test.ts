import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitTrees } from '../../src/sandbox/git-trees.js';
import { GIT_ENV, git, tempDir } from '../helpers/temp.js';
import { gitMerge, troupeMerge, type ReferenceRepo } from './merge-tree-reference.js';
import { repos } from './tree-agreement-fixtures.js';

// Tree merges of a file that is not valid UTF-8, side by side with git merge-tree (merge-ort).

describe('a file that is not valid UTF-8', () => {
  // Latin-1 bytes: 0xE9 is "é", not UTF-8 on its own
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  // a reference repository from raw bytes: the fixture helper writes text as UTF-8
  async function bytesRepo(fixture: {
    base: Record<string, Buffer>;
    ours: Record<string, Buffer>;
    theirs: Record<string, Buffer>;
  }): Promise<ReferenceRepo> {
    const temp = await tempDir('troupe-merge-bytes-');
    git(temp.dir, 'init', '-q', '-b', 'main');
    const commit = (files: Record<string, Buffer>, parents: string[], name: string) => {
      const env = { ...GIT_ENV, GIT_INDEX_FILE: join(temp.dir, '.git', `index-${name}`) };
      const run = (args: string[], input?: Buffer | string) =>
        execFileSync('git', args, { cwd: temp.dir, env, input }).toString('utf8').trim();
      run(['read-tree', '--empty']);
      for (const [path, content] of Object.entries(files))
        run([
          'update-index',
          '--add',
          '--cacheinfo',
          `100644,${run(['hash-object', '-w', '--stdin'], content)},${path}`,
        ]);
      return run(['commit-tree', run(['write-tree']), ...parents.flatMap((parent) => ['-p', parent]), '-m', name]);
    };
    const base = commit(fixture.base, [], 'base');
    const repo = {
      dir: temp.dir,
      base,
      ours: commit(fixture.ours, [base], 'ours'),
      theirs: commit(fixture.theirs, [base], 'theirs'),
      trees: new GitTrees(temp.dir),
      cleanup: temp.cleanup,
    };
    repos.push(repo);
    return repo;
  }

  it('is a binary conflict where both sides changed it, and never throws', async () => {
    const repo = await bytesRepo({
      base: { 'names.txt': latin1('caf\xe9\nth\xe9\n'), 'keep.txt': Buffer.from('k\n') },
      ours: { 'names.txt': latin1('CAF\xc9\nth\xe9\n'), 'keep.txt': Buffer.from('k\n') },
      theirs: { 'names.txt': latin1('caf\xe9 cr\xe8me\nth\xe9\n'), 'keep.txt': Buffer.from('K\n') },
    });
    const reference = gitMerge(repo);
    expect(Object.keys(reference.conflicted)).toEqual(['names.txt']);
    const merged = await troupeMerge(repo);
    expect(merged.conflicts.map((conflict) => [conflict.file, conflict.kind, conflict.content])).toEqual([
      ['names.txt', 'binary', null],
    ]);
    expect(merged.conflicts[0]?.hunks[0]?.ours).toMatch(/^binary, 9 bytes, blob [0-9a-f]{40}$/);
    expect(merged.files['keep.txt']).toEqual({ mode: '100644', content: 'K\n' });
  });

  it('conflicts where git, which reads it as text, merges changes on separate lines (a documented difference)', async () => {
    const repo = await bytesRepo({
      base: { 'names.txt': latin1('caf\xe9\nna\xefve\nth\xe9\n') },
      ours: { 'names.txt': latin1('CAF\xc9\nna\xefve\nth\xe9\n') },
      theirs: { 'names.txt': latin1('caf\xe9\nna\xefve\nTH\xc9\n') },
    });
    expect(gitMerge(repo).clean).toBe(true);
    expect((await troupeMerge(repo)).conflicts.map((conflict) => [conflict.file, conflict.kind])).toEqual([
      ['names.txt', 'binary'],
    ]);
  });
});
