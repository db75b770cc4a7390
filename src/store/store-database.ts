import type { AbstractLevel, AbstractSublevel } from 'abstract-level';
import { SUBLEVELS } from './key-layout.js';

/**
 * The database a store runs over: any abstract-level 3 database with string
 * keys, such as `level`'s `Level` or `memory-level`'s `MemoryLevel`.
 */
export type StoreDatabase = AbstractLevel<string | Buffer | Uint8Array, string, string>;

/** A sublevel of the store's database: one kind of stored value, as JSON. */
export type Sublevel = AbstractSublevel<StoreDatabase, string | Buffer | Uint8Array, string, unknown>;
/** The store's sublevels, by the part of {@link SUBLEVELS} each holds. */
export type Sublevels = Record<keyof typeof SUBLEVELS, Sublevel>;

/**
 * The sublevels of an open database. Made again on each open:
 * abstract-level closes sublevels with their database.
 */
export function openSublevels(db: StoreDatabase): Sublevels {
  return Object.fromEntries(
    Object.entries(SUBLEVELS).map(([part, name]) => [
      part,
      db.sublevel<string, unknown>(name, { valueEncoding: 'json' }),
    ]),
  ) as Sublevels;
}

/**
 * Write options asking for a flush to disk before the write resolves.
 * abstract-level's types leave out classic-level's `sync`, yet the option
 * passes through sublevels and batches to the database (memory-level
 * ignores it); typed `{}` so it fits any write's options.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- see above: any write's options
export function writeOptions(sync: boolean): {} {
  return { sync };
}

/** An operation as a database's own `_batch` takes it: key and value already in the database's utf8 format. */
export type EncodedOperation = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

type DirectDatabase = StoreDatabase & {
  // abstract-level's hooks say whether any function was added (untyped)
  hooks: { prewrite: { noop?: boolean } };
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the options writeOptions gives
  _batch(operations: EncodedOperation[], options: {}): Promise<void>;
  prefix?: string;
  status: string;
};

/**
 * A batch writer for `db` that hands already encoded operations (keys with
 * their sublevel prefix, values as JSON text) straight to the database's
 * `_batch`, the call abstract-level itself ends with — or null when that is
 * not the same write: `db` is a sublevel (its own prefix goes on first) or
 * stores utf8 in another format. The public `batch` clones, validates and
 * transcodes each operation again, which cost a read-only step's five puts
 * about 20 µs (docs/explanation/performance.md). Hooks and `write` events, which only
 * the public path runs, are checked at each write: with either, the write
 * takes the public path.
 */
export function directBatchWriter(
  db: StoreDatabase,
): ((operations: EncodedOperation[], sync: boolean) => Promise<void>) | null {
  const direct = db as DirectDatabase;
  if (typeof direct._batch !== 'function' || (direct.prefix ?? '') !== '') return null;
  if (db.keyEncoding('utf8').format !== 'utf8' || db.valueEncoding('utf8').format !== 'utf8') return null;
  const options = { true: writeOptions(true), false: writeOptions(false) };
  const publicOptions = {
    true: { keyEncoding: 'utf8', valueEncoding: 'utf8', ...writeOptions(true) },
    false: { keyEncoding: 'utf8', valueEncoding: 'utf8', ...writeOptions(false) },
  };
  return (operations, sync) => {
    // the public path defers a write while the database opens and refuses one when it is closed
    if (direct.status !== 'open' || direct.hooks.prewrite.noop !== true || db.listenerCount('write') > 0)
      return db.batch(operations, publicOptions[`${sync}`]);
    return direct._batch(operations, options[`${sync}`]);
  };
}
