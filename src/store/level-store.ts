import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { LevelBackedStore, type StoreOptions } from './level-backed-store.js';

/** Options of a {@link LevelStore}: where it is, plus the options every store takes. */
export interface LevelStoreOptions extends StoreOptions {
  /** The LevelDB directory; created on open if missing. */
  path: string;
}

/** Where a project keeps its store: `<project>/.troupe/db`. */
export function defaultStorePath(projectRoot: string): string {
  return join(projectRoot, '.troupe', 'db');
}

/**
 * The default store: LevelDB on disk. One process owns it at a time; opening
 * it while another process has it fails with `STORE_LOCKED` (DESIGN §4).
 *
 * @example
 * const store = new LevelStore({ path: defaultStorePath(projectRoot) });
 * await store.open();
 */
export class LevelStore extends LevelBackedStore {
  /** The LevelDB directory. */
  readonly path: string;

  constructor(options: LevelStoreOptions) {
    const { path, ...storeOptions } = options;
    super(() => new Level<string, string>(path), { ...storeOptions, kind: 'level', location: path });
    this.path = path;
  }

  /** Create the directory if needed, then open as every store does. */
  override async open(): Promise<void> {
    await mkdir(this.path, { recursive: true });
    await super.open();
  }
}

/**
 * A {@link LevelStore} at `path` (not yet open).
 *
 * @example
 * const store = createLevelStore(defaultStorePath(process.cwd()));
 */
export function createLevelStore(path: string, options: StoreOptions = {}): LevelStore {
  return new LevelStore({ ...options, path });
}
