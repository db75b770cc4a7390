import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TroupeError } from '../domain/index.js';
import type { FileRename } from '../merge/rename-merge.js';
import type { FileWrite, TreeFile, TreeReader } from '../merge/tree-merge.js';
import { gitCommand, isObjectId, splitNul, type GitCommand } from './git-command.js';

// how the merge engine reads what a path holds (src/merge/tree-entry.ts): a
// submodule pointer as mode 160000 with the commit id as its bytes, a
// directory as mode 040000 with none
const GITLINK_MODE = '160000';
const DIRECTORY_MODE = '040000';

// hash-object takes each file as an argument: keep a command line well under ARG_MAX
const PATHS_PER_COMMAND = 200;

// git's rename rule, pinned so no configuration changes it (diff.renameLimit
// is read by diff-tree): a deleted and an added path at least 50 % similar,
// and merge-ort's default limit of 7,000 candidates
const RENAME_OPTIONS = ['-M50%', '-l7000', '--diff-filter=R'];

/**
 * One path that differs between two commits, as the second one has it: its
 * mode and blob, or mode `000000` and an all-zero id where it was deleted
 * (which is also how the index plumbing reads "remove this path").
 */
export interface TreeChange {
  path: string;
  mode: string;
  blob: string;
}

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
  // the id that removes a path in `update-index --index-info`: as long as the repository's object ids
  #noObject: Promise<string> | undefined;

  constructor(root: string) {
    this.#root = root;
    this.#git = gitCommand(root);
  }

  async changedPaths(from: string, to: string): Promise<string[]> {
    return (await this.changes(from, to)).map((change) => change.path).sort();
  }

  /** The paths that differ between two commits with what `to` has there (renames as delete + add), in git's order. */
  async changes(from: string, to: string): Promise<TreeChange[]> {
    const fields = splitNul(
      await this.#git.plumb(['diff-tree', '-r', '-z', '--no-renames', revision(from), revision(to), '--']),
    );
    const changes: TreeChange[] = [];
    // ":<old mode> <new mode> <old id> <new id> <status>" then the path
    for (let at = 0; at + 1 < fields.length; at += 2)
      changes.push(treeChange(fields[at] as string, fields[at + 1] as string));
    return changes;
  }

  /**
   * {@link GitTrees.changes} from one commit to each of several, in one git
   * process when all are commit ids (`diff-tree --stdin`, each given `from`
   * as its only parent); one process each otherwise.
   */
  async changesFrom(from: string, to: readonly string[]): Promise<TreeChange[][]> {
    if (![from, ...to].every(isObjectId)) return Promise.all(to.map((commit) => this.changes(from, commit)));
    const input = to.map((commit) => `${commit} ${from}\n`).join('');
    const fields = splitNul(await this.#git.plumb(['diff-tree', '-r', '-z', '--no-renames', '--stdin'], input));
    // each commit's changes come after its id, on a field of its own; a
    // commit with no changes prints nothing. A record starts with ":", its
    // path is the next field whatever it holds, an id never starts with ":"
    const byCommit = new Map<string, TreeChange[]>();
    let current: TreeChange[] = [];
    for (let at = 0; at < fields.length; at++) {
      const field = fields[at] as string;
      if (field.startsWith(':')) {
        current.push(treeChange(field, fields[++at] as string));
        continue;
      }
      current = [];
      byCommit.set(field, current);
    }
    return to.map((commit) => [...(byCommit.get(commit) ?? [])]);
  }

  /**
   * The renames from one commit to each of several, as git's rename
   * detection pairs them: a path deleted and a path added on that side, at
   * least 50 % similar (exact renames first) — what `git merge` follows. In
   * one git process when all are commit ids, one each otherwise.
   */
  async renames(from: string, to: readonly string[]): Promise<FileRename[][]> {
    const read = (output: string) => {
      // a commit's id on a field of its own (--stdin), then ":… R<score>", the old path and the new path
      const byCommit = new Map<string, FileRename[]>();
      let current: FileRename[] = [];
      const fields = splitNul(output);
      for (let at = 0; at < fields.length; at++) {
        const field = fields[at] as string;
        if (field.startsWith(':')) {
          current.push({ from: fields[at + 1] as string, to: fields[at + 2] as string });
          at += 2;
          continue;
        }
        current = [];
        byCommit.set(field, current);
      }
      return { byCommit, current };
    };
    if (![from, ...to].every(isObjectId)) {
      return Promise.all(
        to.map(
          async (commit) =>
            read(
              await this.#git.plumb([
                'diff-tree',
                '-r',
                '-z',
                ...RENAME_OPTIONS,
                revision(from),
                revision(commit),
                '--',
              ]),
            ).current,
        ),
      );
    }
    const input = to.map((commit) => `${commit} ${from}\n`).join('');
    const { byCommit } = read(await this.#git.plumb(['diff-tree', '-r', '-z', ...RENAME_OPTIONS, '--stdin'], input));
    return to.map((commit) => [...(byCommit.get(commit) ?? [])]);
  }

  /**
   * The tree of a three-way merge in which no path changed on both sides:
   * `read-tree -m --aggressive` of base, ours and theirs takes each changed
   * path from the side that changed it — theirs' blob and mode as they are,
   * as {@link GitTrees.writeTree} with theirs' changes does — and
   * `write-tree` writes it. Null when git leaves anything unmerged (a file
   * on one side where the other made a directory): the caller then builds
   * the tree with {@link GitTrees.writeTree}.
   */
  mergedTree(base: string, ours: string, theirs: string): Promise<string | null> {
    return this.#inScratchIndex(async (index) => {
      await index.plumb(['read-tree', '-m', '--aggressive', revision(base), revision(ours), revision(theirs)]);
      return (await index.tryRun(['write-tree']))?.trim() || null;
    });
  }

  /**
   * The trees of applying each list of `steps` in turn onto `onto`'s tree
   * (paths set to objects the repository holds, as {@link GitTrees.changes}
   * reports them): one tree per step, each on top of the one before, built
   * in one throwaway index — two git processes a step, plus one.
   */
  treesInSequence(onto: string, steps: readonly (readonly TreeChange[])[]): Promise<string[]> {
    return this.#inScratchIndex(async (index) => {
      await index.plumb(['read-tree', revision(onto)]);
      const trees: string[] = [];
      for (const changes of steps) {
        if (changes.length > 0)
          await index.plumb(
            ['update-index', '-z', '--index-info'],
            changes.map(({ path, mode, blob }) => entry(path, mode, blob)).join(''),
          );
        trees.push((await index.plumb(['write-tree'])).trim());
      }
      return trees;
    });
  }

  /** The best common ancestor of two commits, or null when they have none. */
  async mergeBase(a: string, b: string): Promise<string | null> {
    return (await this.#git.tryRun(['merge-base', revision(a), revision(b)]))?.trim() || null;
  }

  async readFile(commit: string, path: string): Promise<TreeFile | null> {
    // ls-tree matches pathspecs literally with --full-tree and `--`; a directory answers type tree
    const output = await this.#git.run(['ls-tree', '-z', '--full-tree', revision(commit), '--', path]);
    for (const record of splitNul(output)) {
      const tab = record.indexOf('\t');
      const [mode, type, object] = record.slice(0, tab).split(' ');
      if (record.slice(tab + 1) !== path || !mode || !object) continue;
      // a submodule's commit is in another repository: its pointer is all there is to read
      if (type === 'commit') return { mode: GITLINK_MODE, content: new TextEncoder().encode(object) };
      if (type === 'tree') return { mode: DIRECTORY_MODE, content: new Uint8Array() };
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
    return (await this.#git.plumb(['commit-tree', revision(tree), ...flags, '-m', message])).trim();
  }

  /**
   * The tree of `onto` with `writes` (new contents) and `changes` (paths set
   * to objects the repository already holds, as {@link GitTrees.changes}
   * reports them) applied, written to the object store; returns its id.
   * Four git processes or fewer whatever the number of files.
   */
  writeTree(onto: string, writes: readonly FileWrite[], changes: readonly TreeChange[] = []): Promise<string> {
    return this.#inScratchIndex(async (index, scratch) => {
      await index.plumb(['read-tree', revision(onto)]);
      const lines = changes.map(({ path, mode, blob }) => entry(path, mode, blob));
      const files: { path: string; mode: string; file: string }[] = [];
      for (const [number, write] of writes.entries()) {
        if (write.file === null) {
          lines.push(entry(write.path, '0', await this.#noObjectId()));
          continue;
        }
        if (write.file.mode === GITLINK_MODE) {
          lines.push(entry(write.path, GITLINK_MODE, submoduleCommit(write.path, write.file)));
          continue;
        }
        const file = join(scratch, `blob-${number}`);
        await writeFile(file, write.file.content);
        files.push({ path: write.path, mode: write.file.mode, file });
      }
      for (let at = 0; at < files.length; at += PATHS_PER_COMMAND) {
        const chunk = files.slice(at, at + PATHS_PER_COMMAND);
        // --no-filters: the exact bytes, whatever .gitattributes would convert
        const ids = splitLines(
          await this.#git.plumb(['hash-object', '-w', '--no-filters', '--', ...chunk.map(({ file }) => file)]),
        );
        chunk.forEach(({ path, mode }, offset) => lines.push(entry(path, mode, ids[offset] as string)));
      }
      // -z: a path may hold any byte but NUL; mode 0 removes the path
      if (lines.length > 0) await index.plumb(['update-index', '-z', '--index-info'], lines.join(''));
      return (await index.plumb(['write-tree'])).trim();
    });
  }

  // a throwaway index (and directory for blob files) beside the repository's own, removed afterwards
  async #inScratchIndex<T>(work: (index: GitCommand, scratch: string) => Promise<T>): Promise<T> {
    const scratch = await mkdtemp(join(tmpdir(), 'troupe-tree-'));
    try {
      return await work(gitCommand(this.#root, { indexFile: join(scratch, 'index') }), scratch);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  #noObjectId(): Promise<string> {
    this.#noObject ??= this.#git
      .plumb(['rev-parse', '--show-object-format'])
      .then((format) => '0'.repeat(format.trim() === 'sha256' ? 64 : 40));
    return this.#noObject;
  }
}

// one record of `diff-tree -r -z --no-renames`: its ":<old mode> <new mode> <old id> <new id> <status>" field and its path
function treeChange(record: string, path: string): TreeChange {
  const [, mode, , blob] = record.split(' ');
  return { path, mode: mode as string, blob: blob as string };
}

// a submodule pointer is written as the commit it names, never hashed as a file
function submoduleCommit(path: string, file: TreeFile): string {
  const commit = new TextDecoder().decode(file.content);
  if (!isObjectId(commit))
    throw new TroupeError(
      'INTERNAL_ERROR',
      `the submodule pointer written at ${path} is not a commit id: "${commit.slice(0, 80)}"`,
    );
  return commit;
}

// one record of `update-index -z --index-info`
function entry(path: string, mode: string, id: string): string {
  return `${mode} ${id}\t${path}\0`;
}

function splitLines(output: string): string[] {
  return output.split('\n').filter((line) => line.length > 0);
}

// a revision never starts with "-": it must not read as an option
function revision(value: string): string {
  if (value.startsWith('-') || value.length === 0)
    throw new TroupeError('VALIDATION_ERROR', `"${value}" is not a git revision`);
  return value;
}
