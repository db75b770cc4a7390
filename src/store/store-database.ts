import type { AbstractLevel } from 'abstract-level';

/**
 * The database a store runs over: any abstract-level 3 database with string
 * keys, such as `level`'s `Level` or `memory-level`'s `MemoryLevel`.
 */
export type StoreDatabase = AbstractLevel<string | Buffer | Uint8Array, string, string>;

/**
 * Write options asking for a flush to disk before the write resolves.
 * abstract-level's types leave out classic-level's `sync`, yet the option
 * passes through sublevels and batches to the database (memory-level
 * ignores it); typed `{}` so it fits any write's options.
 */
export function writeOptions(sync: boolean): {} {
  return { sync };
}
