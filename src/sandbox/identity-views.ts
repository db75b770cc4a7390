import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { CommandIdentity } from './command-identity.js';

// What a command running as troupe's dedicated identity (troupe as root) sees
// of the folders it could not walk through on the host: a home rebuilt from
// what anyone may read of it, and a closed folder above the project mounted
// empty with the project's paths made again inside (DESIGN §13,
// docs/explanation/sandbox.md#who-a-command-is).

/** The bubblewrap arguments of {@link identityViews}, and the empty file systems they mount (to remount read-only at the end). */
export interface IdentityViews {
  args: string[];
  covers: string[];
}

/**
 * What makes the homes and the projects reachable by `identity`, mounted
 * before anything is hidden in them: each closed folder above `reached`
 * (the projects, the worktree) or above a home, empty; each home under
 * one bound back (`way` gives the `--dir`s on the way to it); a home the
 * identity cannot enter itself rebuilt ({@link homeViewArguments}).
 * Nothing for an `own` identity.
 *
 * @example
 * const views = await identityViews(['/root'], ['/tmp/tmp.x1/app'], identity, covers, way);
 */
export async function identityViews(
  homes: readonly string[],
  reached: readonly string[],
  identity: CommandIdentity,
  skip: readonly string[],
  way: (target: string, covers: readonly string[]) => string[],
): Promise<IdentityViews> {
  if (identity.kind === 'own') return { args: [], covers: [] };
  const args: string[] = [];
  const covers: string[] = [];
  const realHomes = (await Promise.all(homes.map((home) => realpath(home).catch(() => null)))).filter(
    (home): home is string => home !== null && home !== '/',
  );
  const viewed = await Promise.all(
    realHomes.map(async (home) => ({ home, view: await homeViewArguments(home, identity) })),
  );
  // a home rebuilt is walkable in the sandbox: what is under it is no reason for another cover
  const rebuilt = viewed.filter(({ view }) => view.length > 0).map(({ home }) => home);
  for (const closed of await closedAncestors([...reached, ...realHomes], identity, [...skip, ...rebuilt])) {
    args.push('--tmpfs', closed);
    covers.push(closed);
  }
  for (const { home, view } of viewed) {
    const under = covers.some((cover) => home.startsWith(`${cover}${sep}`));
    if (under) args.push(...way(home, [...skip, ...covers]));
    if (view.length > 0) {
      args.push(...view);
      covers.push(home);
    } else if (under) args.push('--ro-bind', home, home);
  }
  return { args, covers };
}

// by home directory: its entries as last read, and the directory's change time then
const homeEntries = new Map<string, { changed: number; entries: { name: string; link: string | null }[] }>();

/**
 * A home directory the command's identity cannot enter (root's `/root`,
 * mode 0700, when commands run as {@link CommandIdentity} `dedicated`),
 * rebuilt for it: an empty read-only directory in its place with each
 * entry anyone may read (a file) or enter (a folder) bound back read-only,
 * symbolic links made again. Each keeps its own permissions, so what the
 * home's owner left readable — a toolchain under `~/.pyenv` or `~/.cargo`,
 * `~/.gitconfig` — is readable, and what is private (mode 0600, 0700) is
 * not there at all. Secrets are hidden
 * over it afterwards like anywhere. Nothing for an identity that can enter
 * the home already, or a home that does not exist.
 *
 * @example
 * await homeViewArguments('/root', identity); // ['--tmpfs', '/root', '--ro-bind', '/root/.pyenv', '/root/.pyenv', …]
 */
export async function homeViewArguments(home: string, identity: CommandIdentity): Promise<string[]> {
  if (identity.kind === 'own') return [];
  const real = await realpath(home).catch(() => null);
  if (real === null || real === '/') return [];
  const info = await stat(real).catch(() => null);
  if (!info?.isDirectory() || (info.mode & 0o001) !== 0) return [];
  let known = homeEntries.get(real);
  if (known?.changed !== info.ctimeMs + info.mtimeMs) {
    const names = await readdir(real).catch(() => [] as string[]);
    const entries = (await Promise.all(names.map((name) => viewEntry(real, name)))).filter((entry) => entry !== null);
    known = { changed: info.ctimeMs + info.mtimeMs, entries };
    homeEntries.set(real, known);
  }
  const args = ['--tmpfs', real];
  for (const { name, link } of known.entries) {
    const path = join(real, name);
    if (link === null) args.push('--ro-bind-try', path, path);
    else args.push('--symlink', link, path);
  }
  return args;
}

// an entry of a home as the view shows it: a link made again; a folder anyone may enter or a file
// anyone may read bound back; anything private left out — "no such file", as if unset, where
// "permission denied" would stop a tool that reads it (git and an unreadable ~/.gitconfig)
async function viewEntry(home: string, name: string): Promise<{ name: string; link: string | null } | null> {
  const path = join(home, name);
  const info = await lstat(path).catch(() => null);
  if (info === null) return null;
  if (info.isSymbolicLink()) return { name, link: await readlink(path).catch(() => '') };
  const open = info.isDirectory() ? (info.mode & 0o001) !== 0 : (info.mode & 0o004) !== 0;
  return open ? { name, link: null } : null;
}

/**
 * The outermost folder above each of `paths` that `identity` may not walk
 * through (mode 0700 of someone else: a CI workspace made by `mktemp -d`,
 * a user's private folder), none for an `own` identity. Mounted empty in
 * the sandbox, it hides nothing the identity could reach on the host, and
 * the project's worktree and git directory mounted inside it are reachable
 * again by their own paths — which tools use: Node resolves a module by
 * its real path, and a command's identity could not have gone through
 * that folder. Folders inside `skip` (a home given a view) are not looked at.
 *
 * @example
 * await closedAncestors(['/tmp/tmp.x1/app'], identity, []); // ['/tmp/tmp.x1'] when /tmp/tmp.x1 is 0700 root
 */
export async function closedAncestors(
  paths: readonly string[],
  identity: CommandIdentity,
  skip: readonly string[],
): Promise<string[]> {
  if (identity.kind === 'own') return [];
  const closed = new Set<string>();
  for (const path of paths) {
    const above: string[] = [];
    for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) above.unshift(dir);
    for (const dir of above) {
      if (skip.some((viewed) => dir === viewed || dir.startsWith(`${viewed}${sep}`))) break;
      const info = await stat(dir).catch(() => null);
      if (info === null) break;
      if (!walkable(info, identity)) {
        closed.add(dir);
        break;
      }
    }
  }
  // one inside another needs no mount of its own
  return [...closed].filter((dir) => ![...closed].some((other) => other !== dir && dir.startsWith(`${other}${sep}`)));
}

// whether the identity may search the folder: as its owner, through its group, or as anyone
function walkable(info: { uid: number; gid: number; mode: number }, identity: CommandIdentity): boolean {
  if (info.uid === identity.uid) return (info.mode & 0o100) !== 0;
  if (info.gid === identity.gid) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}
