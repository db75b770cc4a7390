import { constants as bufferConstants } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, read as readCallback, readSync } from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { TroupeError, type SandboxDirectory } from '../domain/index.js';
import { heldDirectory } from './held-directory.js';
import { entry, inside, openEntry, openFailure, walk, type Held } from './no-follow-walk.js';
import { errnoOf, notRegularFile, relocated, sandboxEscape, systemError } from './sandbox-file-errors.js';

const { O_CREAT, O_EXCL, O_NOCTTY, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;
// O_NONBLOCK: opening a FIFO must answer at once, never wait for a peer
const OPEN_EXISTING = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
const OPEN_NEW = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
const OPEN_READ = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
// another process may create the name between our two opens; more than this is someone racing us
const WRITE_ATTEMPTS = 3;
// a file up to this size is read without leaving the thread (an agent's
// reads are mostly small source files, and each trip to the thread pool
// costs more than the read); a larger one is read in the pool
const SYNC_READ_BYTES = 256 * 1024;
const readAsync = promisify(readCallback);

/**
 * File I/O under a sandbox root for paths the PathGuard already checked,
 * `real` (symlinks resolved, `/`-separated, `''` for the root). Nothing here
 * follows a symlink: a path that changed into one since the check is
 * refused with `SANDBOX_ESCAPE`. Errors of node:fs keep their `code` and
 * name the sandbox path as `shown`.
 */
export interface SandboxFiles {
  read(real: string, shown: string, maxBytes?: number): Promise<Buffer>;
  /**
   * Reads `path` as given, never through a symlink: null when a symlink
   * stands on the way (the caller resolves it and reads with `read`). A path
   * reached so is its own real place, so no realpath is needed first.
   */
  readDirect(path: string, shown: string, maxBytes?: number): Promise<Buffer | null>;
  write(real: string, content: string | Uint8Array, shown: string): Promise<{ created: boolean }>;
  /** Deletes `name` (a symlink itself, never its target) in the directory at `realParent`. */
  remove(realParent: string, name: string, shown: string): Promise<void>;
  openDirectory(real: string, shown: string): Promise<SandboxDirectory>;
}

/**
 * The {@link SandboxFiles} of one root (a physical path troupe owns). Each
 * call opens each directory on the way, relative to the one before, with
 * `O_NOFOLLOW`, and acts on the last one's entry: the check and the I/O are
 * one step (see no-follow-walk.ts for how, without openat()).
 *
 * The walk to a directory and a read's open, fstat and read of a small file
 * are synchronous system calls: each is a few microseconds on a local disk,
 * where a trip through libuv's thread pool costs tens, and a read-only step
 * is mostly such trips.
 *
 * @example
 * const files = createSandboxFiles(guard.root);
 * await files.write('src/a.ts', 'export {};\n', 'src/a.ts'); // { created: true }
 */
export function createSandboxFiles(root: string): SandboxFiles {
  return {
    async read(real, shown, maxBytes) {
      return readEntry(root, real, shown, maxBytes, () => sandboxEscape(shown, 'it changed while it was being read'));
    },

    async readDirect(path, shown, maxBytes) {
      try {
        return await readEntry(root, path, shown, maxBytes, () => new SymlinkOnTheWay());
      } catch (error) {
        if (error instanceof SymlinkOnTheWay) return null;
        throw error;
      }
    },

    async write(real, content, shown) {
      const changed = () => sandboxEscape(shown, 'it changed while it was being written');
      const { parents, name } = split(real);
      try {
        if (name === '') throw systemError('EISDIR', 'illegal operation on a directory', 'open');
        const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
        return await inside(root, parents, 'create', changed, (dir) => writeEntry(dir, name, data, changed, shown));
      } catch (error) {
        throw relocated(error, shown);
      }
    },

    async remove(realParent, name, shown) {
      const changed = () => sandboxEscape(shown, 'it changed while it was being deleted');
      try {
        if (name === '') throw systemError('EISDIR', 'illegal operation on a directory', 'unlink');
        await inside(root, split(realParent, true).parents, 'find', changed, async (dir) => {
          if ((await lstat(entry(dir, name))).isDirectory())
            throw systemError('EISDIR', 'illegal operation on a directory', 'unlink');
          // unlink never follows `name`: a symlink swapped in meanwhile is what goes
          await unlink(entry(dir, name));
        });
      } catch (error) {
        throw relocated(error, shown);
      }
    },

    async openDirectory(real, shown) {
      const changed = () => sandboxEscape(shown, 'it changed while it was being listed');
      try {
        return heldDirectory(walk(root, split(real, true).parents, 'find', changed), shown);
      } catch (error) {
        throw relocated(error, shown);
      }
    },
  };
}

// what readDirect's walk throws where read's would refuse a changed path
class SymlinkOnTheWay extends TroupeError {
  constructor() {
    super('SANDBOX_ESCAPE', 'a symlink stands on the way');
  }
}

// no limit asked: the largest Buffer node can make, refused cleanly rather than by a RangeError
async function readEntry(
  root: string,
  real: string,
  shown: string,
  maxBytes = bufferConstants.MAX_LENGTH - 1,
  changed: () => TroupeError,
): Promise<Buffer> {
  const { parents, name } = split(real);
  try {
    if (name === '') throw systemError('EISDIR', 'illegal operation on a directory', 'read');
    const dir = walk(root, parents, 'find', changed);
    let fd: number;
    try {
      fd = openEntry(dir, name, OPEN_READ, changed, shown, 'read');
    } finally {
      dir.close();
    }
    try {
      return await readOpened(fd, shown, maxBytes);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw relocated(error, shown);
  }
}

async function writeEntry(
  dir: Held,
  name: string,
  data: Uint8Array,
  changed: () => TroupeError,
  shown: string,
): Promise<{ created: boolean }> {
  for (let attempt = 1; ; attempt++) {
    let handle: FileHandle;
    try {
      handle = await open(entry(dir, name), OPEN_EXISTING).catch((error: unknown) => {
        throw openFailure(error, changed, shown, 'write');
      });
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
      const created = await open(entry(dir, name), OPEN_NEW, 0o666).catch((error: unknown) => {
        if (errnoOf(error) === 'EEXIST' && attempt < WRITE_ATTEMPTS) return null;
        throw error;
      });
      if (created === null) continue;
      try {
        await created.writeFile(data);
      } finally {
        await created.close();
      }
      return { created: true };
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw notRegularFile('write', shown);
      if (info.nlink > 1) {
        // another name (maybe outside the sandbox) shares this inode: give ours a new one
        await replaceEntry(dir, name, data, info.mode);
      } else {
        // in place, so the file keeps its mode (git tracks the executable bit)
        await handle.truncate(0);
        await handle.writeFile(data);
      }
    } finally {
      await handle.close();
    }
    return { created: false };
  }
}

/** Writes `data` to a new file beside `name` and renames it over `name`. */
async function replaceEntry(dir: Held, name: string, data: Uint8Array, mode: number): Promise<void> {
  const temporary = `.troupe-${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(entry(dir, temporary), OPEN_NEW, 0o600);
  let renamed = false;
  try {
    try {
      await handle.writeFile(data);
      await handle.chmod(mode & 0o777);
    } finally {
      await handle.close();
    }
    await rename(entry(dir, temporary), entry(dir, name));
    renamed = true;
  } finally {
    if (!renamed) await unlink(entry(dir, temporary)).catch(() => {});
  }
}

// reads the `size` bytes fstat saw, refusing a file that grew past it meanwhile rather than reading without bound
async function readOpened(fd: number, shown: string, maxBytes: number): Promise<Buffer> {
  const info = fstatSync(fd);
  if (info.isDirectory()) throw systemError('EISDIR', 'illegal operation on a directory', 'read');
  if (!info.isFile()) throw notRegularFile('read', shown);
  if (info.size > maxBytes) {
    throw new TroupeError(
      'TOOL_FAILED',
      `cannot read "${shown}": it is ${info.size} bytes, more than the ${maxBytes} allowed`,
      {
        details: { path: shown, bytes: info.size, limit: maxBytes },
      },
    );
  }
  // only the bytes read are handed out (a subarray), so the buffer need not
  // be zeroed first, and a small one comes from Node's pool
  const buffer = Buffer.allocUnsafe(info.size + 1);
  const small = info.size <= SYNC_READ_BYTES;
  const readAt = async (offset: number): Promise<number> =>
    small
      ? readSync(fd, buffer, offset, buffer.length - offset, offset)
      : (await readAsync(fd, buffer, offset, buffer.length - offset, offset)).bytesRead;
  let filled = 0;
  while (filled < buffer.length) {
    const wanted = buffer.length - filled;
    const bytesRead = await readAt(filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
    // a regular file reads short only at its end: a short read that reached
    // the size fstat gave is the end, without a second read to see nothing
    if (bytesRead < wanted && filled >= info.size) break;
  }
  if (filled > info.size) {
    throw new TroupeError('TOOL_FAILED', `cannot read "${shown}": it changed while being read`, {
      details: { path: shown },
    });
  }
  return buffer.subarray(0, filled);
}

/** `a/b/c` as its parents `[a, b]` and its name `c`; with `whole`, all of it as parents. */
function split(real: string, whole = false): { parents: string[]; name: string } {
  const segments = real.split('/').filter((segment) => segment !== '');
  if (whole) return { parents: segments, name: '' };
  return { parents: segments.slice(0, -1), name: segments.at(-1) ?? '' };
}
