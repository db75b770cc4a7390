import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitOf, commitsOf, revision } from '../../src/sandbox/commit-lookup.js';
import { gitCommand } from '../../src/sandbox/git-command.js';
import { git, tempRepo } from '../helpers/temp.js';

// Which commit a revision names, asked of a real repository: one process for many, and a
// revision that could read as an option or as two lines never reaching git as such.

describe('commit lookup', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempRepo({ 'README.md': '# x\n' }));
  });
  afterEach(async () => cleanup());

  it('refuses a revision that is empty or could be read as an option', () => {
    expect(() => revision('--output=/tmp/x')).toThrow(/"--output=\/tmp\/x" is not a commit/);
    expect(() => revision('')).toThrow(/is not a commit/);
    expect(revision('HEAD~1')).toBe('HEAD~1');
  });

  it('names the commit of a revision, and fails with git’s error for one that names none', async () => {
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(await commitOf(gitCommand(dir), 'HEAD')).toBe(head);
    await expect(commitOf(gitCommand(dir), 'no-such-branch')).rejects.toThrow();
  });

  it('answers many revisions from one process: a commit, nothing for a missing name or a tree', async () => {
    const head = git(dir, 'rev-parse', 'HEAD');
    const tree = git(dir, 'rev-parse', 'HEAD^{tree}');
    expect(await commitsOf(gitCommand(dir), ['HEAD', 'refs/troupe/base/none', tree, head.slice(0, 12)])).toEqual([
      head,
      null,
      null,
      head,
    ]);
  });

  it('asks one by one when a revision holds a line break, which would read as two', async () => {
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(await commitsOf(gitCommand(dir), ['HEAD', 'HEAD\nHEAD', 'missing'])).toEqual([head, null, null]);
    await expect(commitsOf(gitCommand(dir), ['HEAD\n', '-x'])).rejects.toThrow(/"-x" is not a commit/);
  });
});
