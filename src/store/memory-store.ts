import { MemoryLevel } from 'memory-level';
import { LevelBackedStore, type StoreOptions } from './level-backed-store.js';

/**
 * A store in memory (memory-level), for embedding and tests. It behaves as
 * a {@link LevelStore} does, keeps its data across close and open of the
 * same instance, and loses it with the instance.
 *
 * @example
 * const store = new MemoryStore();
 * await store.open();
 */
export class MemoryStore extends LevelBackedStore {
  constructor(options: StoreOptions = {}) {
    super(() => new MemoryLevel<string, string>(), { ...options, kind: 'memory', location: 'memory' });
  }
}

/**
 * A {@link MemoryStore} (not yet open).
 *
 * @example
 * const store = createMemoryStore();
 */
export function createMemoryStore(options: StoreOptions = {}): MemoryStore {
  return new MemoryStore(options);
}
