import type { ConflictHunk } from '../domain/index.js';
import { describeBinary } from './binary.js';
import { decodeText } from './classify.js';

/** A file one side moved since base: its path in base and on that side (git's rename detection). */
export interface FileRename {
  from: string;
  to: string;
}

/** The renames each side made since base. */
export interface SideRenames {
  ours: readonly FileRename[];
  theirs: readonly FileRename[];
}

/** Where each side has a file the merge follows across a rename (a side that did not rename it: the base path). */
export interface RenamedPaths {
  base: string;
  ours: string;
  theirs: string;
}

/**
 * The files the tree merge follows across a rename (docs/explanation/merging.md,
 * Renames): a path both sides changed since base that one side, or both,
 * renamed — where each version lives. A side that did not rename it keeps
 * the base path (reading null there: it deleted the file). A rename is not
 * followed when its new path collides with what the other side did there
 * (the other side changed that path too): the paths then merge one by one,
 * a rename being a delete and an add, and the collision surfaces there.
 *
 * @example
 * followedRenames({ ours: new Set(['a.txt', 'b.txt']), theirs: new Set(['a.txt']) }, { ours: [{ from: 'a.txt', to: 'b.txt' }], theirs: [] });
 * // [{ base: 'a.txt', ours: 'b.txt', theirs: 'a.txt' }]
 */
export function followedRenames(
  changed: { ours: ReadonlySet<string>; theirs: ReadonlySet<string> },
  renames: SideRenames,
): RenamedPaths[] {
  const oursTo = new Map(renames.ours.map((rename) => [rename.from, rename.to]));
  const theirsTo = new Map(renames.theirs.map((rename) => [rename.from, rename.to]));
  const followed: RenamedPaths[] = [];
  for (const from of [...new Set([...oursTo.keys(), ...theirsTo.keys()])].sort()) {
    // only a file both sides changed needs the rename: otherwise one side's changes are the merge
    if (!changed.ours.has(from) || !changed.theirs.has(from)) continue;
    const ours = oursTo.get(from);
    const theirs = theirsTo.get(from);
    if (ours !== undefined && ours !== theirs && changed.theirs.has(ours)) continue;
    if (theirs !== undefined && theirs !== ours && changed.ours.has(theirs)) continue;
    followed.push({ base: from, ours: ours ?? from, theirs: theirs ?? from });
  }
  return followed;
}

/**
 * The one hunk of a `rename-delete` conflict: each side's whole file as
 * text (binary described), null on the side that deleted it.
 */
export function wholeFileHunk(
  base: Uint8Array | null,
  ours: Uint8Array | null,
  theirs: Uint8Array | null,
): ConflictHunk {
  const text = (bytes: Uint8Array | null) => (bytes === null ? null : (decodeText(bytes) ?? describeBinary(bytes)));
  return { ours: text(ours), base: text(base), theirs: text(theirs) };
}
