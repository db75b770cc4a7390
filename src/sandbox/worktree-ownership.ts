import { closeSync, constants, fchmodSync, fstatSync, openSync } from 'node:fs';
import { chmod, chown, lchown, lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandIdentity } from './command-identity.js';
import { gitDirNamed } from './git-dir-pointer.js';
import { probeBytes } from './probe-output.js';
// the tools' own environment: nothing of troupe's or a plan's
const TOOL_ENV = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', LC_ALL: 'C' };
// set-user-ID and set-group-ID
const SET_ID_BITS = 0o6000;
const OPEN_FOLDER = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
// no-follow, and nothing a FIFO or a device would do on open
const OPEN_ANY = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;
// arguments per chown process: far below any system's limit on a command line
const CHOWN_BATCH = 2_000;
// a big worktree takes a while to walk
const WALK_TIMEOUT_MS = 120_000;
// a file removed while the tool walked is no failure: what it did to the rest holds
const vanished = (stderr: string): boolean =>
  stderr
    .trim()
    .split('\n')
    .every((line) => /No such file or directory/.test(line));

// by worktree (its real path): the signature of its git index when troupe last handed it over,
// and whether troupe's own tools wrote in it since
const handed = new Map<string, { index: string; written: boolean }>();

/**
 * Say that troupe itself wrote in a worktree (a file tool, a custom tool
 * that asked for a path to write): the next command finds it handed over
 * again. git's own writes need no word: they rewrite the worktree's index,
 * which {@link prepareWorktree} looks at.
 *
 * @example
 * await writeFile(join(root, 'a.txt'), 'x'); noteTroupeWrite(root);
 */
export function noteTroupeWrite(worktree: string): void {
  const known = handed.get(worktree);
  if (known) known.written = true;
}

/**
 * Make a worktree writable by the identity its commands run as, when troupe
 * runs as root and that identity is not troupe's own (docs/explanation/sandbox.md#who-a-command-is):
 *
 * - the worktree's own directory stays root's, with the identity's group
 *   (mode 0770): git refuses to work in a repository whose top or `.git`
 *   file someone else owns ("dubious ownership"), so troupe's git keeps
 *   working there unchanged, and nobody but root and the identity enters;
 * - everything else in it that root owns — what troupe's git checked out,
 *   what its file tools and merges wrote — becomes the identity's, so a
 *   command can change it. The `.git` pointer file stays root's.
 *
 * The walk is GNU chown's (`-R -P -h`): it never follows a symbolic link,
 * on the command line or on the way, and moves through directories by
 * descriptor, so a command of the plan still running (a service) that
 * swaps a folder for a link cannot turn it toward a file outside. It runs
 * only when troupe may have written since the last one: its git changed
 * the worktree's index, or a file tool said so ({@link noteTroupeWrite}) —
 * a command that runs after a command costs no walk. A directory whose
 * `.git` is a folder is a repository's main working tree, never a sandbox:
 * only its top is touched; a read-only command needs only the top too.
 * Nothing happens for an `own` identity.
 *
 * @example
 * await prepareWorktree('/repo/.troupe/worktrees/01J…', await commandIdentity());
 */
export async function prepareWorktree(
  worktree: string,
  identity: CommandIdentity,
  options: { readOnly?: boolean } = {},
): Promise<void> {
  if (identity.kind === 'own') return;
  const real = await realpath(worktree);
  const top = await lstat(real);
  if (!top.isDirectory()) return;
  if (top.uid !== 0 || top.gid !== identity.gid) await chown(real, 0, identity.gid);
  if ((top.mode & 0o7777) !== 0o770) await chmod(real, 0o770);
  if (options.readOnly === true) return;
  const dotGit = await lstat(join(real, '.git')).catch(() => null);
  if (dotGit?.isDirectory()) return;
  const index = await indexSignature(real);
  const known = handed.get(real);
  if (known !== undefined && !known.written && known.index === index) return;
  // recorded before the walk: a write while it runs marks it again
  handed.set(real, { index, written: false });
  try {
    const entries = (await readdir(real)).filter((name) => name !== '.git').map((name) => join(real, name));
    for (let start = 0; start < entries.length; start += CHOWN_BATCH) {
      const batch = entries.slice(start, start + CHOWN_BATCH);
      await probeBytes('chown', ['-R', '-P', '-h', '--from=0', `${identity.uid}:${identity.gid}`, '--', ...batch], {
        env: TOOL_ENV,
        timeoutMs: WALK_TIMEOUT_MS,
        tolerate: vanished,
      });
    }
    if (dotGit !== null && dotGit.uid !== 0) await lchown(join(real, '.git'), 0, 0);
  } catch (error) {
    handed.delete(real);
    throw error;
  }
}

// the worktree's git index as it is now (inode, size, times), or '' when it has none
async function indexSignature(worktree: string): Promise<string> {
  const pointer = await readFile(join(worktree, '.git'), 'utf8').catch(() => '');
  const gitDir = gitDirNamed(pointer, worktree);
  if (gitDir === null) return '';
  const info = await stat(join(gitDir, 'index'), { bigint: true }).catch(() => null);
  return info === null ? '' : `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

/**
 * Remove every set-user-ID and set-group-ID bit in a worktree, before a
 * step that ran commands is committed: such a file is its owner's to
 * whoever runs it (a root-owned setuid copy of a shell, made by a command
 * that were root). Contained commands are refused such a bit by their
 * system-call filter; this is the wall behind it. Returns the paths,
 * relative to the worktree, that lost a bit (the step's result names them).
 *
 * `find` lists them without following links; each is then reached from
 * the worktree one folder at a time, none followed if it is a link (a
 * running service may swap a folder for one: that name is left alone), and
 * changed through its descriptor. Names are bytes throughout: one that is
 * not UTF-8 is found and cleared all the same.
 *
 * @example
 * await clearSetIdBits(worktree); // ['suid-id']
 */
export async function clearSetIdBits(worktree: string): Promise<string[]> {
  const root = await realpath(worktree);
  const listed = await probeBytes('find', [root, '-xdev', '!', '-type', 'l', '-perm', '/6000', '-print0'], {
    env: TOOL_ENV,
    timeoutMs: WALK_TIMEOUT_MS,
    tolerate: vanished,
  });
  return clearListed(root, listed);
}

/**
 * The second half of {@link clearSetIdBits}: clear what `find -print0`
 * listed under `root` (a real path), reaching each without following a
 * link — a folder on the way swapped for one after the listing is left
 * alone, as is a name outside `root`.
 *
 * @example
 * clearListed('/repo/.troupe/worktrees/01J', Buffer.from('/repo/.troupe/worktrees/01J/suid-id\0')); // ['suid-id']
 */
export function clearListed(root: string, listed: Buffer): string[] {
  const prefix = Buffer.from(`${root}/`);
  const cleared: string[] = [];
  for (const path of splitOn(listed, 0)) {
    // the worktree itself is root's and never set-ID (prepareWorktree); only what is under it
    if (!path.subarray(0, prefix.length).equals(prefix)) continue;
    const inside = path.subarray(prefix.length);
    if (clearOne(root, splitOn(inside, 0x2f))) cleared.push(inside.toString('utf8'));
  }
  return cleared;
}

function splitOn(bytes: Buffer, separator: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(separator, start);
    const stop = end < 0 ? bytes.length : end;
    if (stop > start) parts.push(bytes.subarray(start, stop));
    start = stop + 1;
  }
  return parts;
}

// `names` under `root`, reached one folder at a time through /proc/self/fd (openat's lookup:
// a name is looked up in the folder held open, and O_NOFOLLOW refuses it when it is a link),
// its set-ID bits removed through its own descriptor; false when it is gone or was swapped
function clearOne(root: string, names: Buffer[]): boolean {
  const held: number[] = [];
  const within = (name: Buffer): Buffer =>
    Buffer.concat([Buffer.from(held.length === 0 ? `${root}/` : `/proc/self/fd/${held.at(-1)}/`), name]);
  try {
    for (const name of names.slice(0, -1)) held.push(openSync(within(name), OPEN_FOLDER));
    const fd = openSync(within(names.at(-1)!), OPEN_ANY);
    try {
      const info = fstatSync(fd);
      if (!(info.isFile() || info.isDirectory()) || (info.mode & SET_ID_BITS) === 0) return false;
      fchmodSync(fd, info.mode & 0o1777);
      return true;
    } finally {
      closeSync(fd);
    }
  } catch {
    // gone, or a link now where a folder or the file was: not followed, not touched
    return false;
  } finally {
    for (const fd of held) closeSync(fd);
  }
}
