// A directory of the sandbox held open for PathGuard.openDirectory: listed
// and entered through its descriptor until it is closed.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { SandboxDirectory, SandboxEntry } from '../domain/index.js';
import { enter, type Held } from './no-follow-walk.js';
import { relocated, sandboxEscape } from './sandbox-file-errors.js';

/**
 * The {@link SandboxDirectory} for `dir`, which it now owns: entries are read
 * and subdirectories entered through it, never through a path that could
 * have become a symlink. `shown` names it in errors.
 *
 * @example
 * const directory = heldDirectory(walk(root, ['src'], 'find', changed), 'src');
 * const names = (await directory.entries()).map((found) => found.name);
 * await directory.close();
 */
export function heldDirectory(dir: Held, shown: string): SandboxDirectory {
  let isOpen = true;
  // a closed descriptor's number may already name another file
  const ensureOpen = (): void => {
    if (!isOpen) throw new Error(`the directory "${shown}" is closed`);
  };
  return {
    async entries() {
      ensureOpen();
      try {
        return (await readdir(dir.path, { withFileTypes: true })).map((found) => ({
          name: found.name,
          kind: kindOf(found),
        }));
      } catch (error) {
        throw relocated(error, shown);
      }
    },
    async openDirectory(name) {
      ensureOpen();
      const path = shown === '.' ? name : `${shown}/${name}`;
      if (
        name === '' ||
        name === '.' ||
        name === '..' ||
        name.includes('/') ||
        name.includes('\u0000') ||
        name.toLowerCase() === '.git'
      ) {
        throw sandboxEscape(path, 'it is not the name of a subdirectory outside .git');
      }
      try {
        return heldDirectory(
          enter(dir, name, () => sandboxEscape(path, 'it changed while it was being listed')),
          path,
        );
      } catch (error) {
        throw relocated(error, path);
      }
    },
    async close() {
      if (!isOpen) return;
      isOpen = false;
      dir.close();
    },
  };
}

function kindOf(found: Dirent): SandboxEntry['kind'] {
  if (found.isFile()) return 'file';
  if (found.isDirectory()) return 'directory';
  if (found.isSymbolicLink()) return 'symlink';
  return 'other';
}
