// The list of worktrees of one repository: read and changed one git command
// at a time, as git writes a new worktree's files without a lock.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, realpath, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { syncPaths } from './durable-files.js';
import { gitDirNamed } from './git-dir-pointer.js';
import type { GitCommand } from './git-command.js';
import { parseWorktreeList, type WorktreeEntry } from './worktree-list.js';

// the last worktree administration queued per repository (see WorktreeAdmin.run)
const adminQueues = new Map<string, Promise<unknown>>();

// worktrees' files checked out at once in this process, at most one per core: checkouts are CPU work,
// and more at once would make every sandbox of a fan-out late instead of the first ones early
const checkouts = { running: 0, waiting: [] as (() => void)[] };
async function checkingOut<T>(fn: () => Promise<T>): Promise<T> {
  if (checkouts.running >= availableParallelism())
    await new Promise<void>((resolve) => checkouts.waiting.push(resolve));
  else checkouts.running += 1;
  try {
    return await fn();
  } finally {
    // a waiter takes this one's turn as it is; with none, the turn is given back
    const next = checkouts.waiting.shift();
    if (next) next();
    else checkouts.running -= 1;
  }
}

/**
 * The worktrees of the repository at `repoRoot`, whose sandboxes live under
 * the project at `projectRoot`.
 *
 * @example
 * const worktrees = new WorktreeAdmin(gitCommand(repoRoot), repoRoot, projectRoot);
 * await worktrees.clear(await worktrees.find(path), path);
 */
export class WorktreeAdmin {
  readonly #project: GitCommand;
  readonly #repoRoot: string;
  readonly #projectRoot: string;
  #realRoot: Promise<string> | undefined;

  constructor(project: GitCommand, repoRoot: string, projectRoot: string) {
    this.#project = project;
    this.#repoRoot = repoRoot;
    this.#projectRoot = projectRoot;
  }

  /** Every worktree git has registered, as `git worktree list` gives them. */
  async list(): Promise<WorktreeEntry[]> {
    return parseWorktreeList(await this.run(['worktree', 'list', '--porcelain', '-z']));
  }

  /**
   * Run a git command that reads or changes the repository's list of
   * worktrees, one at a time per repository: `worktree add` registers a
   * worktree before it writes its files, and a concurrent command that reads
   * every worktree (another `add`, `list`, `branch -D`) fails on the
   * half-made one ("failed to read .git/worktrees/<id>/commondir").
   */
  run(args: readonly string[]): Promise<string> {
    const previous = adminQueues.get(this.#repoRoot) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(() => this.#project.plumb(args));
    const settled = run.catch(() => {});
    adminQueues.set(this.#repoRoot, settled);
    // forget an idle queue, so the map does not grow with every repository seen
    void settled.then(() => {
      if (adminQueues.get(this.#repoRoot) === settled) adminQueues.delete(this.#repoRoot);
    });
    return run;
  }

  /**
   * `git worktree add <args>` for a worktree at `path`, its files checked
   * out beside other worktrees' rather than in the repository's queue:
   * git registers it in the queue without its files and locked
   * (`--no-checkout --lock`), then its files are checked out as `worktree
   * add` does it (`reset --hard`, in the worktree; as many at once as there
   * are cores), then it is unlocked. A repository's worktrees then wait for
   * each other's registration (a few ms), not for each other's files (60 ms
   * and more for 1,000 files). Killed in between, it stays locked:
   * {@link isHealthy} refuses it, and the next sandbox made there clears it
   * first.
   */
  async add(path: string, args: readonly string[]): Promise<void> {
    await this.run(['worktree', 'add', '--quiet', '--no-checkout', '--lock', ...args]);
    // git writes a worktree's `.git` file and its registration without syncing them: on the disk
    // before any record names the sandbox (a power cut left an empty `.git` — "invalid gitfile")
    const admin = await adminDirOf(path);
    await syncPaths([
      join(path, '.git'),
      ...ADMIN_FILES.map((name) => join(admin, name)),
      admin,
      path,
      dirname(admin),
      dirname(path),
    ]);
    // the index it writes is synced by troupe's git (core.fsync); the files need not be: a
    // sandbox is put back at its last step commit before a step or validate uses it
    await checkingOut(() => this.#project.plumb(['-C', path, 'reset', '--hard', '--quiet', '--no-recurse-submodules']));
    // what `git worktree unlock` does, without reading every worktree (and so without the queue)
    await rm(join(await adminDirOf(path), 'locked'), { force: true });
  }

  /** The registered worktree at `path`, if any (git records real paths). */
  async find(path: string): Promise<WorktreeEntry | null> {
    this.#realRoot ??= realpath(this.#projectRoot).catch(() => this.#projectRoot);
    const realPath = join(await this.#realRoot, path.slice(this.#projectRoot.length));
    const entries = await this.list();
    return entries.find((entry) => entry.path === realPath || entry.path === path) ?? null;
  }

  /** Unregister and delete whatever is at `path`; fine if nothing is. */
  async clear(entry: WorktreeEntry | null, path: string): Promise<void> {
    // --force twice: also when locked (an interrupted `worktree add`) or dirty
    const removed =
      entry === null
        ? true
        : await this.run(['worktree', 'remove', '--force', '--force', path]).then(
            () => true,
            () => false,
          );
    await rm(path, { recursive: true, force: true });
    // git refuses to remove a worktree whose `.git` file is not one (a power cut emptied it):
    // with its folder gone, its registration is one `prune` drops
    if (!removed) {
      // a locked registration is one prune keeps: unlocked first (what it names is gone anyway)
      await this.run(['worktree', 'unlock', path]).catch(() => {});
      await this.run(['worktree', 'prune']);
    }
  }
}

/**
 * Whether a registered worktree is one a sandbox can go on using: unlocked,
 * present, on `branch`, and its `.git` file naming its registration — a
 * power cut before it reached the disk leaves it empty, and the sandbox is
 * then made again from its branch, where its step commits are.
 */
export function isHealthy(entry: WorktreeEntry, path: string, branch: string): boolean {
  if (entry.locked || entry.prunable || entry.branch !== `refs/heads/${branch}`) return false;
  return isIntact(path);
}

/**
 * Whether the worktree at `path` is one git can work in: its `.git` file
 * names a registration that holds a `HEAD`. A power cut before they
 * reached the disk leaves either empty; a deleted folder has neither.
 *
 * @example
 * if (!isIntact(path)) await rebuild(path);
 */
export function isIntact(path: string): boolean {
  let pointer: string;
  try {
    pointer = readFileSync(join(path, '.git'), 'utf8');
  } catch {
    return false;
  }
  const gitDir = gitDirNamed(pointer, path);
  return gitDir !== null && existsSync(join(gitDir, 'HEAD'));
}

// what `git worktree add` writes in a worktree's registration (`.git/worktrees/<id>/`)
const ADMIN_FILES = ['gitdir', 'commondir', 'HEAD', 'locked'];

// a worktree's own directory in the repository's `.git/worktrees/`, as its `.git` file names it
async function adminDirOf(path: string): Promise<string> {
  const gitDir = gitDirNamed(await readFile(join(path, '.git'), 'utf8'), path);
  if (gitDir === null) throw new Error(`${path}/.git names no git directory`);
  return gitDir;
}
