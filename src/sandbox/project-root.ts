import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TroupeError } from '../domain/errors.js';
import { NO_PAGER, TROUPE_CONFIG } from './git-settings.js';
import { gitEnvironment, spawnGit } from './git-spawn.js';

// one git process, spawned directly: every command starts here, and simple-git is not worth loading for it
const SHOW_TOPLEVEL = [
  NO_PAGER,
  ...TROUPE_CONFIG.flatMap((setting) => ['-c', setting]),
  'rev-parse',
  '--show-toplevel',
];

/**
 * The root of the git repository (work tree) that holds `dir`.
 * Fails with `NOT_A_GIT_REPO` outside one, or when `dir` does not exist.
 *
 * @example
 * const root = await findProjectRoot(process.cwd()); // '/home/me/repo'
 */
export async function findProjectRoot(dir: string): Promise<string> {
  const absolute = resolve(dir);
  const notARepo = new TroupeError('NOT_A_GIT_REPO', `${dir} is not inside a git repository`, {
    hint: 'run git init first, or pass -C <repo>',
  });
  // git would fail in a missing directory with its own error; ours says what to do
  if (!isDirectory(absolute)) throw notARepo;
  const done = await spawnGit(absolute, SHOW_TOPLEVEL, gitEnvironment());
  const root = done.exitCode === 0 ? chomp(done.stdout.toString('utf8')) : '';
  if (root === '') throw notARepo;
  return root;
}

/** Whether `path` is a directory. */
export function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Git's answer without the newline it ends with (a path may end in spaces: only that is trimmed). */
export function chomp(output: string): string {
  return output.replace(/\r?\n$/, '');
}

// lines that already keep .troupe/ out of git, written by us or by hand
const EXCLUDES_TROUPE = new Set(['.troupe', '.troupe/', '/.troupe', '/.troupe/']);

/** Whether the text of an `info/exclude` file keeps `.troupe/` out of git. */
export function excludesTroupe(exclude: string): boolean {
  return exclude.split(/\r?\n/).some((line) => EXCLUDES_TROUPE.has(line.trim()));
}

/**
 * Whether setting the project at `root` up (setUpProject, with its config)
 * would find nothing left to do — answered from the files alone, without
 * git: false whenever it cannot tell (a linked worktree, whose common
 * directory only git names). A command that only reads needs no more.
 *
 * @example
 * if (!isSetUp(root)) await setUpProject(root, { config: true });
 */
export function isSetUp(root: string): boolean {
  const gitDir = join(root, '.git');
  if (!isDirectory(join(root, '.troupe', 'worktrees')) || !existsSync(join(root, '.troupe', 'config.json')))
    return false;
  // a main worktree's .git is its common directory; a linked one's is a file (or has a commondir)
  if (!isDirectory(gitDir) || existsSync(join(gitDir, 'commondir'))) return false;
  try {
    return excludesTroupe(readFileSync(join(gitDir, 'info', 'exclude'), 'utf8'));
  } catch {
    return false;
  }
}
