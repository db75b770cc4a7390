import { mkdir, readdir, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// Commands waiting for the store leave a mark beside the host socket
// (`host.sock.waiting/<pid>-<n>`) while they look for its owner. An owner
// whose own command is done sees them and serves them before it lets go:
// otherwise each of a burst of commands would open the store in turn, and
// one that is unlucky would wait for a long time.

let marks = 0;

/** The folder of the marks of commands waiting on the owner that listens on `socketPath`. */
export function hostWaitingDir(socketPath: string): string {
  return `${socketPath}.waiting`;
}

/**
 * Mark this process as waiting for the owner of the store; returns the
 * unmark. Nothing is marked (nor created) where the socket's folder does not
 * exist yet: a project no troupe process has opened has no owner to wait for.
 */
export async function markWaiting(socketPath: string): Promise<() => Promise<void>> {
  const dir = hostWaitingDir(socketPath);
  const mark = join(dir, `${process.pid}-${(marks += 1)}`);
  try {
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await writeFile(mark, '');
  } catch {
    // a mark only makes a handover quicker: without one, the command still waits its turn
    return async () => {};
  }
  return async () => {
    await unlink(mark).catch(() => {});
    // the folder goes with the last mark: a command leaves nothing behind (another that marks at
    // that moment finds no folder and waits unmarked)
    await rmdir(dir).catch(() => {});
  };
}

/** How many commands are waiting for the owner (marks of processes that died are removed). */
export async function countWaiting(socketPath: string): Promise<number> {
  const dir = hostWaitingDir(socketPath);
  const names = await readdir(dir).catch(() => [] as string[]);
  let waiting = 0;
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (alive(pid)) waiting += 1;
    else await unlink(join(dir, name)).catch(() => {});
  }
  return waiting;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's (the mark is still someone waiting)
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
