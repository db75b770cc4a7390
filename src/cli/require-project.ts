import { join } from 'node:path';
import { TroupeError } from '../domain/errors.js';
// the sandbox's light files, not its index: a command's start loads no git machinery it does not use
import { findProjectRoot, isDirectory } from '../sandbox/project-root.js';

/**
 * The root of the troupe project `dir` is in; `NOT_FOUND` naming the
 * repository when troupe was never set up there (no `.troupe/`), so a read
 * in the wrong directory says where it looked instead of setting a project
 * up (`NOT_A_GIT_REPO` outside a git repository).
 *
 * @example
 * const root = await requireProject(process.cwd());
 */
export async function requireProject(dir: string): Promise<string> {
  const root = await findProjectRoot(dir);
  if (!isDirectory(join(root, '.troupe'))) {
    throw new TroupeError('NOT_FOUND', `no troupe project in ${root}: troupe was never set up in this repository (it has no .troupe/)`, {
      hint: 'run the command in your project (or name it with -C <dir>), or troupe init to make this repository one',
    });
  }
  return root;
}
