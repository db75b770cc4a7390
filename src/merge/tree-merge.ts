import type { ConflictHunk, ConflictKind, ConflictPaths } from '../domain/index.js';
import { mergeEntry } from './entry-merge.js';
import { pathSet } from './path-set.js';
import { followedRenames, wholeFileHunk, type RenamedPaths, type SideRenames } from './rename-merge.js';
import { entryType, type TreeFile } from './tree-entry.js';
import type { MergeStrategy } from './types.js';

export type { TreeFile } from './tree-entry.js';

/** What the tree merge reads from a repository (implemented over git in src/sandbox/git-trees.ts). */
export interface TreeReader {
  /** Paths that differ between two commits: added, modified, deleted (renames as delete + add). */
  changedPaths(from: string, to: string): Promise<string[]>;
  /** The file at `path` in `commit` (a directory or a submodule as a {@link TreeFile} of its mode), or null when it has none. */
  readFile(commit: string, path: string): Promise<TreeFile | null>;
  /** The renames from `from` to each of `to` (a deleted path paired with an added one at least 50 % similar, as git pairs them). */
  renames(from: string, to: readonly string[]): Promise<SideRenames['ours'][]>;
}

/** One change to make on top of ours: the file to write, or null to delete it. */
export interface FileWrite {
  path: string;
  file: TreeFile | null;
}

/** A file the merge could not settle: what the user must resolve. */
export interface TreeConflict {
  file: string;
  kind: ConflictKind;
  hunks: ConflictHunk[];
  /** Text with conflict markers, for a user to edit; null for binary and whole-file conflicts. */
  content: Uint8Array | null;
  /** For a file a side renamed: where base, ours and theirs have it (`file` is where the merge puts it). */
  paths?: ConflictPaths;
}

/** A conflict a strategy resolved to one side, for the `conflict_resolution` decision. */
export interface ResolvedConflict {
  file: string;
  kind: ConflictKind;
  side: 'ours' | 'theirs';
  hunks: number;
}

/** The tree merge's answer: the writes that turn ours into the merge, and what did not merge. */
export interface TreeMergeResult {
  writes: FileWrite[];
  conflicts: TreeConflict[];
  resolved: ResolvedConflict[];
}

/**
 * Three-way merge of two commits over their base, file by file with the
 * resource-type-aware engine (SPEC §9). Paths only one side changed take
 * that side; paths both changed are merged. The result is the list of
 * writes to apply on top of `ours` (clean files, and for conflicts nothing:
 * ours stays until the user resolves), the conflicts, and what the `ours` /
 * `theirs` strategies resolved. Deterministic: paths in sorted order.
 *
 * A file both sides changed that a side renamed (git's rename detection,
 * 50 % similar) is merged across the rename: into the new path, the old
 * one removed; renamed by both to different paths it is a `rename-rename`
 * conflict, renamed by one and deleted by the other a `rename-delete`.
 *
 * @example
 * const { writes, conflicts } = await mergeTrees({ base, ours, theirs, reader: new GitTrees(root) });
 */
export async function mergeTrees(options: {
  base: string;
  ours: string;
  theirs: string;
  reader: TreeReader;
  /** `fail-on-conflict` is `three-way` whose caller applies nothing when a conflict surfaced. */
  strategy?: MergeStrategy;
  /**
   * The paths each side changed since base, when the caller knows them
   * already (it may pass only part of theirs: the rest is not merged here).
   */
  changed?: { ours: readonly string[]; theirs: readonly string[] };
  /**
   * The renames each side made since base; without `changed` they are
   * found here, with it the caller passes them when a side deleted a path
   * the other changed (none: no rename is followed). With `changed`, the
   * new path of each rename theirs made of a path both changed must be in
   * `changed.theirs`.
   */
  renames?: SideRenames;
}): Promise<TreeMergeResult> {
  const { base, ours, theirs, reader, changed } = options;
  const strategy = options.strategy ?? 'three-way';
  const [oursChanged, theirsChanged] = changed
    ? [changed.ours, changed.theirs]
    : await Promise.all([reader.changedPaths(base, ours), reader.changedPaths(base, theirs)]);
  const changedByOurs = new Set(oursChanged);
  // a path one side changed where the other changed files under it (a file against a directory) is merged as one entry
  const [oursPaths, theirsPaths] = [pathSet(oursChanged), pathSet(theirsChanged)];
  const result: TreeMergeResult = { writes: [], conflicts: [], resolved: [] };
  const renames = options.renames ?? (changed ? undefined : await sideRenames(reader, base, ours, theirs));
  const followed =
    renames === undefined ? [] : followedRenames({ ours: changedByOurs, theirs: new Set(theirsChanged) }, renames);
  // the paths of a renamed file are merged together, once
  const claimed = new Set(followed.flatMap((paths) => [paths.base, paths.ours, paths.theirs]));
  for (const paths of followed) await mergeRenamed({ base, ours, theirs, reader, strategy }, paths, result);
  const filesOverDirectories: string[] = [];
  for (const path of [
    ...new Set([...theirsChanged, ...oursChanged.filter((path) => theirsPaths.holds(path))]),
  ].sort()) {
    if (claimed.has(path)) continue;
    if (!changedByOurs.has(path) && !oursPaths.holds(path)) {
      // only theirs changed it: theirs is the merge (a directory there is files of their own)
      const file = await reader.readFile(theirs, path);
      result.writes.push({ path, file: file !== null && entryType(file.mode) === 'directory' ? null : file });
      continue;
    }
    const [baseFile, oursFile, theirsFile] = await Promise.all([
      reader.readFile(base, path),
      reader.readFile(ours, path),
      reader.readFile(theirs, path),
    ]);
    const merged = mergeEntry({ path, base: baseFile, ours: oursFile, theirs: theirsFile, strategy });
    if (merged.status === 'conflict') {
      result.conflicts.push({ file: path, kind: merged.kind, hunks: merged.hunks, content: merged.content });
      continue;
    }
    if (merged.resolved !== null && strategy !== 'three-way')
      result.resolved.push({ file: path, ...merged.resolved, side: strategy });
    // ours already holds exactly this: nothing to write
    if (!merged.kept) result.writes.push({ path, file: merged.file });
    if (merged.resolved?.kind === 'file-directory' && merged.file !== null) filesOverDirectories.push(`${path}/`);
  }
  // a strategy kept a file where the other side made a directory: nothing of that directory is written
  if (filesOverDirectories.length > 0)
    result.writes = result.writes.filter((write) => !filesOverDirectories.some((file) => write.path.startsWith(file)));
  result.writes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  result.conflicts.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return result;
}

async function sideRenames(reader: TreeReader, base: string, ours: string, theirs: string): Promise<SideRenames> {
  const [oursRenames = [], theirsRenames = []] = await reader.renames(base, [ours, theirs]);
  return { ours: oursRenames, theirs: theirsRenames };
}

// one file followed across a rename (docs/explanation/merging.md, Renames): its three
// versions read where each side has it, merged into the path the merge gives it
async function mergeRenamed(
  sides: { base: string; ours: string; theirs: string; reader: TreeReader; strategy: MergeStrategy },
  paths: RenamedPaths,
  result: TreeMergeResult,
): Promise<void> {
  const { reader, strategy } = sides;
  const [baseFile, oursFile, theirsFile] = await Promise.all([
    reader.readFile(sides.base, paths.base),
    reader.readFile(sides.ours, paths.ours),
    reader.readFile(sides.theirs, paths.theirs),
  ]);
  // what each side now has, null where it deleted the file
  const where: ConflictPaths = {
    base: paths.base,
    ours: oursFile === null ? null : paths.ours,
    theirs: theirsFile === null ? null : paths.theirs,
  };
  if (oursFile === null || theirsFile === null) {
    // renamed on one side, deleted on the other: git keeps the renamed file and conflicts, whatever it holds
    const file = (where.ours ?? where.theirs)!;
    if (strategy === 'three-way') {
      result.conflicts.push({
        file,
        kind: 'rename-delete',
        hunks: [wholeFileHunk(baseFile?.content ?? null, oursFile?.content ?? null, theirsFile?.content ?? null)],
        content: null,
        paths: where,
      });
      return;
    }
    result.resolved.push({ file, kind: 'rename-delete', side: strategy, hunks: 1 });
    // ours already has its side; theirs: the renamed file comes, or ours' renamed file goes
    if (strategy === 'theirs') result.writes.push({ path: file, file: theirsFile });
    return;
  }
  const split = paths.ours !== paths.theirs && paths.ours !== paths.base && paths.theirs !== paths.base;
  // renamed on one side (or alike on both): the new path; to different paths: the chosen side's, ours' until settled
  const target = split
    ? strategy === 'theirs'
      ? paths.theirs
      : paths.ours
    : paths.ours === paths.base
      ? paths.theirs
      : paths.ours;
  // modes and types merge as for any entry: the executable bit one side set follows the rename
  const merged = mergeEntry({ path: target, base: baseFile, ours: oursFile, theirs: theirsFile, strategy });
  if (split && strategy === 'three-way') {
    // the content merged (with markers where it conflicts) is the copy to edit, whichever path it goes to
    const [hunks, content] =
      merged.status === 'conflict' ? [merged.hunks, merged.content] : [[], merged.file?.content ?? null];
    result.conflicts.push({ file: paths.ours, kind: 'rename-rename', hunks, content, paths: where });
    return;
  }
  if (merged.status === 'conflict') {
    result.conflicts.push({
      file: target,
      kind: merged.kind,
      hunks: merged.hunks,
      content: merged.content,
      paths: where,
    });
    return;
  }
  if (split)
    result.resolved.push({
      file: paths.ours,
      kind: 'rename-rename',
      side: strategy as 'ours' | 'theirs',
      hunks: Math.max(1, merged.resolved?.hunks ?? 0),
    });
  else if (merged.resolved !== null && strategy !== 'three-way')
    result.resolved.push({ file: target, ...merged.resolved, side: strategy });
  // ours' version of the file lives elsewhere: it moves
  if (paths.ours !== target) result.writes.push({ path: paths.ours, file: null });
  if (paths.ours !== target || !merged.kept) result.writes.push({ path: target, file: merged.file });
}
