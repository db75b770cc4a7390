import type { ConflictHunk, ConflictKind } from '../domain/index.js';
import { mergeEntry } from './entry-merge.js';
import { pathSet } from './path-set.js';
import { entryType, type TreeFile } from './tree-entry.js';
import type { MergeStrategy } from './types.js';

export type { TreeFile } from './tree-entry.js';

/** What the tree merge reads from a repository (implemented over git in src/sandbox/git-trees.ts). */
export interface TreeReader {
  /** Paths that differ between two commits: added, modified, deleted (renames as delete + add). */
  changedPaths(from: string, to: string): Promise<string[]>;
  /** The file at `path` in `commit` (a directory or a submodule as a {@link TreeFile} of its mode), or null when it has none. */
  readFile(commit: string, path: string): Promise<TreeFile | null>;
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
}): Promise<TreeMergeResult> {
  const { base, ours, theirs, reader, changed } = options;
  const strategy = options.strategy ?? 'three-way';
  const [oursChanged, theirsChanged] = changed ? [changed.ours, changed.theirs] : await Promise.all([reader.changedPaths(base, ours), reader.changedPaths(base, theirs)]);
  const changedByOurs = new Set(oursChanged);
  // a path one side changed where the other changed files under it (a file against a directory) is merged as one entry
  const [oursPaths, theirsPaths] = [pathSet(oursChanged), pathSet(theirsChanged)];
  const result: TreeMergeResult = { writes: [], conflicts: [], resolved: [] };
  const filesOverDirectories: string[] = [];
  for (const path of [...new Set([...theirsChanged, ...oursChanged.filter((path) => theirsPaths.holds(path))])].sort()) {
    if (!changedByOurs.has(path) && !oursPaths.holds(path)) {
      // only theirs changed it: theirs is the merge (a directory there is files of their own)
      const file = await reader.readFile(theirs, path);
      result.writes.push({ path, file: file !== null && entryType(file.mode) === 'directory' ? null : file });
      continue;
    }
    const [baseFile, oursFile, theirsFile] = await Promise.all([reader.readFile(base, path), reader.readFile(ours, path), reader.readFile(theirs, path)]);
    const merged = mergeEntry({ path, base: baseFile, ours: oursFile, theirs: theirsFile, strategy });
    if (merged.status === 'conflict') {
      result.conflicts.push({ file: path, kind: merged.kind, hunks: merged.hunks, content: merged.content });
      continue;
    }
    if (merged.resolved !== null && strategy !== 'three-way') result.resolved.push({ file: path, ...merged.resolved, side: strategy });
    // ours already holds exactly this: nothing to write
    if (!merged.kept) result.writes.push({ path, file: merged.file });
    if (merged.resolved?.kind === 'file-directory' && merged.file !== null) filesOverDirectories.push(`${path}/`);
  }
  // a strategy kept a file where the other side made a directory: nothing of that directory is written
  if (filesOverDirectories.length > 0) result.writes = result.writes.filter((write) => !filesOverDirectories.some((file) => write.path.startsWith(file)));
  return result;
}
