// Reaching a directory under a sandbox root without following a symlink.
// Node has no openat(), but on Linux `/proc/self/fd/<fd>/<name>` is looked
// up in the open directory `<fd>`, and `O_NOFOLLOW` (or an lstat, mkdir,
// unlink, rename, which never follow it) applies to `<name>` alone: each
// directory on the way is opened from the one before, so one swapped for a
// symlink meanwhile is refused instead of followed.
import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import type { TroupeError } from '../domain/index.js';
import { errnoOf, notRegularFile, systemError } from './sandbox-file-errors.js';

const OPEN_DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** A directory reached without following a symlink; `path` names it while it is open. */
export interface Held {
  readonly path: string;
  close(): void;
}

let procFd: boolean | undefined;
// /proc/self/fd gives openat() semantics on Linux only (checked once, not per call)
const hasProcFd = (): boolean => (procFd ??= process.platform === 'linux' && existsSync('/proc/self/fd'));

/** The path of `name` in `dir`, looked up in the open directory itself. */
export const entry = (dir: Held, name: string): string => `${dir.path}/${name}`;

function held(fd: number): Held {
  return { path: `/proc/self/fd/${fd}`, close: () => closeSync(fd) };
}

// the root is troupe's own directory, named by its physical path (the guard
// resolved it), which nothing a plan runs can change: it is looked up by that
// path, not opened, and each entry under it is opened no-follow from there
// (an open and a /proc lookup fewer per call)
function holdRoot(root: string): Held {
  return { path: root, close: () => {} };
}

/**
 * The subdirectory `name` of `dir`, opened without following a symlink;
 * `changed` is the error for one that is (or became) a symlink.
 *
 * @example
 * const src = enter(dir, 'src', () => sandboxEscape('src', 'it changed while it was being listed'));
 */
export function enter(dir: Held, name: string, changed: () => TroupeError): Held {
  if (!hasProcFd()) {
    // without openat() the check and the use are two steps: the race remains on this platform
    const info = lstatSync(entry(dir, name));
    if (info.isSymbolicLink()) throw changed();
    if (!info.isDirectory()) throw systemError('ENOTDIR', 'not a directory', 'open');
    return { path: entry(dir, name), close: () => {} };
  }
  try {
    return held(openSync(entry(dir, name), OPEN_DIRECTORY));
  } catch (error) {
    // O_DIRECTORY|O_NOFOLLOW answers ENOTDIR for a symlink and for a file alike: tell them apart
    if (errnoOf(error) !== 'ENOTDIR' && errnoOf(error) !== 'ELOOP') throw error;
    const info = lstatSync(entry(dir, name), { throwIfNoEntry: false });
    // a file is a plain ENOTDIR; a symlink, or something else by now, means it is being swapped
    if (info !== undefined && !info.isSymbolicLink() && !info.isDirectory()) throw error;
    throw changed();
  }
}

function enterOrCreate(dir: Held, name: string, changed: () => TroupeError): Held {
  try {
    return enter(dir, name, changed);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
  // mkdir never follows `name`; what is there now is opened no-follow like any other
  try {
    mkdirSync(entry(dir, name));
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw error;
  }
  return enter(dir, name, changed);
}

/**
 * The directory at `parents` under the root, each one entered from the one
 * before (made as needed in `create` mode). The caller closes it.
 *
 * @example
 * const dir = walk(root, ['src', 'lib'], 'find', changed);
 * try { return readdirSync(dir.path); } finally { dir.close(); }
 */
export function walk(
  root: string,
  parents: readonly string[],
  mode: 'find' | 'create',
  changed: () => TroupeError,
): Held {
  let dir = holdRoot(root);
  for (const name of parents) {
    let next: Held;
    try {
      next = mode === 'create' ? enterOrCreate(dir, name, changed) : enter(dir, name, changed);
    } finally {
      dir.close();
    }
    dir = next;
  }
  return dir;
}

/**
 * `act` on the directory at `parents`, which stays open until it is done.
 *
 * @example
 * await inside(root, ['src'], 'find', changed, (dir) => unlink(entry(dir, 'old.ts')));
 */
export async function inside<T>(
  root: string,
  parents: readonly string[],
  mode: 'find' | 'create',
  changed: () => TroupeError,
  act: (dir: Held) => Promise<T>,
): Promise<T> {
  const dir = walk(root, parents, mode, changed);
  try {
    return await act(dir);
  } finally {
    dir.close();
  }
}

/** `name` in `dir`, opened with `flags` (which hold O_NOFOLLOW): a descriptor. */
export function openEntry(
  dir: Held,
  name: string,
  flags: number,
  changed: () => TroupeError,
  shown: string,
  action: string,
): number {
  try {
    return openSync(entry(dir, name), flags);
  } catch (error) {
    throw openFailure(error, changed, shown, action);
  }
}

/** The error to throw for a failed no-follow open of an entry: `changed()` for a symlink, TOOL_FAILED for what is no regular file. */
// O_NOFOLLOW refuses a symlink with ELOOP; a FIFO without a peer or a socket with ENXIO
export function openFailure(error: unknown, changed: () => TroupeError, shown: string, action: string): unknown {
  if (errnoOf(error) === 'ELOOP') return changed();
  if (errnoOf(error) === 'ENXIO') return notRegularFile(action, shown, 'ENXIO');
  return error;
}
