import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { McpTaskHolder } from '../domain/index.js';

/** This process, as the holder of the MCP tasks whose work it does. */
export const THIS_PROCESS: McpTaskHolder = {
  host: hostname(),
  pid: process.pid,
  id: randomBytes(9).toString('base64url'),
};

/**
 * Whether the process that holds a task is gone, so another may carry its
 * work on: a process of this host that no longer exists. A holder on
 * another host (a PostgreSQL store shared by machines) cannot be checked
 * from here and is taken to be alive; so is this process.
 */
export function holderGone(holder: McpTaskHolder): boolean {
  if (holder.id === THIS_PROCESS.id) return false;
  if (holder.host !== THIS_PROCESS.host) return false;
  // a restarted server may get the pid of the one it replaces: the id tells them apart
  if (holder.pid === THIS_PROCESS.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists, as another user's
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
