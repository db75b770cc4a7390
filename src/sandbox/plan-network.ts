import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { TroupeError } from '../domain/index.js';
import { openNetworkGate, type NetworkGate, type NetworkGateOptions } from './network-gate.js';
import { leakedDescriptors, shadowing } from './inherited-descriptors.js';
import { afterPendingIo } from './pending-first-timer.js';
import { COMMAND_TOKEN_VARIABLE, type CommandRecord, type ProcessLedger } from './process-ledger.js';

/**
 * One network namespace a plan's contained commands and services share
 * (DESIGN §12, docs/explanation/sandbox.md#services-and-the-plan-network): a loopback of
 * the plan's own, reachable from nothing outside it.
 *
 * Bubblewrap cannot join an existing network namespace, so the namespace is
 * held by a *holder*: a tiny bubblewrap sandbox with its own user and
 * network namespaces that only waits. A command joins it by starting
 * bubblewrap through `nsenter --user --net --target <holder>
 * --preserve-credentials`, without `--unshare-net`. An unprivileged user may
 * do that: the holder's user namespace is the user's own, so the user holds
 * every capability in it — which is why the holder is started *without*
 * `--dev`: with it bubblewrap nests a second user namespace and the network
 * namespace would belong to one no process can be entered through.
 *
 * The holder dies with troupe (`--die-with-parent`, and its stdin, a pipe
 * from troupe, reads end-of-file); a dead holder takes the namespace with it
 * once the last command in it ended (they die with troupe too).
 *
 * @example
 * const network = await startPlanNetwork({ bwrap: '/usr/bin/bwrap' });
 * spawn(network.enter[0], [...network.enter.slice(1), 'bwrap', '--ro-bind', '/', '/', 'curl', 'http://127.0.0.1:8765']);
 * await network.listening(8765); // a service inside listens there
 * await network.stop();
 */
export interface PlanNetwork {
  /** The holder's process (as this process sees it): the target commands enter. */
  readonly pid: number;
  /** The program and arguments that put what follows them into the namespace (`nsenter … --`). */
  readonly enter: readonly string[];
  /** Whether something inside the namespace listens on TCP `port` (its `/proc/<pid>/net/tcp*`). */
  listening(port: number): Promise<boolean>;
  /** Whether the holder still runs. */
  readonly alive: boolean;
  /**
   * The plan's way out through troupe's proxy, when it has a network
   * allow-list (docs/explanation/sandbox.md#network-by-name); a command that joins the
   * network is admitted there and pointed at it.
   */
  readonly gate?: NetworkGate | undefined;
  /** Kill the holder; resolves once it exited. Safe to call twice. */
  stop(): Promise<void>;
}

const NSENTER = ['/usr/bin/nsenter', '/bin/nsenter', '/usr/sbin/nsenter', '/sbin/nsenter'];
// how long the holder may take to report its pid
const START_TIMEOUT_MS = 10_000;
// TCP_LISTEN in /proc/net/tcp's `st` column
const LISTEN = '0A';

/** Where `nsenter` (util-linux) is on this machine, or null. */
export function findNsenter(exists: (path: string) => boolean = existsSync): string | null {
  return NSENTER.find(exists) ?? null;
}

/**
 * Start a plan's network holder with bubblewrap at `bwrap` (`label`, the
 * plan's id, names it in `ps`: `troupe-plan-network:<label>`); with
 * `gate`, the plan's allow-list, open its {@link NetworkGate} too. Rejects
 * with `SANDBOX_UNAVAILABLE` when `nsenter` is missing, the holder cannot
 * start, or the gate's check fails (nothing is left running then).
 *
 * @example
 * const network = await startPlanNetwork({ bwrap: '/usr/bin/bwrap' });
 * const listed = await startPlanNetwork({ bwrap: '/usr/bin/bwrap', gate: { allow: ['registry.npmjs.org'] } });
 */
export async function startPlanNetwork(options: {
  bwrap: string;
  nsenter?: string;
  label?: string;
  gate?: NetworkGateOptions;
  /** Where the holder is recorded while it lives, so the next process can end one whose setup troupe's death cut short. */
  processes?: Pick<ProcessLedger, 'prepare' | 'started' | 'release'>;
  /**
   * Whether what enters joins the holder's user namespace too (default:
   * unless this process is root). troupe as root enters its network only:
   * root may, and its commands become the dedicated identity, which no user
   * namespace of the holder's maps (docs/explanation/sandbox.md#who-a-command-is).
   */
  joinUser?: boolean;
}): Promise<PlanNetwork> {
  const nsenter = options.nsenter ?? findNsenter();
  if (nsenter === null)
    throw unavailable(
      'nsenter (util-linux) is not installed; a plan network needs it',
      'install util-linux (apt-get install util-linux)',
    );
  let record: CommandRecord | undefined;
  try {
    // its owner stops it (PlanNetworks): a reap of this process's commands leaves it alone
    record = options.processes?.prepare({ lasting: true });
  } catch (error) {
    throw notRecorded(error);
  }
  const args = [
    '--unshare-user',
    '--unshare-net',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    // no --dev (see above): the host's /dev, read-only, is enough for a shell that only waits
    '--ro-bind',
    '/',
    '/',
    '--proc',
    '/proc',
    '--json-status-fd',
    '3',
    '--',
    '/bin/sh',
    '-c',
    // waits until troupe closes its stdin (stop, or troupe's death)
    'read -r _ || true',
    // its $0: `ps` shows whose network it holds
    `troupe-plan-network${options.label ? `:${options.label}` : ''}`,
  ];
  // the store's files, held without close-on-exec, are /dev/null in it (docs/explanation/sandbox.md)
  // its one variable is the record's token, which the reap looks for (the holder's shell ignores it)
  const child = spawn(options.bwrap, args, {
    cwd: '/',
    env: record ? { [COMMAND_TOKEN_VARIABLE]: record.token } : {},
    detached: true,
    stdio: shadowing(['pipe', 'ignore', 'pipe', 'pipe'], leakedDescriptors()),
  });
  const ended = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  if (record) {
    void ended.then(() => options.processes?.release(record));
    try {
      if (child.pid !== undefined) options.processes?.started(record, child.pid);
    } catch (error) {
      process.kill(-child.pid!, 'SIGKILL');
      throw notRecorded(error);
    }
  }
  let alive = true;
  void ended.then(() => (alive = false));
  const pid = await holderPid(child, ended);
  const joinUser = options.joinUser ?? process.getuid?.() !== 0;
  const enter = !joinUser
    ? [nsenter, '--net', '--target', String(pid), '--']
    : [nsenter, '--user', '--net', '--target', String(pid), '--preserve-credentials', '--'];
  let gate: NetworkGate | undefined;
  const stop = async (): Promise<void> => {
    gate?.close();
    if (alive) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await ended;
    // the holder inside dies with bubblewrap (its parent-death signal): a moment later
    for (let waited = 0; waited < 2_000 && (await exists(`/proc/${pid}/stat`)) && !(await zombie(pid)); waited += 10)
      await sleep(10);
  };
  try {
    await setUp(pid, ended);
    if (options.gate) gate = await openNetworkGate({ pid, enter }, options.gate);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pid,
    enter,
    gate,
    get alive() {
      return alive;
    },
    listening: (port) => listeningIn(pid, port),
    stop,
  };
}

function notRecorded(error: unknown): TroupeError {
  return unavailable(
    `the plan network could not start: cannot record its holder (${error instanceof Error ? error.message : String(error)})`,
    "make the project's .troupe/run/ writable",
  );
}

// the holder's pid as bubblewrap reports it on fd 3, or why it did not start
function holderPid(child: ChildProcess, ended: Promise<void>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let status = '';
    let stderr = '';
    // read what the holder said first: a troupe stopped past the deadline does not fail a holder that answered
    const cancelTimer = afterPendingIo(START_TIMEOUT_MS, () => fail('it did not report its pid in time'));
    const fail = (why: string): void => {
      cancelTimer();
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // not started, or gone
      }
      reject(
        unavailable(
          `the plan network could not start: ${why}`,
          'troupe doctor says what the sandbox needs — see docs/explanation/sandbox.md',
        ),
      );
    };
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (chunk: Buffer) => {
      status += chunk.toString('utf8');
      const pid = /"child-pid"\s*:\s*(\d+)\s*[,}]/.exec(status)?.[1];
      if (pid === undefined) return;
      cancelTimer();
      resolve(Number(pid));
    });
    child.once('error', (error) => fail(error.message));
    void ended.then(() => fail(stderr.trim().split('\n').at(-1) || 'it exited'));
  });
}

// bubblewrap reports the pid right after the clone, before it wrote the
// namespace's uid map and brought its loopback up: a command entering then
// would be nobody there (no namespaces of its own) and find no 127.0.0.1.
// Its init starts the waiting shell once all of that is done.
async function setUp(pid: number, ended: Promise<void>): Promise<void> {
  let gone = false;
  void ended.then(() => (gone = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => null);
    if (children === null) {
      // a kernel without the children file: the uid map at least, then a moment for the loopback
      const map = await readFile(`/proc/${pid}/uid_map`, 'utf8').catch(() => '');
      if (map.trim() !== '') return sleep(50);
    } else if (children.trim() !== '') return;
    if (gone || Date.now() > deadline)
      throw unavailable(
        'the plan network could not start: its holder did not get ready',
        'troupe doctor says what the sandbox needs — see docs/explanation/sandbox.md',
      );
    await sleep(5);
  }
}

/**
 * Whether a TCP socket listens on `port` in the network namespace of
 * process `pid`, read from its `/proc/<pid>/net/tcp` and `tcp6`. The
 * namespace has only a loopback, so any listening address answers
 * `127.0.0.1:port` (or `[::1]:port`) inside it.
 *
 * @example
 * await listeningIn(network.pid, 8765); // true once the service listens
 */
export async function listeningIn(pid: number, port: number): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === LISTEN && local?.endsWith(`:${hex}`)) return true;
    }
  }
  return false;
}

async function exists(path: string): Promise<boolean> {
  return readFile(path, 'utf8').then(
    () => true,
    () => false,
  );
}

async function zombie(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
}

function unavailable(why: string, fix: string): TroupeError {
  return new TroupeError('SANDBOX_UNAVAILABLE', `commands cannot be contained: ${why}`, {
    hint: fix,
    details: { reason: why },
  });
}
