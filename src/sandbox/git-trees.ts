import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TroupeError } from '../domain/index.js';
import type { FileWrite, TreeFile, TreeReader } from '../merge/tree-merge.js';
import { gitCommand, splitNul, type GitCommand } from './git-command.js';

// update-index takes each file as arguments: keep a command line well under ARG_MAX
const PATHS_PER_COMMAND = 200;

/** What {@link GitTrees.writeCommit} builds: `onto`'s tree with `writes` applied, as a commit of `parents`. */
export interface CommitRequest {
  /** The commit whose tree the new one starts from. */
  onto: string;
  writes: readonly FileWrite[];
  parents: readonly string[];
  message: string;
}

/**
 * Files of a repository's commits as bytes, and new commits built from
 * them, without touching any working tree or the repository's own index
 * (a merge is built in a throwaway index). Binary-safe: contents go through
 * `cat-file` buffers and `hash-object --no-filters` of exact bytes.
 *
 * @example
 * const trees = new GitTrees('/repo');
 * const readme = await trees.readFile('HEAD', 'README.md');
 * const commit = await trees.writeCommit({ onto: 'HEAD', writes: [{ path: 'a.txt', file: { mode: '100644', content } }], parents: [head], message: 'add a' });
 */
export class GitTrees implements TreeReader {
  readonly #root: string;
  readonly #git: GitCommand;

  constructor(root: string) {
    this.#root = root;
    this.#git = gitCommand(root);
  }

  async changedPaths(from: string, to: string): Promise<string[]> {
    const output = await this.#git.run(['diff', '-z', '--name-only', '--no-renames', '--no-ext-diff', revision(from), revision(to), '--']);
    return splitNul(output).sort();
  }

  async readFile(commit: string, path: string): Promise<TreeFile | null> {
    // ls-tree matches pathspecs literally with --full-tree and `--`; a directory answers type tree
    const output = await this.#git.run(['ls-tree', '-z', '--full-tree', revision(commit), '--', path]);
    for (const record of splitNul(output)) {
      const tab = record.indexOf('\t');
      const [mode, type, object] = record.slice(0, tab).split(' ');
      if (record.slice(tab + 1) !== path || !mode || !object) continue;
      if (type !== 'blob') {
        throw new TroupeError('MERGE_CONFLICT', `${path} is a ${type === 'commit' ? 'submodule' : type} in ${commit.slice(0, 7)}: troupe merges files only`, { details: { files: [path] } });
      }
      return { mode, content: new Uint8Array(await this.#git.readBlob(object)) };
    }
    return null;
  }

  /** Write the files as blobs and make the commit; returns its id. Nothing else in the repository changes. */
  async writeCommit(request: CommitRequest): Promise<string> {
    return this.commitTree(await this.writeTree(request.onto, request.writes), request.parents, request.message);
  }

  /** A commit of `tree` with `parents` (by troupe, whatever the user's git config); returns its id. */
  async commitTree(tree: string, parents: readonly string[], message: string): Promise<string> {
    const flags = parents.flatMap((parent) => ['-p', revision(parent)]);
    return (await this.#git.run(['commit-tree', revision(tree), ...flags, '-m', message])).trim();
  }

  /** The tree of `onto` with `writes` applied, written to the object store; returns its id. */
  async writeTree(onto: string, writes: readonly FileWrite[]): Promise<string> {
    const scratch = await mkdtemp(join(tmpdir(), 'troupe-tree-'));
    try {
      const index = gitCommand(this.#root, { indexFile: join(scratch, 'index') });
      await index.run(['read-tree', revision(onto)]);
      const added: string[] = [];
      const removed: string[] = [];
      for (const [number, write] of writes.entries()) {
        if (write.file === null) {
          removed.push(write.path);
          continue;
        }
        const file = join(scratch, `blob-${number}`);
        await writeFile(file, write.file.content);
        const blob = (await this.#git.run(['hash-object', '-w', '--no-filters', '--', file])).trim();
        added.push(`${write.file.mode},${blob},${write.path}`);
      }
      for (let at = 0; at < added.length; at += PATHS_PER_COMMAND) {
        // --verbose: a command that prints nothing costs simple-git a 50 ms wait
        await index.run(['update-index', '--add', '--verbose', ...added.slice(at, at + PATHS_PER_COMMAND).flatMap((entry) => ['--cacheinfo', entry])]);
      }
      for (let at = 0; at < removed.length; at += PATHS_PER_COMMAND) {
        await index.run(['update-index', '--force-remove', '--verbose', '--', ...removed.slice(at, at + PATHS_PER_COMMAND)]);
      }
      return (await index.run(['write-tree'])).trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

// a revision never starts with "-": it must not read as an option
function revision(value: string): string {
  if (value.startsWith('-') || value.length === 0) throw new TroupeError('VALIDATION_ERROR', `"${value}" is not a git revision`);
  return value;
}
