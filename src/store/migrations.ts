import { migrateStepChains } from './migrate-step-chains.js';
import type { StoreDatabase } from './store-database.js';

/**
 * Moves a store from one schema version to the next. The store writes the
 * new version after the migration resolves, so a migration interrupted by a
 * crash runs again on the next open: it must be safe to repeat.
 */
export type StoreMigration = (db: StoreDatabase) => Promise<void>;

/** Migrations keyed by the version they migrate *from*. */
export type StoreMigrations = Readonly<Record<number, StoreMigration>>;

/**
 * The migrations this troupe knows: a change to the key layout or a stored
 * shape adds one, from the version before, and bumps `STORE_SCHEMA_VERSION`.
 * 1 → 2: step lists move into step chains (checkpoints stop copying them).
 */
export const STORE_MIGRATIONS: StoreMigrations = { 1: migrateStepChains };
