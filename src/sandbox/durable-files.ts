import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Put what troupe wrote (or had git write) outside git's own syncing on
 * the disk: each path's data and, for each, the directory entry that names
 * it (its parent folder). A power cut after this leaves them as they are
 * now; before it, a file just written can come back empty
 * (docs/explanation/architecture.md#durability-what-is-synced). A path that is gone is
 * no error: what named it is synced, which is what records its absence.
 *
 * @example
 * await syncPaths([join(worktree, '.git'), adminDir]); // a new worktree survives a power cut
 */
export async function syncPaths(paths: readonly string[]): Promise<void> {
  const folders = new Set(paths.map((path) => dirname(path)));
  await Promise.all([...new Set([...paths, ...folders])].map((path) => syncOne(path)));
}

async function syncOne(path: string): Promise<void> {
  // read-only is enough to fsync; O_NOFOLLOW: a link is synced by its folder, not followed
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ELOOP' || error.code === 'ENXIO') return null;
      throw error;
    },
  );
  if (handle === null) return;
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
