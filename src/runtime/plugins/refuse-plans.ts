import type { TroupeError } from '../../domain/index.js';

// what a runtime whose plugins did not load still does: none of these runs a
// strategist, executor, reconciler, tool or check. Any other method — a new
// one too — is refused until the plugins load.
const WITHOUT_PLUGINS = new Set([
  'getPlan',
  'listPlans',
  'liveness',
  'explain',
  'tree',
  'changes',
  'patch',
  'previewApply',
  'conflicts',
  'events',
  'subscribe',
  'checkpoints',
  'checkpoint',
  'previewRollback',
  'listProjects',
  'addProject',
  'cancel',
  'createCheckpoint',
  'deleteCheckpoint',
  'pruneCheckpoints',
  'gc',
  'previewDelete',
  'deletePlan',
  'livePlanIds',
  'close',
]);

/**
 * The runtime as seen while its plugins are broken (SPEC §17): reading
 * plans, cancelling them and managing checkpoints work; creating, running,
 * resuming, correcting, rolling back or resolving a plan — anything that
 * could run its actors without the tools, checks and actors the plugins
 * register — rejects with `failure`, the `VALIDATION_ERROR` naming them.
 * Properties (`dir`, `inspector`) are the runtime's.
 *
 * @example
 * const guarded = refusePlans(runtime, extensions.pluginFailure);
 * await guarded.listPlans(); // works
 * await guarded.run('app/x'); // rejects: plugins[0] "./troupe.plugins.mjs": no such file: …
 */
export function refusePlans<T extends object>(runtime: T, failure: TroupeError): T {
  return new Proxy(runtime, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (typeof key === 'string' && key !== 'constructor' && !WITHOUT_PLUGINS.has(key))
        return () => Promise.reject(failure);
      // the runtime keeps its state in private fields: call it on itself, not on the proxy
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
}
