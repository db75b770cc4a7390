// The storage port and its backends (DESIGN §4).
export * from './store.js';
export { LevelBackedStore, type StoreOptions, type LevelBackedStoreSettings } from './level-backed-store.js';
export { LevelStore, createLevelStore, defaultStorePath, type LevelStoreOptions } from './level-store.js';
export { MemoryStore, createMemoryStore } from './memory-store.js';
export { STORE_MIGRATIONS, type StoreMigration, type StoreMigrations } from './migrations.js';
export type { StoreDatabase } from './store-database.js';
