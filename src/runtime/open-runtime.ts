import { setTimeout as sleep } from 'node:timers/promises';
import { TroupeError } from '../domain/index.js';
import { findProjectRoot } from '../sandbox/index.js';
import { createRuntime, type RuntimeOptions } from './create-runtime.js';
import { RemoteRuntime } from './host-client.js';
import { hostSocketPath } from './host-protocol.js';
import { HostServer } from './host-server.js';
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

const NOBODY_LISTENING = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK']);

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
 * (the CLI's commands pass false).
 *
 * @example
 * const session = await openRuntime({ dir: '/path/to/repo', resume: false });
 * const plans = await session.runtime.listPlans();
 * await session.close();
 */
export async function openRuntime(options: Omit<RuntimeOptions, 'store'> & { waitMs?: number } = {}): Promise<RuntimeSession> {
  const root = await findProjectRoot(options.dir ?? process.cwd());
  const socketPath = hostSocketPath(root);
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  for (;;) {
    try {
      const remote = await RemoteRuntime.connect(root, socketPath);
      return { runtime: remote, role: 'client', close: () => remote.close() };
    } catch (error) {
      if (!NOBODY_LISTENING.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
    try {
      const local = await createRuntime({ ...options, dir: root });
      let host: HostServer;
      try {
        host = await HostServer.listen(local, socketPath);
      } catch (error) {
        await local.close();
        throw error;
      }
      return {
        runtime: local,
        role: 'host',
        close: async (closeOptions = {}) => {
          await host.close(closeOptions);
          await local.close();
        },
      };
    } catch (error) {
      if (!(error instanceof TroupeError) || error.code !== 'STORE_LOCKED') throw error;
      if (Date.now() >= deadline) {
        throw new TroupeError('STORE_LOCKED', `the store of ${root} is locked by another process that does not answer on ${socketPath}`, {
          hint: 'wait for the other troupe command to finish, or stop it; if none runs, the lock is held by something else',
        });
      }
      // the owner is between opening the store and listening: ask again shortly
      await sleep(40 + Math.floor(Math.random() * 60));
    }
  }
}
