import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { TroupeError } from '../domain/errors.js';
import { join } from 'node:path';
import { findProjectRoot, isDirectory } from '../sandbox/project-root.js';
import type { RuntimeOptions } from './runtime-options.js';
import { HostRetryError, RemoteRuntime } from './host/index.js';
import { hostSocketPath } from './host/index.js';
import type { HostServer } from './host/index.js';
import { markWaiting } from './host/index.js';
import { canDefer, deferredRuntime } from './host/index.js';
import { usesPostgres } from '../store/store-choice.js';
import type { Runtime } from './runtime.js';

/**
 * A Runtime for one command, and whether this process owns the store.
 *
 * @example
 * const session: RuntimeSession = await openRuntime({ dir: '/path/to/repo' });
 * if (session.role === 'client') console.log('another troupe process owns the store');
 * await session.close();
 */
export interface RuntimeSession {
  runtime: Runtime;
  /** `host`: this process opened the store and serves it; `client`: another process does. */
  role: 'host' | 'client';
  /** `force` drops requests other processes are waiting on (Ctrl-C); otherwise they finish first. */
  close(options?: { force?: boolean }): Promise<void>;
}

// how often a locked store is tried, at least, before it counts as held by something else
const MIN_TRIES = 10;

// a stale socket file, none, or a host whose queue is full (EAGAIN) or that went away as we connected
const NOBODY_LISTENING = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'EAGAIN', 'ECONNRESET', 'EPIPE']);

/**
 * The Runtime for a troupe command (DESIGN §4, one owner): talk to the
 * process that owns the project's store if one answers on its socket;
 * otherwise open the store and serve it for as long as this session lasts.
 * Two commands starting together settle who owns it through the store's
 * lock: the loser retries the socket until the winner answers.
 *
 * An app that shares a project with `troupe` commands uses this instead of
 * {@link createRuntime}: while the app holds the store, `troupe plan status`
 * and `troupe ui` in a terminal talk to it; while a `troupe plan run` holds
 * it, the app's calls go to that process. The options are createRuntime's
 * (without `store`: the project's LevelDB) plus `waitMs`, how long to wait
 * for a locked store's owner to answer (default 15 s) before STORE_LOCKED;
 * as a host it restores plans as createRuntime does unless `resume: false`
 * (the CLI's commands pass false). `existingProject: true` refuses a
 * repository troupe was never set up in (no `.troupe/`) with `NOT_FOUND`
 * naming it, and writes nothing there: the CLI's reads pass it. With `resume: false`, nothing of the
 * caller's to register or observe and a project whose config asks only for
 * the defaults, the host answers reads from the store and starts the
 * runtime on the first call that needs it ({@link deferredRuntime}).
 *
 * @example
 * const session = await openRuntime({ dir: '/path/to/repo', resume: false });
 * const plans = await session.runtime.listPlans();
 * await session.close();
 */
export async function openRuntime(
  options: Omit<RuntimeOptions, 'store'> & { waitMs?: number; existingProject?: boolean } = {},
): Promise<RuntimeSession> {
  const root = await findProjectRoot(options.dir ?? process.cwd()).catch(notARepository(options.dir ?? process.cwd()));
  if (options.existingProject === true && !isDirectory(join(root, '.troupe'))) {
    // a read in the wrong directory says where it looked, instead of setting a project up there
    throw new TroupeError(
      'NOT_FOUND',
      `no troupe project in ${root}: troupe was never set up in this repository (it has no .troupe/)`,
      {
        hint: 'run the command in your project (or name it with -C <dir>), or troupe init to make this repository one',
      },
    );
  }
  // many processes open a PostgreSQL store at once: no owner to go through (docs/explanation/architecture.md, PostgreSQL and many processes)
  if (await usesPostgres(root)) return ownRuntime({ ...options, dir: root });
  const socketPath = hostSocketPath(root);
  // the owner serves the commands it sees waiting before it lets go (host-waiters.ts)
  const unmark = await markWaiting(socketPath);
  try {
    return await ownerOrClient(root, socketPath, options);
  } finally {
    await unmark();
  }
}

// A directory with only a worker's settings: say what a command other than `troupe worker` needs there
function notARepository(dir: string): (error: unknown) => never {
  return (error) => {
    if (
      !(error instanceof TroupeError) ||
      error.code !== 'NOT_A_GIT_REPO' ||
      !existsSync(join(dir, '.troupe', 'config.json'))
    )
      throw error;
    throw new TroupeError(
      'NOT_A_GIT_REPO',
      `${dir} holds .troupe/config.json but is not inside a git repository: only troupe worker runs in such a directory`,
      {
        hint: 'to follow or read plans from this machine, clone the project (git clone <remote.url> <dir>), put this .troupe/config.json in the clone and run the command there (docs/how-to/scale-out.md)',
      },
    );
  };
}

async function ownerOrClient(
  root: string,
  socketPath: string,
  options: Omit<RuntimeOptions, 'store'> & { waitMs?: number },
): Promise<RuntimeSession> {
  const waitMs = options.waitMs ?? 15_000;
  // Patience counts from the first refusal and needs enough tries: a command
  // starved of CPU (a burst of them on a loaded machine) must not blame the
  // owner for its own slowness. It starts again whenever the store is seen
  // changing hands: owners come and go, each with a socket of its own.
  let refusedSince: number | null = null;
  let tries = 0;
  let lastSocket: string | null = null;
  for (;;) {
    try {
      const remote = await RemoteRuntime.connect(root, socketPath);
      return { runtime: remote, role: 'client', close: () => remote.close() };
    } catch (error) {
      // an owner that answered and was closing: the store is being handed over, not stuck
      if (error instanceof HostRetryError) refusedSince = null;
      else if (!NOBODY_LISTENING.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
    try {
      return await serve({ ...options, dir: root }, socketPath);
    } catch (error) {
      if (!(error instanceof TroupeError) || error.code !== 'STORE_LOCKED') throw error;
      const socket = await socketIdentity(socketPath);
      if (socket !== null && socket !== lastSocket) {
        if (lastSocket !== null) refusedSince = null;
        lastSocket = socket;
      }
      if (refusedSince === null) {
        refusedSince = Date.now();
        tries = 0;
      }
      tries += 1;
      if (Date.now() - refusedSince >= waitMs && tries >= MIN_TRIES) {
        throw new TroupeError(
          'STORE_LOCKED',
          `the store of ${root} is locked by another process that does not answer on ${socketPath}`,
          {
            hint: 'wait for the other troupe command to finish, or stop it; if none runs, the lock is held by something else',
          },
        );
      }
      // the owner is setting up a new project, or closing: ask again shortly
      await sleep(40 + Math.floor(Math.random() * 60));
    }
  }
}

// which socket file is there (each owner makes its own), or null
async function socketIdentity(socketPath: string): Promise<string | null> {
  const info = await stat(socketPath).catch(() => null);
  return info ? `${info.ino}:${info.ctimeMs}` : null;
}

// The store, the runtime and the server are imported only by a process that
// may become the owner: a command another process serves starts without them.

// Become the owner: take the store's lock, answer on the socket at once, and
// serve the runtime once it has started. Taking the lock first leaves no time
// in which the store is locked and nobody answers — a command waiting for
// the owner would otherwise count that against its patience, and a burst of
// commands on a loaded machine ran out of it. A project whose store does not
// exist yet is set up by createRuntime first (its config is checked before
// anything is written), then served.
async function serve(options: RuntimeOptions & { dir: string }, socketPath: string): Promise<RuntimeSession> {
  const [{ HostServer }, { LevelStore, defaultStorePath }] = await Promise.all([
    import('./host/index.js'),
    import('../store/level-store.js'),
  ]);
  const createRuntime = async (given: RuntimeOptions) => (await import('./create-runtime.js')).createRuntime(given);
  const path = defaultStorePath(options.dir);
  if (!existsSync(path)) {
    const local = await createRuntime(options);
    return session(local, await HostServer.listen(local, socketPath).catch(closing(local)));
  }
  const deferring = mayDefer(options) && (await canDefer(options.dir));
  // STORE_LOCKED when another process has it
  const store = new LevelStore({ path });
  await store.open();
  if (deferring) {
    // reads are answered from the store; the runtime starts on the first call that needs it
    const runtime = deferredRuntime(options.dir, store, () => createRuntime({ ...options, store }));
    return session(runtime, await HostServer.listen(runtime, socketPath).catch(closing(runtime)));
  }
  // createRuntime closes a store it was given once it got to it, not one it failed before
  const starting = createRuntime({ ...options, store }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  let host: HostServer;
  try {
    host = await HostServer.listen(starting, socketPath);
  } catch (error) {
    await starting.then(
      (local) => local.close(),
      () => {},
    );
    throw error;
  }
  try {
    return session(await starting, host);
  } catch (error) {
    // the commands it greeted meanwhile are told to ask again, elsewhere
    await host.close();
    throw error;
  }
}

// a runtime of this process alone, on a store other processes open too
async function ownRuntime(options: RuntimeOptions & { dir: string }): Promise<RuntimeSession> {
  const { createRuntime } = await import('./create-runtime.js');
  const runtime = await createRuntime(options);
  return { runtime, role: 'host', close: () => runtime.close() };
}

// a runtime that restores plans, observes them or registers extensions of the caller's starts whole at once
function mayDefer(options: RuntimeOptions): boolean {
  return (
    options.resume === false &&
    options.inspect === undefined &&
    options.actors === undefined &&
    options.tools === undefined &&
    options.checks === undefined
  );
}

function closing(local: Runtime) {
  return async (error: unknown): Promise<never> => {
    await local.close();
    throw error;
  };
}

function session(local: Runtime, host: HostServer): RuntimeSession {
  return {
    runtime: local,
    role: 'host',
    close: async (closeOptions = {}) => {
      await host.close(closeOptions);
      await local.close();
    },
  };
}
