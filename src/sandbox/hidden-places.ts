import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Places under `$HOME` that hold credentials or history: hidden from every
 * contained command (an empty directory or an empty file in their place).
 * `sandbox.hide` in `.troupe/config.json` adds more.
 */
export const HOME_SECRETS: readonly string[] = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.config/gh',
  '.config/hub',
  '.config/git/credentials',
  '.git-credentials',
  '.netrc',
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  '.pypirc',
  '.docker',
  '.kube',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.gem/credentials',
  '.m2/settings.xml',
  '.gradle/gradle.properties',
  '.terraform.d',
  '.vault-token',
  '.password-store',
  '.local/share/keyrings',
  '.pgpass',
  '.my.cnf',
  '.boto',
  '.s3cfg',
  '.oci',
  '.config/op',
  '.config/doctl',
  '.bash_history',
  '.zsh_history',
  '.psql_history',
  '.mysql_history',
  '.node_repl_history',
  '.python_history',
];

/**
 * Files of the machine that hold password hashes or host keys: hidden from
 * every contained command (the empty file in their place) whoever it runs
 * as — they are unreadable to an ordinary identity already; this holds for
 * one a misconfigured machine lets read them too.
 */
export const HOST_SECRETS: readonly string[] = [
  '/etc/shadow',
  '/etc/shadow-',
  '/etc/gshadow',
  '/etc/gshadow-',
  '/etc/security/opasswd',
];

/**
 * The machine's secret files to hide: {@link HOST_SECRETS} and the SSH host
 * keys of `/etc/ssh` (`ssh_host_*_key`, the private halves).
 *
 * @example
 * await hostSecrets(); // ['/etc/shadow', …, '/etc/ssh/ssh_host_ed25519_key']
 */
export async function hostSecrets(sshDir = '/etc/ssh'): Promise<string[]> {
  const keys = (await readdir(sshDir).catch(() => [] as string[]))
    .filter((name) => /^ssh_host_.*_key$/.test(name))
    .map((name) => join(sshDir, name));
  return [...HOST_SECRETS, ...keys];
}

/**
 * The bubblewrap arguments that hide `path` from a command: an empty
 * directory over a directory, the empty file over anything else; nothing
 * for a path that does not exist.
 *
 * @example
 * await hideArguments('/home/me/.ssh', emptyFile()); // ['--tmpfs', '/home/me/.ssh']
 */
export async function hideArguments(path: string, empty: string): Promise<string[]> {
  // a symlink is followed to what it names: hiding the link alone would leave the target readable
  const real = await realpath(path).catch(() => null);
  if (real === null) return [];
  const kind = await kindOf(real);
  if (kind === 'directory') return ['--tmpfs', real];
  if (kind === 'other') return ['--ro-bind', empty, real];
  return [];
}

let empty: string | undefined;

/**
 * An empty, read-only regular file of this process, mounted over hidden
 * files: a program that reads `~/.npmrc` finds it empty, as if unset (a
 * device node such as /dev/null cannot be opened on the sandbox's nodev
 * mounts, and `Permission denied` would break it). Removed when the process exits.
 */
export function emptyFile(): string {
  if (empty !== undefined && existsSync(empty)) return empty;
  const dir = mkdtempSync(join(tmpdir(), 'troupe-empty-'));
  const file = join(dir, 'empty');
  writeFileSync(file, '', { mode: 0o444 });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return (empty = file);
}

/** What is at a path, symbolic links not followed. */
export type EntryKind = 'missing' | 'directory' | 'symlink' | 'other';

/**
 * What is at `path`, without following a symbolic link there.
 *
 * @example
 * await kindOf('/etc'); // 'directory'
 */
export async function kindOf(path: string): Promise<EntryKind> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) return 'symlink';
    return info.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}
