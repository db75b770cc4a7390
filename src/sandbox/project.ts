import { randomUUID } from 'node:crypto';
import { appendFile, chmod, link, lstat, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { syncPaths } from './durable-files.js';
import {
  applyChanges,
  previewApply,
  type ApplyOptions,
  type ApplyPreviewResult,
  type ApplyResult,
  type TreeMerger,
} from './apply-changes.js';
import { parseStatusPaths } from './file-changes.js';
import { gitCommand, type GitCommand } from './git-command.js';
import { WORKTREES_DIR } from './worktree-paths.js';
import { chomp, excludesTroupe, findProjectRoot } from './project-root.js';

export { findProjectRoot } from './project-root.js';

/** What `.troupe/config.json` holds in a new project (SPEC §3). */
export const DEFAULT_PROJECT_CONFIG = {
  invariants: [],
  actors: { strategist: 'scripted', reconciler: 'default' },
} as const;

const EXCLUDE_LINE = '.troupe/';

/**
 * Make the repository holding `dir` a troupe project: `.troupe/`,
 * `.troupe/worktrees/`, a default `.troupe/config.json` (kept if present;
 * `share`: the `sandbox.share` a new one lists)
 * and a `.troupe/` line in the repository's `info/exclude`. Idempotent;
 * `created` is false when there was nothing left to do. `config: false`
 * leaves the config file out (an embedded runtime on the memory store
 * writes nothing but its sandboxes).
 *
 * @example
 * const { root, created } = await initProject('.');
 */
export async function initProject(
  dir: string,
  options: { config?: boolean } = {},
): Promise<{ root: string; created: boolean }> {
  return setUpProject(await findProjectRoot(dir), options);
}

/**
 * {@link initProject} for a repository whose root is known already (one git
 * process fewer: a command checks its project before it writes anything).
 *
 * @example
 * const root = await findProjectRoot('.');
 * await setUpProject(root, { config: true });
 */
export async function setUpProject(
  root: string,
  options: { config?: boolean; share?: readonly string[] } = {},
): Promise<{ root: string; created: boolean }> {
  let created = (await mkdir(join(root, WORKTREES_DIR), { recursive: true })) !== undefined;
  // the folders a plan's records live under, named on the disk before any record is written there
  if (created) await syncPaths([join(root, '.troupe'), join(root, WORKTREES_DIR)]);
  // the store, the sandboxes and what commands wrote there are the user's alone: no other local user enters
  await closeToOthers(join(root, '.troupe'));
  await closeToOthers(join(root, WORKTREES_DIR));

  if (options.config !== false) {
    // a new config lists the dependency folders found to share (createRuntime's); an existing one is never touched here
    const config =
      options.share !== undefined && options.share.length > 0
        ? { ...DEFAULT_PROJECT_CONFIG, sandbox: { share: options.share } }
        : DEFAULT_PROJECT_CONFIG;
    created =
      (await writeNewFile(join(root, '.troupe', 'config.json'), `${JSON.stringify(config, null, 2)}\n`)) || created;
  }

  // the common dir, not .git: from a linked worktree `.git` is a file, and
  // info/exclude is shared by every worktree of the repository
  const commonDir = resolve(root, chomp(await gitCommand(root).run(['rev-parse', '--git-common-dir'])));
  const excludePath = join(commonDir, 'info', 'exclude');
  const exclude = await readFile(excludePath, 'utf8').catch(() => '');
  if (!excludesTroupe(exclude)) {
    await mkdir(join(commonDir, 'info'), { recursive: true });
    const separator = exclude === '' || exclude.endsWith('\n') ? '' : '\n';
    await appendFile(excludePath, `${separator}${EXCLUDE_LINE}\n`);
    await syncPaths([excludePath]);
    created = true;
  }
  return { root, created };
}

/**
 * The user's project repository as troupe sees it: its HEAD, whether its
 * tree is dirty, and apply (a plan's changes onto the current branch as one
 * commit by troupe).
 *
 * @example
 * const project = createProjectRepo(root);
 * const result = await project.applyChanges({ base, head, message: 'demo/x: add license headers', planId });
 */
export class ProjectRepo {
  readonly root: string;
  private readonly git: GitCommand;
  private readonly merger: TreeMerger;

  /** `merger` merges when the project moved on since the sandbox's base (the runtime passes the merge engine). */
  constructor(root: string, merger: TreeMerger) {
    this.root = resolve(root);
    this.git = gitCommand(this.root);
    this.merger = merger;
  }

  /** The commit HEAD points at, or null when the current branch has no commits. */
  async head(): Promise<string | null> {
    const output = await this.git.tryRun(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    return output === null ? null : output.trim();
  }

  /**
   * Tracked files that differ from HEAD in the index or the working tree
   * (modified, staged, deleted). Untracked files and `.troupe/` never count.
   */
  async dirtyPaths(): Promise<string[]> {
    const output = await this.git.run([
      'status',
      '--porcelain',
      '-z',
      '--untracked-files=no',
      '--no-renames',
      '--ignore-submodules=all',
    ]);
    return parseStatusPaths(output).filter((path) => path !== '.troupe' && !path.startsWith('.troupe/'));
  }

  /**
   * Bring a sandbox's changes (`base..head`) onto the current branch as one
   * commit by troupe with a `Troupe-Plan-Id` trailer. Idempotent per plan.
   * Like `git merge`, keeps uncommitted changes in files it does not write;
   * refuses changes in files it writes (`DIRTY_WORKTREE`) and conflicting
   * changes (`MERGE_CONFLICT`), leaving the project untouched.
   */
  async applyChanges(options: ApplyOptions): Promise<ApplyResult> {
    return applyChanges(this, this.git, this.merger, options);
  }

  /** What {@link applyChanges} would do now, changing nothing (`plan apply --dry-run`). */
  async previewApply(options: ApplyOptions, show: { patch?: boolean } = {}): Promise<ApplyPreviewResult> {
    return previewApply(this, this.git, this.merger, options, show);
  }
}

/**
 * A {@link ProjectRepo} for the repository whose root is `root`.
 *
 * @example
 * const project = createProjectRepo(await findProjectRoot('.'), merger);
 */
export function createProjectRepo(root: string, merger: TreeMerger): ProjectRepo {
  return new ProjectRepo(root, merger);
}

// 0700 for a folder of troupe's this process owns (one it does not own is left as it is)
async function closeToOthers(dir: string): Promise<void> {
  const info = await lstat(dir);
  if (!info.isDirectory() || info.uid !== process.getuid?.() || (info.mode & 0o077) === 0) return;
  await chmod(dir, info.mode & 0o7700);
}

// Never replaces a file the user has edited, even in a race, and never shows
// a half-written one: two commands starting at once on a new project both
// read the config, so it appears whole (a link is atomic and fails if the
// file exists). Whether this call created it.
async function writeNewFile(path: string, content: string): Promise<boolean> {
  const draft = `${path}.${randomUUID()}.tmp`;
  await writeFile(draft, content);
  // whole on the disk before it has its name: a power cut leaves it, or none (an empty
  // config.json is one no command reads)
  await syncPaths([draft]);
  try {
    await link(draft, path);
    await syncPaths([path]);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // a file system without hard links: created exclusively, if not in one step
    return writeFile(path, content, { flag: 'wx' }).then(
      () => true,
      (failure: NodeJS.ErrnoException) => (failure.code === 'EEXIST' ? false : Promise.reject(failure)),
    );
  } finally {
    await unlink(draft);
  }
}
