import { lstat, realpath, rmdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The mount points made in worktrees for shared paths (`sandbox.share`),
 * each counted by the running commands that use it: bubblewrap needs an
 * empty directory or file to bind a shared path onto, and the last command
 * using one removes it — left in the worktree, it would show up in the
 * plan's changes.
 *
 * @example
 * const placeholders = new MountPlaceholders();
 * placeholders.hold(plan.placeholders);
 * try { await run(); } finally { await placeholders.release(plan.placeholders); }
 */
export class MountPlaceholders {
  // by path: how many running commands use each
  readonly #users = new Map<string, number>();

  /** The mount points in use, which a command starting now must not take for its own. */
  get pending(): ReadonlyMap<string, number> {
    return this.#users;
  }

  /** Count a command in as a user of `paths`. */
  hold(paths: readonly string[]): void {
    for (const path of paths) this.#users.set(path, (this.#users.get(path) ?? 0) + 1);
  }

  /** Count a command out of `paths`, removing those no command uses any more. */
  async release(paths: readonly string[]): Promise<void> {
    for (const path of [...paths].reverse()) {
      const users = (this.#users.get(path) ?? 1) - 1;
      if (users > 0) {
        this.#users.set(path, users);
        continue;
      }
      this.#users.delete(path);
      // the command may have renamed a folder on the way and put a symlink in its place:
      // what is removed must still be where the mount point was made, not where a link leads
      if ((await realpath(dirname(path)).catch(() => null)) !== dirname(path)) continue;
      const info = await lstat(path).catch(() => null);
      if (info?.isDirectory()) await rmdir(path).catch(() => {});
      else if (info?.isFile() && info.size === 0) await unlink(path).catch(() => {});
    }
  }
}
