// Tree merges side by side with git's: a fixture of three file maps (base,
// ours, theirs) written as real commits, merged by troupe's mergeCommits and
// by `git merge-tree --write-tree` (merge-ort, what `git merge` does), each
// answer read back as a map of files. Tests that take git as the reference
// for renames, modes, submodules and file/directory cases build on it.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mergeCommits, type CommitsMerge } from '../../src/runtime/children/engine-merger.js';
import { GitTrees } from '../../src/sandbox/git-trees.js';
import { GIT_ENV, git, tempDir } from '../helpers/temp.js';

/**
 * One entry of a fixture: a text file (mode 100644), or a file with a mode
 * (`100755` executable, `120000` a symlink whose content is its target), or
 * a submodule pointer (a gitlink, mode 160000, to a commit id that need not
 * exist in the repository — as in a superproject).
 */
export type FixtureFile = string | { content: string; mode: '100644' | '100755' | '120000' } | { gitlink: string };

/** A commit's files by path. */
export type FixtureTree = Record<string, FixtureFile>;

/** A file as a merged tree holds it. */
export interface TreeEntry {
  mode: string;
  /** The text of a blob, or the commit id of a gitlink. */
  content: string;
}

/** What `git merge-tree --write-tree` answered. */
export interface GitTreeMerge {
  clean: boolean;
  /** The tree git wrote (for a conflicted merge: with conflict markers in content conflicts). */
  files: Record<string, TreeEntry>;
  /** Paths git left unmerged, each with the stages it has (1 base, 2 ours, 3 theirs). */
  conflicted: Record<string, number[]>;
  /** git's informational messages, e.g. `CONFLICT (rename/delete): …`. */
  messages: string;
}

/** A repository holding a fixture's three commits. */
export interface ReferenceRepo {
  dir: string;
  base: string;
  ours: string;
  theirs: string;
  trees: GitTrees;
  cleanup: () => Promise<void>;
}

/**
 * Write `base`, then `ours` and `theirs` (each a child of base) as commits of
 * a fresh repository; nothing is checked out, so any mode or gitlink works.
 *
 * @example
 * const repo = await referenceRepo({ base: { 'a.txt': 'a\n' }, ours: { 'b.txt': 'a\n' }, theirs: { 'a.txt': 'A\n' } });
 */
export async function referenceRepo(fixture: {
  base: FixtureTree;
  ours: FixtureTree;
  theirs: FixtureTree;
}): Promise<ReferenceRepo> {
  const temp = await tempDir('troupe-merge-ref-');
  git(temp.dir, 'init', '-q', '-b', 'main');
  const base = commitTree(temp.dir, fixture.base, [], 'base');
  const ours = commitTree(temp.dir, fixture.ours, [base], 'ours');
  const theirs = commitTree(temp.dir, fixture.theirs, [base], 'theirs');
  return { dir: temp.dir, base, ours, theirs, trees: new GitTrees(temp.dir), cleanup: temp.cleanup };
}

/** troupe's merge of a reference repository's sides (three-way), and its tree as files. */
export async function troupeMerge(repo: ReferenceRepo): Promise<CommitsMerge & { files: Record<string, TreeEntry> }> {
  const merged = await mergeCommits(repo.trees, {
    base: repo.base,
    ours: repo.ours,
    theirs: repo.theirs,
    strategy: 'three-way',
    parents: [repo.ours, repo.theirs],
    message: 'troupe merge',
  });
  return { ...merged, files: treeFiles(repo.dir, merged.tree) };
}

/** git's merge of a reference repository's sides, as `git merge` would make it. */
export function gitMerge(repo: ReferenceRepo): GitTreeMerge {
  const result = spawnSync('git', ['merge-tree', '--write-tree', '-z', '--messages', repo.ours, repo.theirs], {
    cwd: repo.dir,
    env: GIT_ENV,
    encoding: 'utf8',
  });
  if (result.status !== 0 && result.status !== 1) throw new Error(`git merge-tree failed: ${result.stderr}`);
  // -z: the tree id, then "<mode> <object> <stage>\t<path>" records, an empty field, then the messages
  const fields = result.stdout.split('\0');
  const tree = fields[0]!;
  const conflicted: Record<string, number[]> = {};
  let at = 1;
  for (; at < fields.length && fields[at] !== ''; at++) {
    const record = fields[at]!;
    const tab = record.indexOf('\t');
    const stage = Number(record.slice(0, tab).split(' ')[2]);
    const path = record.slice(tab + 1);
    (conflicted[path] ??= []).push(stage);
  }
  return {
    clean: result.status === 0,
    files: treeFiles(repo.dir, tree),
    conflicted,
    messages: fields.slice(at + 1).join('\n'),
  };
}

/** The files of a tree, by path: blobs as text, gitlinks as their commit id. */
export function treeFiles(dir: string, tree: string): Record<string, TreeEntry> {
  const files: Record<string, TreeEntry> = {};
  const listing = execFileSync('git', ['ls-tree', '-r', '-z', tree], { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
  for (const record of listing.split('\0').filter(Boolean)) {
    const tab = record.indexOf('\t');
    const [mode, type, object] = record.slice(0, tab).split(' ') as [string, string, string];
    const content =
      type === 'commit'
        ? object
        : execFileSync('git', ['cat-file', 'blob', object], { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
    files[record.slice(tab + 1)] = { mode, content };
  }
  return files;
}

// a commit of exactly `files`, built in a throwaway index
function commitTree(dir: string, files: FixtureTree, parents: string[], message: string): string {
  const env = { ...GIT_ENV, GIT_INDEX_FILE: join(dir, '.git', `index-${message}`) };
  const run = (args: string[], input?: string) =>
    execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', input }).trim();
  run(['read-tree', '--empty']);
  const lines = Object.entries(files).map(([path, file]) => {
    if (typeof file === 'object' && 'gitlink' in file) return `160000 ${file.gitlink}\t${path}\0`;
    const { content, mode } = typeof file === 'string' ? { content: file, mode: '100644' } : file;
    return `${mode} ${run(['hash-object', '-w', '--stdin'], content)}\t${path}\0`;
  });
  if (lines.length > 0) run(['update-index', '-z', '--index-info'], lines.join(''));
  const tree = run(['write-tree']);
  return run(['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent]), '-m', message]);
}
