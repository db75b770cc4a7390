import { existsSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { trackedPaths } from './tracked-paths.js';

/**
 * The folders the common ecosystems install a project's dependencies in at
 * its root, and what must be beside one for it to count: a worktree holds
 * only what git tracks, so these are what a plan's tests miss unless
 * `sandbox.share` lists them. Build output (`target`, `dist`) and tool
 * caches (`.tox`) are not dependencies: a plan makes its own.
 */
export const DEPENDENCY_FOLDERS: readonly { path: string; marks: readonly string[] }[] = [
  { path: 'node_modules', marks: [] },
  // a virtual environment says so in pyvenv.cfg: a folder merely named venv is not shared
  { path: '.venv', marks: ['.venv/pyvenv.cfg'] },
  { path: 'venv', marks: ['venv/pyvenv.cfg'] },
  // composer's vendor, or go mod vendor's (modules.txt lists what it holds)
  { path: 'vendor', marks: ['composer.json', 'vendor/modules.txt'] },
  // bundle install --path vendor/bundle (or BUNDLE_PATH), with the project's Gemfile
  { path: 'vendor/bundle', marks: ['Gemfile'] },
];

/**
 * The dependency folders ({@link DEPENDENCY_FOLDERS}) installed at the
 * root of the project at `root` that a worktree lacks: each a real
 * directory (not a symlink, nor under one — never a way out of the
 * project), git tracks nothing in it, and what marks its ecosystem is
 * there. A folder inside one already found (`vendor/bundle` in `vendor`)
 * comes with it. Reads only.
 *
 * @example
 * await findDependencyFolders('/path/to/repo'); // ['node_modules', '.venv']
 */
export async function findDependencyFolders(root: string): Promise<string[]> {
  const realRoot = await realpath(root).catch(() => root);
  const present: string[] = [];
  for (const { path, marks } of DEPENDENCY_FOLDERS) {
    if (marks.length > 0 && !marks.some((mark) => existsSync(join(root, mark)))) continue;
    if (await isRealDirectory(realRoot, path)) present.push(path);
  }
  const tracked = new Set(await trackedPaths(root, present));
  const untracked = present.filter((path) => !tracked.has(path));
  return untracked.filter((path) => !untracked.some((other) => other !== path && path.startsWith(`${other}/`)));
}

// a directory whose real path is where it appears: no symlink on the way out of the project
async function isRealDirectory(realRoot: string, path: string): Promise<boolean> {
  const at = join(realRoot, path);
  try {
    const info = await lstat(at);
    return info.isDirectory() && (await realpath(at)) === at;
  } catch {
    return false;
  }
}
