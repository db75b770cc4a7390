import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { CommandIdentity } from './command-identity.js';
import { emptyFile, hideArguments, hostSecrets, HOME_SECRETS, kindOf, type EntryKind } from './hidden-places.js';
import { identityViews } from './identity-views.js';
import { gitDirsOf, PROJECT_GIT, projectView } from './project-view.js';

export { emptyFile, HOME_SECRETS } from './hidden-places.js';

/** What stays the same for every command of a runtime: the project and what to hide and share. */
export interface ContainmentPolicy {
  /** The project the runtime works on: its working tree (and `.troupe/`) are hidden. */
  projectRoot: string;
  /** The user's home directory (`$HOME`), whose {@link HOME_SECRETS} are hidden. */
  home: string;
  /** The account's home as the password database gives it, when it is not `home`: its secrets are hidden too. */
  accountHome?: string | undefined;
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
  /** The worktree's real path. */
  worktree: string;
  /** Where the command sees the worktree, its working directory: the project's own path, or the worktree's ({@link projectView}). */
  inside: string;
  /** Folders to put first on the command's `PATH`: a shared `.venv`'s `bin`, `node_modules/.bin` — as an activated environment does. */
  pathFirst: string[];
  /** Paths in the worktree that do not exist yet and will be made as mount points for shared paths, outermost first. */
  placeholders: string[];
}

/**
 * The bubblewrap arguments that contain one command (DESIGN §11, §13),
 * before `--` and the command itself. In mount order:
 *
 * 1. namespaces: pid, ipc, uts, cgroup, and network unless the plan may
 *    use it; the sandbox dies with troupe and runs in a session of its own.
 *    Who the command is ({@link CommandIdentity}): troupe's own user in a
 *    user namespace of its own with every capability dropped and no nested
 *    user namespaces; or — troupe being root — no user namespace (in one,
 *    the command's uid 0 would be the host's) and only the capabilities the
 *    first program needs to become the dedicated identity, which it drops
 *    with them ({@link switchUserArguments});
 * 2. the whole file system read-only, a fresh `/dev` (read-only but for
 *    its devices) and `/proc`, a private empty `/tmp` and `/dev/shm` of
 *    `tmpfsBytes` each (writable by anyone in it, sticky), `/run` emptied
 *    (sockets of the host: docker, agents, dbus), and the kernel's settings
 *    read-only again whatever bubblewrap decided: {@link KERNEL_SETTINGS};
 * 3. what the identity could not walk through made walkable ({@link identityViews}):
 *    a home rebuilt from what anyone may read of it, a closed folder above
 *    the project or a home mounted empty with their paths made again;
 * 4. hidden: the secret places of `$HOME` and of the account's home, the
 *    machine's password hashes and host keys, and `hide` — an empty
 *    directory or an empty file ({@link emptyFile}) mounted over each that exists;
 * 5. hidden: the project's working tree, every other registered project's
 *    and every repository the worktree belongs to (so `.troupe/`, other
 *    plans' worktrees and an untracked `.env` are gone), then that
 *    repository's git directory read-only at {@link PROJECT_GIT};
 * 6. the worktree itself at the project's own path (docs/explanation/architecture.md
 *    "The project's own paths"), writable (read-only in strategize), with a
 *    read-only `.git` file there that points at {@link PROJECT_GIT}: `#!`
 *    lines, `.pth` files and `node_modules/.bin` links that name the
 *    project's path reach the plan's files, and git there is the plan's branch;
 * 7. shared paths of the project, read-only, at their place in the worktree;
 * 8. the empty file systems of 2–5 remounted read-only (not the ones mounted
 *    inside them): writing where something is hidden fails.
 *
 * Later mounts win over earlier ones, which is why the order matters: the
 * worktree is visible although it sits inside the hidden project.
 *
 * @example
 * const plan = await bubblewrapArguments(policy, { worktree, network: false, readOnly: false }, { disableUserns: true, identity });
 * spawn('bwrap', [...plan.args, '--', ...switchUserArguments(identity, setpriv), '/bin/sh', '-c', 'npm test']);
 */
export async function bubblewrapArguments(
  policy: ContainmentPolicy,
  command: ContainedCommandShape,
  options: {
    disableUserns: boolean;
    identity?: CommandIdentity;
    pending?: ReadonlyMap<string, number> | ReadonlySet<string>;
    emptyFile?: string;
  },
): Promise<BubblewrapPlan> {
  const worktree = await realpath(command.worktree);
  const git = await gitDirsOf(worktree);
  const privileged = options.identity !== undefined && options.identity.kind !== 'own';
  // a shared /tmp is the identity's as much as anyone's: sticky and open, as on the host
  const open = privileged ? ['--perms', '1777'] : [];
  const args: string[] = [
    ...(privileged ? [] : ['--unshare-user']),
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(command.network || command.sharedNetwork === true ? [] : ['--unshare-net']),
    ...(options.disableUserns && !privileged ? ['--disable-userns'] : []),
    '--cap-drop',
    'ALL',
    ...(privileged ? SWITCH_CAPABILITIES.flatMap((capability) => ['--cap-add', capability]) : []),
    '--die-with-parent',
    '--new-session',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    // /dev/shm and /tmp are their own file systems, of a bounded size: /dev itself is read-only
    ...open,
    ...size(command.tmpfsBytes),
    '--tmpfs',
    '/dev/shm',
    '--proc',
    '/proc',
    // every Linux has /proc/sys; the trigger depends on the kernel's configuration (CONFIG_MAGIC_SYSRQ)
    '--ro-bind',
    KERNEL_SETTINGS[0]!,
    KERNEL_SETTINGS[0]!,
    '--ro-bind-try',
    KERNEL_SETTINGS[1]!,
    KERNEL_SETTINGS[1]!,
    ...open,
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
    if (command.network)
      args.push(
        '--ro-bind-try',
        join(run, 'systemd/resolve'),
        join(run, 'systemd/resolve'),
        '--ro-bind-try',
        join(run, 'resolvconf'),
        join(run, 'resolvconf'),
      );
  }

  const homes = [...new Set([policy.home, ...(policy.accountHome === undefined ? [] : [policy.accountHome])])];
  // a registered project whose folder is gone has nothing to hide (and no place to mount over)
  const others = (
    await Promise.all((command.otherProjects ?? []).map((root) => realpath(root).catch(() => null)))
  ).filter((root) => root !== null);
  const projects = new Set([await realpath(policy.projectRoot).catch(() => resolve(policy.projectRoot)), ...others]);
  if (git.repository) projects.add(git.repository);
  // bubblewrap makes the folders on the way to a mount point root's, mode 0700: an identity
  // that is not root could not walk through them to its worktree by its path — in the empty
  // file systems troupe mounts, the private /tmp and /dev/shm among them (a project at /tmp/work/app)
  const way = (target: string, under: readonly string[] = covers): string[] =>
    privileged
      ? foldersOnTheWay(target, [...under, ...PRIVATE_TMP]).flatMap((dir) => ['--perms', '0755', '--dir', dir])
      : [];
  if (options.identity) {
    // what the identity could not walk through on the host, made walkable before anything is hidden
    // in it: above the hidden projects, the worktree when no hidden project holds it, and the homes
    const reached = [...projects, ...([...projects].some((project) => isInside(worktree, project)) ? [] : [worktree])];
    const views = await identityViews(homes, reached, options.identity, covers, way);
    args.push(...views.args);
    covers.push(...views.covers);
  }

  const hidden = [
    ...homes.flatMap((home) => HOME_SECRETS.map((secret) => join(home, secret))),
    ...(await hostSecrets()),
    ...policy.hide,
  ];
  // some forty lookups, each a round trip to libuv's threads: side by side, in order
  const empty = options.emptyFile ?? emptyFile();
  for (const hide of await Promise.all(hidden.map((path) => hideArguments(path, empty)))) {
    args.push(...hide);
    if (hide[0] === '--tmpfs') covers.push(hide[1]!);
  }

  // the worktree at the project's own path, whose user checkout it covers (none of it is mounted)
  const view = (await kindOf('/run')) === 'directory' ? projectView(worktree, git) : null;
  for (const project of projects) {
    // a worktree that is the project itself has nothing of it to hide; the one the worktree covers neither
    if (project === worktree || project === view?.inside) continue;
    args.push(...way(project), '--tmpfs', project);
    covers.push(project);
  }
  const bind = command.readOnly ? '--ro-bind' : '--bind';
  const inside = view?.inside ?? worktree;
  if (view) {
    args.push(
      ...way(PROJECT_GIT),
      '--ro-bind',
      git.commonDir!,
      PROJECT_GIT,
      ...way(inside),
      bind,
      worktree,
      inside,
      '--ro-bind',
      view.gitFile,
      join(inside, '.git'),
    );
  } else {
    for (const dir of git.readOnly) args.push(...way(dir), '--ro-bind', dir, dir);
    args.push(...way(worktree), bind, worktree, worktree);
    if (git.pointer) args.push('--ro-bind', git.pointer, git.pointer);
  }

  const placeholders: string[] = [];
  const pathFirst: string[] = [];
  const source = git.repository ?? (await realpath(policy.projectRoot).catch(() => policy.projectRoot));
  // a path of the worktree as the command sees it
  const seen = (path: string): string => (path === worktree ? inside : join(inside, relative(worktree, path)));
  for (const shared of policy.share) {
    const share = await shareArguments(source, worktree, shared, options.pending ?? new Set());
    if (!share) continue;
    // the folders made in the worktree for it (all but the mount point) likewise
    if (privileged) for (const dir of share.placeholders.slice(0, -1)) args.push('--perms', '0755', '--dir', seen(dir));
    args.push('--ro-bind', share.from, seen(share.to));
    placeholders.push(...share.placeholders);
    const first = ACTIVATED[shared.replace(/\/+$/, '')];
    if (first !== undefined) pathFirst.push(join(inside, first));
  }
  for (const cover of covers) args.push('--remount-ro', cover);
  args.push('--chdir', inside);
  return {
    args,
    worktree,
    inside,
    pathFirst: pathFirst.sort((a, b) => activationOrder(a) - activationOrder(b)),
    placeholders,
  };
}

// the sandbox's own writable file systems, empty at its start
const PRIVATE_TMP = ['/tmp', '/dev/shm'];

// the shared folders whose programs a command finds first, as an activated environment gives them
const ACTIVATED: Readonly<Record<string, string>> = {
  '.venv': '.venv/bin',
  venv: 'venv/bin',
  node_modules: 'node_modules/.bin',
};
// a virtual environment's programs before node_modules': `python` is the venv's
const activationOrder = (path: string): number => (path.endsWith('/.bin') ? 1 : 0);

/**
 * The kernel's switches in the sandbox's fresh `/proc`, mounted read-only
 * again in every sandbox. Bubblewrap means to remount `/proc/sys`
 * read-only but tests whether the directory is writable first — which its
 * mode 0555 says it is not — so the settings stayed writable, and the
 * host's root owns them: a command that is uid 0 on the host could set
 * `kernel.core_pattern` and have the kernel run its script as root.
 * (`/sys` is the host's, under the read-only root: bubblewrap makes every
 * mount under it read-only with it; the escape suite checks both.)
 */
export const KERNEL_SETTINGS: readonly string[] = ['/proc/sys', '/proc/sysrq-trigger'];

// what the first program keeps to become the dedicated identity (setuid, setgid, and dropping the bounding set)
const SWITCH_CAPABILITIES = ['CAP_SETUID', 'CAP_SETGID', 'CAP_SETPCAP'];

/**
 * What starts a contained command as `identity` when troupe is root: util-linux's
 * `setpriv` (at `setpriv`) sets the real, effective and saved user and group
 * ids, clears the supplementary groups and the inheritable and bounding
 * capability sets, then runs what follows — with no capability left, and
 * unable to get one back (bubblewrap set no-new-privileges). Nothing for an
 * `own` identity: the user namespace did it.
 *
 * @example
 * switchUserArguments({ kind: 'dedicated', uid: 998, gid: 998, name: 'troupe-sandbox' }, '/usr/bin/setpriv');
 * // ['/usr/bin/setpriv', '--reuid=998', '--regid=998', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--']
 */
export function switchUserArguments(identity: CommandIdentity, setpriv: string): string[] {
  if (identity.kind === 'own') return [];
  return [
    setpriv,
    `--reuid=${identity.uid}`,
    `--regid=${identity.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--',
  ];
}

/**
 * The folders between an empty file system of `covers` and `target`,
 * outermost first: those bubblewrap would make to mount `target`.
 *
 * @example
 * foldersOnTheWay('/repo/.troupe/worktrees/01J', ['/repo']); // ['/repo/.troupe', '/repo/.troupe/worktrees']
 */
export function foldersOnTheWay(target: string, covers: readonly string[]): string[] {
  const folders: string[] = [];
  for (let dir = dirname(target); dir !== dirname(dir); dir = dirname(dir)) {
    if (covers.some((cover) => isInside(dir, cover))) folders.unshift(dir);
  }
  return folders;
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

async function deepestExisting(
  path: string,
  stop: string,
  kindOfPath: (path: string) => Promise<EntryKind>,
): Promise<string | null> {
  for (let current = path; ; current = dirname(current)) {
    const kind = await kindOfPath(current);
    if (kind === 'directory') return current;
    if (kind !== 'missing' || current === stop || !isInside(current, stop)) return null;
  }
}
