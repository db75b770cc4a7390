import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, TroupeError } from '../../domain/errors.js';
import type { JournalEvent, PlanRecord } from '../../domain/index.js';
import { isTerminalStatus } from '../../domain/phases.js';
import { sharePathProblem } from '../../domain/share-path.js';
import { subscriptionTarget } from '../../domain/subscription-target.js';
import { isSetUp } from '../../sandbox/project-root.js';
import type { Store } from '../../store/store.js';
import { resolvePlanRef } from '../../store/plan-ref.js';
import { holdersOf } from '../../store/holders-of.js';
import type { PlanLiveness, Runtime } from '../runtime.js';

/**
 * A Runtime that answers `getPlan`, `listPlans`, `liveness` and `events` from the open store and
 * starts the whole runtime (`start`: createRuntime on that store) on the
 * first call that needs more — and from then on hands every call to it.
 * A command owning the store for a read (`troupe plan status`) so starts
 * without the machines, actors, sandbox and tools it never uses
 * (docs/explanation/performance.md); while it owns the store, another process's `plan
 * run` starts them here as before. Until then nothing runs: the store holds
 * what the runtime would read.
 *
 * @example
 * const runtime = deferredRuntime(root, store, () => createRuntime({ dir: root, store, resume: false }));
 * const record = await runtime.getPlan('demo/x'); // no runtime started
 */
export function deferredRuntime(root: string, store: Store, start: () => Promise<Runtime>): Runtime {
  let started: Promise<Runtime> | null = null;
  // set by the first close; a second close waits for it
  let closing: Promise<void> | null = null;
  const subscriptions = new Set<{
    target: string;
    listener: (event: JournalEvent) => void;
    stop: (() => void) | null;
  }>();
  const full = (): Promise<Runtime> => {
    if (closing !== null) return Promise.reject(closedError());
    if (!started) {
      started = start();
      // subscriptions made before it started hear everything it does: nothing ran before
      void started.then(
        (runtime) => {
          for (const subscription of subscriptions)
            subscription.stop ??= runtime.subscribe(subscription.target, subscription.listener);
        },
        () => {},
      );
    }
    return started;
  };
  const reads = {
    async getPlan(ref: string): Promise<PlanRecord> {
      if (started) return (await full()).getPlan(ref);
      if (closing !== null) throw closedError();
      const id = await resolvePlanRef(store, ref, root);
      const record = await store.getPlan(id);
      if (!record) throw new NotFoundError('plan', id);
      return record;
    },
    async listPlans(options: { all?: boolean } = {}): Promise<PlanRecord[]> {
      if (started) return (await full()).listPlans(options);
      if (closing !== null) throw closedError();
      const plans = await store.listPlans();
      return options.all ? plans : plans.filter((plan) => !isTerminalStatus(plan.status));
    },
    // a plan's journal is what the store holds (plan status reads it for the running step and what the network allow-list refused)
    async events(ref: string, options: { afterSeq?: number; limit?: number } = {}): Promise<JournalEvent[]> {
      if (started) return (await full()).events(ref, options);
      if (closing !== null) throw closedError();
      return store.readEvents(await resolvePlanRef(store, ref, root), options);
    },
    // nothing runs before it started: what the store holds says who drives a plan
    async liveness(planIds: readonly string[]): Promise<PlanLiveness[]> {
      if (started) return (await full()).liveness(planIds);
      if (closing !== null) throw closedError();
      // read here, not through the plans wing, which a runtime not yet started does not load
      const [held, holders] = await Promise.all([
        store.claimedPlans(planIds).then((ids) => new Set(ids)),
        holdersOf(store, planIds),
      ]);
      return planIds.map((planId, index) => ({
        planId,
        live: held.has(planId),
        output: null,
        holder: holders[index] ?? null,
      }));
    },
    subscribe(planIdOrAll: string, listener: (event: JournalEvent) => void): () => void {
      const subscription = { target: subscriptionTarget(planIdOrAll), listener, stop: null as (() => void) | null };
      subscriptions.add(subscription);
      void started?.then(
        (runtime) => {
          if (subscriptions.has(subscription)) subscription.stop ??= runtime.subscribe(subscription.target, listener);
        },
        () => {},
      );
      return () => {
        if (subscriptions.delete(subscription)) subscription.stop?.();
      };
    },
    close(): Promise<void> {
      // a second close (Ctrl-C's, then the command's own) waits for the first: a runtime still
      // starting when it came writes until it is closed, and the command must not end before
      closing ??= (async () => {
        if (!started) return store.close();
        // a runtime that failed to start may have left the store open
        const runtime = await started.catch(() => null);
        await (runtime ? runtime.close() : store.close().catch(() => {}));
      })();
      return closing;
    },
  };
  return new Proxy(reads as unknown as Runtime, {
    get: (target, property) => {
      if (property === 'dir') return root;
      if (Object.hasOwn(target, property)) return (target as unknown as Record<string | symbol, unknown>)[property];
      // the Runtime's members are methods; `then` must not make it a thenable, nor a symbol anything
      if (typeof property !== 'string' || property === 'then') return undefined;
      return async (...args: unknown[]) => {
        const runtime = (await full()) as unknown as Record<string | symbol, unknown>;
        const member = runtime[property];
        if (typeof member !== 'function') return member;
        return (member as (...params: unknown[]) => unknown).apply(runtime, args);
      };
    },
  });
}

/**
 * Whether the project at `root` may be served by a {@link deferredRuntime}:
 * it is set up already, and its `.troupe/config.json` asks for nothing but
 * the defaults — no invariants, plugins, sandbox settings or network, the
 * built-in actors; shared paths (`sandbox.share`, which `troupe init`
 * writes) are fine — so createRuntime would start on it without a word and
 * reads answer the same either way. Any other config is checked by
 * createRuntime as the command starts, as always.
 *
 * @example
 * const runtime = (await canDefer(root)) ? deferredRuntime(root, store, start) : await start();
 */
export async function canDefer(root: string): Promise<boolean> {
  if (!isSetUp(root)) return false;
  let config: unknown;
  try {
    config = JSON.parse(await readFile(join(root, '.troupe', 'config.json'), 'utf8'));
  } catch {
    return false;
  }
  return isDefaultConfig(config);
}

const DEFAULT_ACTORS: Readonly<Record<string, string>> = {
  strategist: 'scripted',
  executor: 'tool-call',
  reconciler: 'default',
};

// the defaults, spelled out or left out: nothing createRuntime could refuse
function isDefaultConfig(config: unknown): boolean {
  if (!isObject(config)) return false;
  for (const [key, value] of Object.entries(config)) {
    const plain =
      ((key === 'invariants' || key === 'plugins') && Array.isArray(value) && value.length === 0) ||
      (key === 'network' && value === false) ||
      // troupe init shares a JavaScript project's node_modules: reads stay fast (a read runs no command; a tracked path is refused when one does)
      (key === 'sandbox' &&
        isObject(value) &&
        Object.entries(value).every(([field, paths]) => field === 'share' && isSharedPaths(paths))) ||
      (key === 'actors' &&
        isObject(value) &&
        Object.entries(value).every(
          ([role, name]) => Object.hasOwn(DEFAULT_ACTORS, role) && DEFAULT_ACTORS[role] === name,
        ));
    if (!plain) return false;
  }
  return true;
}

function isSharedPaths(value: unknown): boolean {
  return Array.isArray(value) && value.every((path) => typeof path === 'string' && sharePathProblem(path) === null);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function closedError(): TroupeError {
  return new TroupeError('INTERNAL_ERROR', 'this runtime is closed', {
    hint: 'create a new runtime with createRuntime()',
  });
}
