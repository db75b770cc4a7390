import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { gitDirNamed } from './git-dir-pointer.js';
import { kindOf } from './hidden-places.js';

/** The git directories of a worktree as a command's sandbox needs them. */
export interface WorktreeGitDirs {
  /** The directories bound read-only at their own paths when the worktree is not seen at its project's path. */
  readOnly: string[];
  /** The repository's working tree, when its git directory is the usual `<repo>/.git`. */
  repository: string | null;
  /** The worktree's `.git` (a pointer file, or a folder for a repository's main worktree), when there is one. */
  pointer: string | null;
  /** The worktree's own git directory (`<common>/worktrees/<id>`) and the repository's common one, when the pointer names them. */
  gitDir: string | null;
  commonDir: string | null;
}

/**
 * Where the repository's git directory is inside a sandbox that shows the
 * worktree at the project's path: `<project>/.git` is the worktree there,
 * so the repository's own `.git` (read-only) is mounted here, in the
 * sandbox's emptied `/run`, and the worktree's `.git` file names it.
 */
export const PROJECT_GIT = '/run/troupe/repository.git';

/**
 * The git directories `worktree` needs read-only, the repository it
 * belongs to, and its `.git` pointer file.
 *
 * @example
 * const git = await gitDirsOf('/repo/.troupe/worktrees/01J…'); // { repository: '/repo', commonDir: '/repo/.git', … }
 */
export async function gitDirsOf(worktree: string): Promise<WorktreeGitDirs> {
  const none = { readOnly: [], repository: null, gitDir: null, commonDir: null };
  const dotGit = join(worktree, '.git');
  const kind = await kindOf(dotGit);
  if (kind === 'missing') return { ...none, pointer: null };
  if (kind === 'directory') return { ...none, readOnly: [dotGit], pointer: dotGit };
  const text = await readFile(dotGit, 'utf8').catch(() => '');
  const named = gitDirNamed(text, worktree);
  if (named === null) return { ...none, pointer: dotGit };
  const gitDir = await realpath(named).catch(() => null);
  if (gitDir === null) return { ...none, pointer: dotGit };
  const common = await readFile(join(gitDir, 'commondir'), 'utf8').then(
    (line) => realpath(resolve(gitDir, line.trim())).catch(() => null),
    () => null,
  );
  const commonDir = common ?? gitDir;
  const readOnly = isWithin(gitDir, commonDir) || gitDir === commonDir ? [commonDir] : [commonDir, gitDir];
  const repository = basename(commonDir) === '.git' ? dirname(commonDir) : null;
  return { readOnly, repository, pointer: dotGit, gitDir, commonDir };
}

/**
 * Where a command sees its worktree (DESIGN §14, docs/explanation/sandbox.md#the-projects-own-paths):
 * at the path of the repository it belongs to — so `#!` lines, a venv's
 * `.pth` and editable installs, `node_modules/.bin` links and tools that
 * cached the project's path lead to the plan's files — when the worktree
 * is one of that repository's (`<repo>/.troupe/worktrees/<id>`) and its
 * git directory sits in the repository's common one. There, the
 * repository's `.git` is mounted at {@link PROJECT_GIT} and `gitFile`, a
 * `.git` file naming the worktree's git directory under it, is mounted
 * over `<project>/.git`: git there reports the plan's branch, and the
 * user's checkout is nowhere in the sandbox. Null where neither holds (the
 * worktree is the project itself, a bare or separate git directory): the
 * worktree is then seen at its own path, as before.
 *
 * @example
 * const view = projectView(worktree, await gitDirsOf(worktree)); // { inside: '/repo', gitFile: '/tmp/troupe-git-…/1' }
 */
export function projectView(worktree: string, git: WorktreeGitDirs): { inside: string; gitFile: string } | null {
  const { repository, gitDir, commonDir } = git;
  if (
    repository === null ||
    gitDir === null ||
    commonDir === null ||
    !isWithin(worktree, repository) ||
    !isWithin(gitDir, commonDir)
  )
    return null;
  return {
    inside: repository,
    gitFile: gitFileFor(`${PROJECT_GIT}/${relative(commonDir, gitDir).split(sep).join('/')}`),
  };
}

/**
 * A command's environment with `pathFirst` (a shared `.venv/bin`,
 * `node_modules/.bin`) first on its `PATH` and, for a virtual environment,
 * `VIRTUAL_ENV` set — what `source .venv/bin/activate` does, so `pytest`
 * and `python` are the project's. A plan's own `VIRTUAL_ENV` stands.
 *
 * @example
 * activated({ PATH: '/usr/bin' }, ['/repo/.venv/bin']); // { PATH: '/repo/.venv/bin:/usr/bin', VIRTUAL_ENV: '/repo/.venv' }
 */
export function activated(env: Record<string, string>, pathFirst: readonly string[]): Record<string, string> {
  if (pathFirst.length === 0) return env;
  const rest = (env.PATH ?? '').split(':').filter((dir) => dir !== '' && !pathFirst.includes(dir));
  const venv = pathFirst.find((dir) => !dir.endsWith('/.bin'));
  return {
    ...env,
    PATH: [...pathFirst, ...(rest.length > 0 ? rest : ['/usr/local/bin', '/usr/bin', '/bin'])].join(':'),
    ...(venv !== undefined && env.VIRTUAL_ENV === undefined ? { VIRTUAL_ENV: dirname(venv) } : {}),
  };
}

// the `.git` files a process mounted, by the git directory they name: written once each, read-only
const gitFiles = new Map<string, string>();
let folder: string | undefined;

function gitFileFor(gitDir: string): string {
  let file = gitFiles.get(gitDir);
  // a temp cleaner may have taken it since: written again
  if (file !== undefined && existsSync(file)) return file;
  if (folder === undefined || !existsSync(folder)) {
    const made = mkdtempSync(join(tmpdir(), 'troupe-git-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    folder = made;
  }
  file = join(folder, String(gitFiles.size + 1));
  writeFileSync(file, `gitdir: ${gitDir}\n`, { mode: 0o444 });
  gitFiles.set(gitDir, file);
  return file;
}

function isWithin(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}
