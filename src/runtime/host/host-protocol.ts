import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { JournalEvent, SerializedError } from '../../domain/index.js';

// The host protocol (DESIGN §4): newline-delimited JSON over a unix socket.
//   client → host  {id, method, params}
//   host → client  {id, result} | {id, error} | {id, event} (subscriptions)
// A client's first request is hostInfo: only once it is answered is the
// connection the host's (one the host never accepted can be dropped unseen).

/** Runtime methods the host serves; anything else is refused. */
export const HOST_METHODS = [
  'createPlan',
  'updatePlan',
  'getPlan',
  'listPlans',
  'liveness',
  'run',
  'runPhase',
  'cancel',
  'explain',
  'changes',
  'conflicts',
  'resolve',
  'tree',
  'addProject',
  'listProjects',
  'events',
  'logs',
  'checkpoints',
  'checkpoint',
  'createCheckpoint',
  'deleteCheckpoint',
  'pruneCheckpoints',
  'previewRollback',
  'rollback',
  'correct',
  'resume',
  'patch',
  'previewApply',
  'gc',
  'previewDelete',
  'deletePlan',
  'callTool',
  'finish',
  'spawnSubplans',
  'waitSubplans',
  'mcpTasks',
  'saveMcpTasks',
  'startService',
  'stopService',
  'listServices',
  'serviceLogs',
  'subscribe',
  'unsubscribe',
  'hostInfo',
] as const;
export type HostMethod = (typeof HOST_METHODS)[number];

/**
 * Methods that only read: a client whose host went away in the middle of one
 * asks the next owner again (nothing can have been done twice). Any other
 * method lost that way may have been done, so it fails instead.
 */
export const READ_METHODS: ReadonlySet<HostMethod> = new Set<HostMethod>([
  'getPlan',
  'listPlans',
  'liveness',
  'explain',
  'changes',
  'conflicts',
  'tree',
  'listProjects',
  'events',
  'checkpoints',
  'checkpoint',
  'previewRollback',
  'patch',
  'logs',
  'previewApply',
  'previewDelete',
  'mcpTasks',
  'listServices',
  'serviceLogs',
  'hostInfo',
]);

/** Who owns the store: what `troupe doctor` says of a store another process holds. */
export interface HostInfo {
  pid: number;
  /** The owning process's command line (`troupe plan run plan.yaml`, or an app's). */
  command: string;
  startedAt: string;
}

export interface HostRequest {
  id: number;
  method: HostMethod;
  params: unknown[];
}

export type HostMessage =
  | { id: number; result: unknown }
  | { id: number; error: SerializedError & { retry?: boolean } }
  | { id: number; event: JournalEvent }
  // the host's last line before it ends the connection on close: it started
  // nothing it has not answered, so whatever is still unanswered may be asked
  // of the next owner
  | { id: 0; closing: true };

/** A request line longer than this is refused and the connection closed. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

// sun_path is 108 bytes on Linux (104 on macOS); keep a margin for the NUL
const MAX_SOCKET_PATH = 100;

/**
 * The private folder (mode 0700) where this user's troupe hosts listen:
 * `$XDG_RUNTIME_DIR/troupe`, or `troupe-<uid>` in the temp directory. It
 * is outside every project on purpose: a contained command sees neither
 * folder (the sandbox mounts an empty `/run` and `/tmp` and hides this one
 * wherever it is), so no plan reaches its own project's host, nor another
 * project's — which would let it list, run, cancel or delete their plans.
 */
export function hostSocketDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const runtimeDir = env['XDG_RUNTIME_DIR'];
  if (runtimeDir !== undefined && isAbsolute(runtimeDir) && !runtimeDir.includes('\u0000'))
    return join(runtimeDir, 'troupe');
  return join(tmpdir(), `troupe-${process.getuid?.() ?? 'user'}`);
}

/**
 * Where the host of a project listens: a name derived from the project
 * root in {@link hostSocketDirectory}, which every troupe process of the
 * user computes the same way (in the temp directory's when that path would
 * be too long for a unix socket).
 */
export function hostSocketPath(projectRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = `${createHash('sha256').update(projectRoot).digest('hex').slice(0, 16)}.sock`;
  const preferred = join(hostSocketDirectory(env), name);
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred;
  return join(hostSocketDirectory({}), name);
}

/**
 * Splits a byte stream into lines and parses each as JSON. Calls
 * `onMessage` per line and `onOverflow` if a line exceeds {@link MAX_LINE_BYTES}.
 */
export function lineReader(onMessage: (message: unknown) => void, onOverflow: () => void): (chunk: Buffer) => void {
  let buffered = '';
  let overflowed = false;
  // lengths in UTF-16 units: never more than the bytes, and O(1) to read
  const tooLong = (text: string) => text.length > MAX_LINE_BYTES;
  const overflow = () => {
    overflowed = true;
    buffered = '';
    onOverflow();
  };
  return (chunk) => {
    if (overflowed) return;
    buffered += chunk.toString('utf8');
    for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (tooLong(line)) return overflow();
      if (line.trim() !== '') onMessage(parseLine(line));
    }
    if (tooLong(buffered)) overflow();
  };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    // a line that is not JSON is answered as a malformed request
    return undefined;
  }
}
