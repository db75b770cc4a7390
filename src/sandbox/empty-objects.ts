import { unlink } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { chomp } from './project-root.js';
import { gitCommand } from './git-command.js';
import { probeBytes } from './probe-output.js';

/**
 * Remove the empty loose objects of the repository at `root` and name them
 * (`xx/yyyy…`, as under `objects/`). An empty file there is never a valid
 * object — a power cut took what was written to it before it reached the
 * disk — yet git, about to write that object again, finds the file and
 * keeps it: a later plan writing the same content would build its commit
 * on it, and the damage would spread to the user's own branches. Removed,
 * the object is written whole the next time it is needed. (troupe's own
 * git now syncs every object it writes, `core.fsync`; this clears what
 * another program, or an older troupe, left.)
 *
 * @example
 * await removeEmptyObjects('/repo'); // ['e0/19be006cf33489e2d0177a3837a2384eddebc5']
 */
export async function removeEmptyObjects(root: string): Promise<string[]> {
  const commonDir = resolve(root, chomp(await gitCommand(root).plumb(['rev-parse', '--git-common-dir'])));
  const objects = join(commonDir, 'objects');
  const listed = await probeBytes(
    'find',
    [
      objects,
      '-mindepth',
      '2',
      '-maxdepth',
      '2',
      '-type',
      'f',
      '-empty',
      '-path',
      `${objects}/[0-9a-f][0-9a-f]/*`,
      '-print0',
    ],
    {
      env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
      // a folder removed while find walked (git's own gc) is no failure
      tolerate: (stderr) =>
        stderr
          .trim()
          .split('\n')
          .every((line) => /No such file or directory/.test(line)),
    },
  );
  const removed: string[] = [];
  for (const path of listed.toString('utf8').split('\0').filter(Boolean)) {
    // `find` printed it only as a file of size zero; a name of anything else is not an object
    if (!/^[0-9a-f]{2}\/[0-9a-f]{38,62}$/.test(relative(objects, path))) continue;
    await unlink(path).then(
      () => removed.push(relative(objects, path)),
      () => {},
    );
  }
  return removed;
}
