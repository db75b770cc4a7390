import type { Store } from '../../src/store/index.js';

/**
 * The store as it is, except that calls of `methods` are counted: what a test
 * reads to show a round trip was saved (or made once), on the real store.
 * `calls()` counts them all, `calls(method)` one of them.
 */
export function countingCalls<M extends keyof Store>(
  store: Store,
  methods: M | readonly M[],
): { store: Store; calls: (method?: M) => number } {
  const counted = new Map<PropertyKey, number>(
    (typeof methods === 'string' ? [methods] : methods).map((method) => [method, 0]),
  );
  const counting = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      const count = counted.get(property);
      return count === undefined
        ? bound
        : (...args: unknown[]) => (counted.set(property, counted.get(property)! + 1), bound(...args));
    },
  });
  const calls = (method?: M): number =>
    method === undefined ? [...counted.values()].reduce((sum, each) => sum + each, 0) : (counted.get(method) ?? 0);
  return { store: counting, calls };
}
