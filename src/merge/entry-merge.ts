import type { ConflictHunk, ConflictKind } from '../domain/index.js';
import { merge, sameBytes } from './merge.js';
import { describeEntry, entryType, type TreeFile } from './tree-entry.js';
import type { MergeStrategy } from './types.js';

/**
 * The merge of one path's entries: clean — what the path holds after it
 * (null: nothing, or a directory the other side's files make), whether ours
 * holds exactly that already, and what a strategy settled — or a conflict.
 */
export type EntryMerge =
  | { status: 'clean'; file: TreeFile | null; kept: boolean; resolved: { kind: ConflictKind; hunks: number } | null }
  | { status: 'conflict'; kind: ConflictKind; hunks: ConflictHunk[]; content: Uint8Array | null };

/**
 * Three-way merge of what one path holds on each side (SPEC §9), modes and
 * types included, as git's merge-ort decides: a side that equals base
 * (bytes and mode) takes the other side; one side deleted and the other
 * changed — its content or only its mode — is `modify-delete`; a regular
 * file, a symlink or a submodule against an entry of another type is
 * `distinct-types`; a file against a directory the other side made is
 * `file-directory`; two submodule pointers moved differently are
 * `submodule`. Files of one type merge their bytes with {@link merge}, and
 * their modes apart: the mode only one side changed wins, two different
 * new modes (an executable bit both sides added differently) conflict.
 * With the `ours` / `theirs` strategy every conflict takes that side and
 * the result is clean.
 *
 * @example
 * const file = (mode: string, text: string) => ({ mode, content: new TextEncoder().encode(text) });
 * mergeEntry({ path: 'run.sh', base: file('100644', 'x\n'), ours: file('100755', 'x\n'), theirs: null });
 * // { status: 'conflict', kind: 'modify-delete', … }
 */
export function mergeEntry(input: {
  path: string;
  base: TreeFile | null;
  ours: TreeFile | null;
  theirs: TreeFile | null;
  strategy?: MergeStrategy;
}): EntryMerge {
  const strategy = input.strategy ?? 'three-way';
  const { ours, theirs } = input;
  const directory = (file: TreeFile | null) => file !== null && entryType(file.mode) === 'directory';
  // a directory base had at the path is no file: a file made there is an add
  const base = directory(input.base) ? null : input.base;
  if (directory(ours) || directory(theirs)) return mergeWithDirectory(base, ours, theirs, strategy);
  if (sameFile(ours, theirs) || sameFile(base, theirs)) return clean(ours, ours);
  if (sameFile(base, ours)) return clean(theirs, ours);
  if (ours === null || theirs === null)
    return whole('modify-delete', sides(base, ours, theirs, false), ours, theirs, strategy);
  const [oursType, theirsType] = [entryType(ours.mode), entryType(theirs.mode)];
  if (oursType !== theirsType) return whole('distinct-types', sides(base, ours, theirs, true), ours, theirs, strategy);
  if (oursType === 'submodule') return whole('submodule', sides(base, ours, theirs, false), ours, theirs, strategy);
  return mergeFiles(input.path, base, ours, theirs, strategy);
}

// two files (or two symlinks) both sides changed: bytes by the engine, modes as git merges them
function mergeFiles(
  path: string,
  base: TreeFile | null,
  ours: TreeFile,
  theirs: TreeFile,
  strategy: MergeStrategy,
): EntryMerge {
  // a submodule base has no bytes to merge from
  const baseBytes = base !== null && entryType(base.mode) !== 'submodule' ? base.content : null;
  const merged = merge({ path, base: baseBytes, ours: ours.content, theirs: theirs.content, strategy });
  const mode = mergedMode(base?.mode, ours.mode, theirs.mode);
  const modeHunk =
    mode === null
      ? [{ ours: `mode ${ours.mode}`, base: base === null ? null : `mode ${base.mode}`, theirs: `mode ${theirs.mode}` }]
      : [];
  if (merged.status === 'conflict' || (modeHunk.length > 0 && strategy === 'three-way')) {
    // only the modes conflict: the merged bytes are the copy to edit
    if (merged.status === 'clean')
      return {
        status: 'conflict',
        kind: base === null ? 'add-add' : 'content',
        hunks: modeHunk,
        content: merged.content,
      };
    return { status: 'conflict', kind: merged.kind, hunks: [...modeHunk, ...merged.hunks], content: merged.content };
  }
  const settled = merged.resolved.length + modeHunk.length;
  const file =
    merged.content === null
      ? null
      : { mode: mode ?? (strategy === 'theirs' ? theirs.mode : ours.mode), content: merged.content };
  return {
    status: 'clean',
    file,
    kept: sameFile(file, ours),
    resolved:
      settled === 0
        ? null
        : { kind: merged.resolved[0]?.kind ?? (base === null ? 'add-add' : 'content'), hunks: settled },
  };
}

// git's rule (merge-ort): the mode only one side changed wins; both changed it differently: null, a conflict
function mergedMode(base: string | undefined, ours: string, theirs: string): string | null {
  if (ours === theirs || ours === base) return theirs;
  if (theirs === base) return ours;
  return null;
}

// one side is a directory (files under the path) where the other may hold a file
function mergeWithDirectory(
  base: TreeFile | null,
  ours: TreeFile | null,
  theirs: TreeFile | null,
  strategy: MergeStrategy,
): EntryMerge {
  const isFile = (file: TreeFile | null): file is TreeFile => file !== null && entryType(file.mode) !== 'directory';
  const file = isFile(ours) ? ours : isFile(theirs) ? theirs : null;
  // no file on either side (deleted, a directory made), or the file's side left it as base had it: the
  // directory stays, and a file ours has there goes (theirs' files under the path replace it anyway)
  if (file === null || sameFile(base, file))
    return { status: 'clean', file: null, kept: !isFile(ours), resolved: null };
  return whole('file-directory', sides(base, ours, theirs, true), ours, theirs, strategy, true);
}

// a conflict over the whole entry: surfaced, or settled by taking the strategy's side as it is
function whole(
  kind: ConflictKind,
  hunk: ConflictHunk,
  ours: TreeFile | null,
  theirs: TreeFile | null,
  strategy: MergeStrategy,
  rewrite = false,
): EntryMerge {
  if (strategy === 'three-way') return { status: 'conflict', kind, hunks: [hunk], content: null };
  const side = strategy === 'ours' ? ours : theirs;
  // a directory is kept by writing nothing at its path; a file replacing one is written even where ours has it
  const file = side !== null && entryType(side.mode) === 'directory' ? null : side;
  return { status: 'clean', file, kept: !rewrite && sameFile(file, ours), resolved: { kind, hunks: 1 } };
}

// the single hunk of a whole-entry conflict; a side whose content is base's says which mode it changed
function sides(base: TreeFile | null, ours: TreeFile | null, theirs: TreeFile | null, typed: boolean): ConflictHunk {
  const side = (file: TreeFile | null) => {
    if (
      file !== null &&
      base !== null &&
      file.mode !== base.mode &&
      entryType(file.mode) === 'file' &&
      entryType(base.mode) === 'file' &&
      sameBytes(file.content, base.content)
    ) {
      return `mode ${base.mode} → ${file.mode}, content unchanged`;
    }
    return describeEntry(file, typed);
  };
  return { ours: side(ours), base: describeEntry(base, typed), theirs: side(theirs) };
}

function clean(file: TreeFile | null, ours: TreeFile | null): EntryMerge {
  return { status: 'clean', file, kept: sameFile(file, ours), resolved: null };
}

/** Whether two entries are the same: mode and bytes (null: nothing there). */
export function sameFile(a: TreeFile | null, b: TreeFile | null): boolean {
  if (a === null || b === null) return a === b;
  return a.mode === b.mode && sameBytes(a.content, b.content);
}
