import type { ConflictHunk, ConflictKind } from '../domain/index.js';

/**
 * How a merge settles conflicts (SPEC §9): `three-way` applies the clean
 * parts and surfaces the conflicts; `ours` / `theirs` resolve every
 * conflicting hunk, and every whole-file conflict, to that side.
 */
export type MergeStrategy = 'three-way' | 'ours' | 'theirs';

/** The resource types the engine tells apart; each has its own merge. */
export type ResourceType = 'text' | 'json' | 'binary';

/**
 * One file's three versions. A side is `null` when the file does not exist
 * there: `base: null` is an add on both sides, `ours: null` a deletion.
 */
export interface MergeInput {
  /** The file's path in the repository; `*.json` (any case) selects the JSON merge. */
  path: string;
  base: Uint8Array | null;
  ours: Uint8Array | null;
  theirs: Uint8Array | null;
  /** Defaults to `three-way`. */
  strategy?: MergeStrategy;
}

/**
 * A conflict that the `ours` or `theirs` strategy settled, reported so that
 * the caller can record a `conflict_resolution` decision.
 */
export interface ConflictHunkSummary {
  /** The conflict as `three-way` would have reported it. */
  kind: ConflictKind;
  /** The side the hunk was resolved to. */
  side: 'ours' | 'theirs';
  /** The three sides' texts, as in a conflict's `hunks`. */
  hunk: ConflictHunk;
  /** For JSON, the key path of the conflicting value; null otherwise. */
  keyPath: string[] | null;
}

/** A merge that settled: the merged bytes, or null when the merge deletes the file. */
export interface CleanMerge {
  status: 'clean';
  content: Uint8Array | null;
  type: ResourceType;
  /** What the `ours` / `theirs` strategy resolved; always empty for `three-way`. */
  resolved: ConflictHunkSummary[];
}

/**
 * A merge that needs the user. `hunks` holds one entry per conflicting
 * region (text), per conflicting key path (JSON), or a single whole-file
 * entry (binary, modify/delete). For whole-file and binary hunks a side's
 * text is the file's text, or for binary content a one-line description
 * `binary, <n> bytes, blob <git object id>`; null where the side has no file.
 * Binary wins over add/add: two different binaries both sides added are a
 * `binary` conflict, as there is nothing to merge line by line.
 */
export interface ConflictedMerge {
  status: 'conflict';
  kind: ConflictKind;
  type: ResourceType;
  hunks: ConflictHunk[];
  /** For JSON, the key path of each hunk (same order); null for other types. */
  keyPaths: string[][] | null;
  /**
   * The file with git-style diff3 markers (`<<<<<<< ours`, `||||||| base`,
   * `=======`, `>>>>>>> theirs`) around each conflict, for a user to edit;
   * null for binary and modify/delete conflicts.
   */
  content: Uint8Array | null;
}

/** What {@link merge} answers. */
export type MergeResult = CleanMerge | ConflictedMerge;
