import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { gitDirNamed } from './git-dir-pointer.js';

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

/** What stays the same for every command of a runtime: the project and what to hide and share. */
export interface ContainmentPolicy {
  /** The project the runtime works on: its working tree (and `.troupe/`) are hidden. */
  projectRoot: string;
  /** The user's home directory, whose {@link HOME_SECRETS} are hidden. */
  home: string;
  /** More absolute paths to hide (`sandbox.hide`, the host socket when it lives outside the project). */
  hide: readonly string[];
  /** Untracked paths of the project bound read-only at the same place in the worktree (`sandbox.share`). */
  share: readonly string[];
}

/** One command's part of the policy. */
export interface ContainedCommandShape {
  worktree: string;
  network: boolean;
  /** The command joins a namespace already made (a plan network): no `--unshare-net`, no host name resolution. */
  sharedNetwork?: boolean;
  readOnly: boolean;
  /** The other registered projects' working trees, hidden like the project's own. */
  otherProjects?: readonly string[];
  /** The size of the private `/tmp` and `/dev/shm` in bytes (bubblewrap ≥ 0.7 `--size`); unset: the kernel's default, half the memory. */
  tmpfsBytes?: number | undefined;
}

/** The arguments for bubblewrap, and the mount points it will create in the worktree (to remove afterwards). */
export interface BubblewrapPlan {
  args: string[];
  /** The worktree's real path: the command's working directory. */
  worktree: string;
  /** Paths in the worktree that do not exist yet and will be made as mount points for shared paths, outermost first. */
  placeholders: string[];
}

/**
 * The bubblewrap arguments that contain one command (DESIGN §11), before
 * `--` and the command itself. In mount order:
 *
 * 1. namespaces: user (capabilities dropped, no nested user namespaces),
 *    pid, ipc, uts, cgroup, and network unless the plan may use it; the
 *    sandbox dies with troupe and runs in a session of its own;
 * 2. the whole file system read-only, a fresh `/dev` (read-only but for
 *    its devices) and `/proc`, a private empty `/tmp` and `/dev/shm` of
 *    `tmpfsBytes` each, `/run` emptied (sockets of the host: docker,
 *    agents, dbus);
 * 3. hidden: the secret places of `$HOME` and `hide` — an empty directory
 *    or an empty file ({@link emptyFile}) mounted over each that exists;
 * 4. hidden: the project's working tree, every other registered project's
 *    and every repository the worktree belongs to (so `.troupe/`, other
 *    plans' worktrees and an untracked `.env` are gone), then that
 *    repository's git directory read-only again so `git status` works in
 *    the worktree;
 * 5. the worktree itself, writable (read-only in strategize), its `.git`
 *    pointer file read-only (rewriting it would steer troupe's own git);
 * 6. shared paths of the project, read-only, at their place in the worktree;
 * 7. the empty file systems of 2–4 remounted read-only (not the ones mounted
 *    inside them): writing where something is hidden fails.
 *
 * Later mounts win over earlier ones, which is why the order matters: the
 * worktree is visible although it sits inside the hidden project.
 *
 * @example
 * const plan = await bubblewrapArguments(policy, { worktree, network: false, readOnly: false }, { disableUserns: true });
 * spawn('bwrap', [...plan.args, '--', '/bin/sh', '-c', 'npm test']);
 */
export async function bubblewrapArguments(
  policy: ContainmentPolicy,
  command: ContainedCommandShape,
  options: { disableUserns: boolean; pending?: ReadonlyMap<string, number> | ReadonlySet<string>; emptyFile?: string },
): Promise<BubblewrapPlan> {
  const worktree = await realpath(command.worktree);
  const git = await gitDirsOf(worktree);
  const args: string[] = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(command.network || command.sharedNetwork === true ? [] : ['--unshare-net']),
    ...(options.disableUserns ? ['--disable-userns'] : []),
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    // /dev/shm and /tmp are their own file systems, of a bounded size: /dev itself is read-only
    ...size(command.tmpfsBytes),
    '--tmpfs',
    '/dev/shm',
    '--proc',
    '/proc',
    ...size(command.tmpfsBytes),
    '--tmpfs',
    '/tmp',
  ];
  // empty file systems that hide something: made read-only once everything is mounted in them,
  // so a write there fails ("Read-only file system") instead of vanishing with the sandbox
  const covers: string[] = ['/dev'];
  for (const run of ['/run', '/var/run']) {
    if ((await kindOf(run)) !== 'directory') continue;
    args.push('--tmpfs', run);
    covers.push(run);
    // name resolution lives under /run on many systems: a plan with the network needs it
    if (command.network) args.push('--ro-bind-try', join(run, 'systemd/resolve'), join(run, 'systemd/resolve'), '--ro-bind-try', join(run, 'resolvconf'), join(run, 'resolvconf'));
  }

  const hidden = [...HOME_SECRETS.map((secret) => join(policy.home, secret)), ...policy.hide];
  // some forty lookups, each a round trip to libuv's threads: side by side, in order
  const empty = options.emptyFile ?? emptyFile();
  for (const hide of await Promise.all(hidden.map((path) => hideArguments(path, empty)))) {
    args.push(...hide);
    if (hide[0] === '--tmpfs') covers.push(hide[1]!);
  }

  // a registered project whose folder is gone has nothing to hide (and no place to mount over)
  const others = (await Promise.all((command.otherProjects ?? []).map((root) => realpath(root).catch(() => null)))).filter((root) => root !== null);
  const projects = new Set([await realpath(policy.projectRoot).catch(() => resolve(policy.projectRoot)), ...others]);
  if (git.repository) projects.add(git.repository);
  for (const project of projects) {
    // a worktree that is the project itself has nothing of it to hide
    if (project === worktree) continue;
    args.push('--tmpfs', project);
    covers.push(project);
  }
  for (const dir of git.readOnly) args.push('--ro-bind', dir, dir);

  args.push(command.readOnly ? '--ro-bind' : '--bind', worktree, worktree);
  if (git.pointer) args.push('--ro-bind', git.pointer, git.pointer);

  const placeholders: string[] = [];
  const source = git.repository ?? (await realpath(policy.projectRoot).catch(() => policy.projectRoot));
  for (const shared of policy.share) {
    const bind = await shareArguments(source, worktree, shared, options.pending ?? new Set());
    if (!bind) continue;
    args.push('--ro-bind', bind.from, bind.to);
    placeholders.push(...bind.placeholders);
  }
  for (const cover of covers) args.push('--remount-ro', cover);
  args.push('--chdir', worktree);
  return { args, worktree, placeholders };
}

// `--size` applies to the `--tmpfs` after it
function size(bytes: number | undefined): string[] {
  return bytes === undefined ? [] : ['--size', String(bytes)];
}

/** Whether `path` is strictly inside `dir` (both absolute and normalised). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

async function hideArguments(path: string, empty: string): Promise<string[]> {
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

// the git directories a worktree needs read-only, the repository it belongs to, and its `.git` pointer file
async function gitDirsOf(worktree: string): Promise<{ readOnly: string[]; repository: string | null; pointer: string | null }> {
  const dotGit = join(worktree, '.git');
  const kind = await kindOf(dotGit);
  if (kind === 'missing') return { readOnly: [], repository: null, pointer: null };
  if (kind === 'directory') return { readOnly: [dotGit], repository: null, pointer: dotGit };
  const text = await readFile(dotGit, 'utf8').catch(() => '');
  const named = gitDirNamed(text, worktree);
  if (named === null) return { readOnly: [], repository: null, pointer: dotGit };
  const gitDir = await realpath(named).catch(() => null);
  if (gitDir === null) return { readOnly: [], repository: null, pointer: dotGit };
  const common = await readFile(join(gitDir, 'commondir'), 'utf8').then(
    (line) => realpath(resolve(gitDir, line.trim())).catch(() => null),
    () => null,
  );
  const commonDir = common ?? gitDir;
  const readOnly = isInside(gitDir, commonDir) || gitDir === commonDir ? [commonDir] : [commonDir, gitDir];
  // the repository's working tree, when its git directory is the usual `<repo>/.git`
  const repository = basename(commonDir) === '.git' ? dirname(commonDir) : null;
  return { readOnly, repository, pointer: dotGit };
}

// a shared path's bind, and the directories or file bubblewrap must create in
// the worktree for it; `pending`: mount points other running commands made,
// which count as missing (they go when their last user ends)
async function shareArguments(
  project: string,
  worktree: string,
  shared: string,
  pending: ReadonlyMap<string, number> | ReadonlySet<string>,
): Promise<{ from: string; to: string; placeholders: string[] } | null> {
  const from = join(project, shared);
  if ((await kindOf(from)) === 'missing') return null;
  const to = join(worktree, shared);
  const kind = async (path: string): Promise<EntryKind> => (pending.has(path) ? 'missing' : kindOf(path));
  // never mount through a path a command could have turned into a symlink
  const parent = dirname(to);
  const existing = await deepestExisting(parent, worktree, kind);
  if (existing === null || (await realpath(existing).catch(() => null)) !== existing) return null;
  const toKind = await kind(to);
  if (toKind === 'symlink') return null;
  const placeholders: string[] = [];
  if (toKind === 'missing') {
    // bubblewrap makes every missing directory on the way, then the mount point itself
    for (let path = parent; path !== existing; path = dirname(path)) placeholders.unshift(path);
    placeholders.push(to);
  }
  return { from: await realpath(from).catch(() => from), to, placeholders };
}

async function deepestExisting(path: string, stop: string, kindOfPath: (path: string) => Promise<EntryKind>): Promise<string | null> {
  for (let current = path; ; current = dirname(current)) {
    const kind = await kindOfPath(current);
    if (kind === 'directory') return current;
    if (kind !== 'missing' || current === stop || !isInside(current, stop)) return null;
  }
}

type EntryKind = 'missing' | 'directory' | 'symlink' | 'other';

async function kindOf(path: string): Promise<EntryKind> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) return 'symlink';
    return info.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}
