import type { ConflictHunk, ConflictKind } from '../domain/index.js';
import { merge, sameBytes } from './merge.js';
import type { MergeStrategy } from './types.js';

/** A file of a commit: its git mode (`100644`, `100755`, `120000`) and its bytes. */
export interface TreeFile {
  mode: string;
  content: Uint8Array;
}

/** What the tree merge reads from a repository (implemented over git in src/sandbox/git-trees.ts). */
export interface TreeReader {
  /** Paths that differ between two commits: added, modified, deleted (renames as delete + add). */
  changedPaths(from: string, to: string): Promise<string[]>;
  /** The file at `path` in `commit`, or null when it has none. */
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
  const result: TreeMergeResult = { writes: [], conflicts: [], resolved: [] };
  for (const path of [...new Set(theirsChanged)].sort()) {
    if (!changedByOurs.has(path)) {
      // only theirs changed it: theirs is the merge
      result.writes.push({ path, file: await reader.readFile(theirs, path) });
      continue;
    }
    const [baseFile, oursFile, theirsFile] = await Promise.all([reader.readFile(base, path), reader.readFile(ours, path), reader.readFile(theirs, path)]);
    const merged = merge({ path, base: baseFile?.content ?? null, ours: oursFile?.content ?? null, theirs: theirsFile?.content ?? null, strategy });
    if (merged.status === 'conflict') {
      result.conflicts.push({ file: path, kind: merged.kind, hunks: merged.hunks, content: merged.content });
      continue;
    }
    if (merged.resolved.length > 0 && strategy !== 'three-way') {
      result.resolved.push({ file: path, kind: merged.resolved[0]?.kind ?? 'content', side: strategy, hunks: merged.resolved.length });
    }
    const mode = mergedMode(baseFile?.mode, oursFile?.mode, theirsFile?.mode, strategy);
    const file = merged.content === null ? null : { mode, content: merged.content };
    // ours already holds exactly this: nothing to write
    if (sameFile(file, oursFile)) continue;
    result.writes.push({ path, file });
  }
  return result;
}

const SYMLINK_MODE = '120000';

// the mode one side changed wins; both changed it differently: the strategy's side, ours by default
function mergedMode(base: string | undefined, ours: string | undefined, theirs: string | undefined, strategy: MergeStrategy): string {
  if (ours === undefined) return theirs ?? base ?? '100644';
  if (theirs === undefined || ours === theirs) return ours;
  // a symlink's content is its target: the side a strategy took the content from is also what kind of file it is
  if (strategy !== 'three-way' && (ours === SYMLINK_MODE) !== (theirs === SYMLINK_MODE)) return strategy === 'theirs' ? theirs : ours;
  if (ours === base) return theirs;
  if (theirs === base) return ours;
  return strategy === 'theirs' ? theirs : ours;
}

function sameFile(a: TreeFile | null, b: TreeFile | null): boolean {
  if (a === null || b === null) return a === b;
  return a.mode === b.mode && sameBytes(a.content, b.content);
}
