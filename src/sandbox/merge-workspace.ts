import { mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TroupeError, ValidationError } from '../domain/index.js';
import type { FileWrite, TreeFile } from '../merge/index.js';
import { gitCommand } from './git-command.js';
import { GitTrees } from './git-trees.js';

/** Where the copies with conflict markers go, relative to the project. */
export const CONFLICTS_DIR = join('.troupe', 'conflicts');

/** The ref that keeps a plan's merge commit from git's garbage collection until it is applied. */
export function mergeRef(planId: string): string {
  return `refs/troupe/merge/${planId}`;
}

/**
 * What resolving conflicts needs from the project's repository: the
 * versions of a file in the merged commits, the user's own file, copies
 * with conflict markers to edit, and the merge commit itself. Worktrees
 * share the project's objects, so sandbox commits are readable here too.
 *
 * @example
 * const workspace = new MergeWorkspace('/repo');
 * const ours = await workspace.readFile(merge.ours, 'src/a.ts');
 */
export class MergeWorkspace {
  readonly root: string;
  readonly #trees: GitTrees;

  constructor(root: string) {
    this.root = resolve(root);
    this.#trees = new GitTrees(this.root);
  }

  /** The file at `path` in `commit`, or null when the commit has none. */
  readFile(commit: string, path: string): Promise<TreeFile | null> {
    return this.#trees.readFile(commit, path);
  }

  /**
   * The bytes of a file the user names to resolve a conflict with. It must
   * exist, be a regular file, and lie inside the project (after following
   * symlinks) but not in `.git`; otherwise a `VALIDATION_ERROR` names `--use`.
   */
  async readProjectFile(path: string): Promise<{ path: string; content: Uint8Array }> {
    const refuse = (message: string) =>
      new ValidationError([{ path: '--use', message }], {
        hint: 'give a file inside the project, e.g. the copy with conflict markers that troupe plan conflicts names',
      });
    const absolute = resolve(this.root, path);
    const real = await realpath(absolute).catch(() => null);
    if (real === null) throw refuse(`no file at ${path}`);
    const inside = relative(await realpath(this.root), real);
    if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside))
      throw refuse(`${path} is outside the project (${this.root})`);
    if (inside === '.git' || inside.startsWith(`.git${sep}`)) throw refuse(`${path} is inside .git`);
    if (!(await stat(real)).isFile()) throw refuse(`${path} is not a file`);
    return { path: inside.split(sep).join('/'), content: new Uint8Array(await readFile(real)) };
  }

  /**
   * Write a copy of each conflicting file with conflict markers under
   * `.troupe/conflicts/<planId>/`, for the user to edit; returns each file's
   * copy relative to the project. Writing again replaces them (idempotent).
   */
  async writeEditCopies(
    planId: string,
    files: readonly { file: string; content: Uint8Array }[],
  ): Promise<Map<string, string>> {
    const copies = new Map<string, string>();
    for (const { file, content } of files) {
      // git never stores a path with `..` or a leading `/`; refuse one anyway rather than write outside
      if (isAbsolute(file) || file.split('/').some((segment) => segment === '..' || segment === '')) {
        throw new TroupeError('SANDBOX_ESCAPE', `conflicting path "${file}" cannot be copied safely`);
      }
      const copy = join(CONFLICTS_DIR, planId, file);
      await mkdir(dirname(join(this.root, copy)), { recursive: true });
      await writeFile(join(this.root, copy), content);
      copies.set(file, copy.split(sep).join('/'));
    }
    return copies;
  }

  /** Remove a plan's copies with conflict markers. */
  async removeEditCopies(planId: string): Promise<void> {
    await rm(join(this.root, CONFLICTS_DIR, planId), { recursive: true, force: true });
  }

  /**
   * Commit `writes` on top of `onto`'s tree with `parents`, and point the
   * plan's merge ref at it so it survives until applied; returns the commit.
   */
  async commitMerge(request: {
    planId: string;
    onto: string;
    writes: readonly FileWrite[];
    parents: readonly string[];
    message: string;
  }): Promise<string> {
    const commit = await this.#trees.writeCommit(request);
    await gitCommand(this.root).plumb(['update-ref', mergeRef(request.planId), commit]);
    return commit;
  }
}
