import type { Store } from '../../src/store/index.js';

/**
 * The store as it is, except that calls of `method` are counted: what a test
 * reads to show a round trip was saved (or made once), on the real store.
 */
export function countingCalls<M extends keyof Store>(store: Store, method: M): { store: Store; calls: () => number } {
  let calls = 0;
  const counting = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      return property === method ? (...args: unknown[]) => ((calls += 1), bound(...args)) : bound;
    },
  });
  return { store: counting, calls: () => calls };
}
