import { chmod, mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempDir(prefix = 'troupe-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A fresh temp directory that contained commands can read but not write:
 * outside /tmp, which every contained command gets empty and private (SPEC
 * §15). A test signals a running command through it (a file the command
 * waits for). Open to everyone (0755): run as root, troupe runs commands
 * as another user, who could not enter a folder mkdtemp makes (0700).
 */
export async function visibleTempDir(prefix = 'troupe-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const base = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
  const dir = await mkdtemp(join(base, prefix));
  await chmod(dir, 0o755);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Write files given as `{ 'path/in/repo': 'content' }` under `root`. */
export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

// tests must not depend on the machine's git identity or config
export const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Test User',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test User',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** Run git in `cwd` and return its trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

/**
 * A temp git repository with `files` committed on `main` (one commit).
 * Pass an empty object for a repo with an empty first commit.
 */
export async function tempRepo(
  files: Record<string, string | Buffer> = { 'README.md': '# test\n' },
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const temp = await tempDir('troupe-repo-');
  git(temp.dir, 'init', '-q', '-b', 'main');
  await writeFiles(temp.dir, files);
  git(temp.dir, 'add', '-A');
  git(temp.dir, 'commit', '-q', '--allow-empty', '-m', 'initial');
  return temp;
}
