// The merge engine (DESIGN §6): three-way merge of one file's versions by
// resource type, text line by line as git does it, JSON by key path, binary whole. Pure:
// bytes in, a result out; no disk, no git. Subplan merges and apply both use it.
export { merge } from './merge.js';
export type {
  CleanMerge,
  ConflictedMerge,
  ConflictHunkSummary,
  MergeInput,
  MergeResult,
  MergeStrategy,
  ResourceType,
} from './types.js';
export { splitLines } from './text.js';
export { decodeText, encodeText, isJsonPath } from './classify.js';
export { mergeEntry, sameFile, type EntryMerge } from './entry-merge.js';
export { pathSet, type PathSet } from './path-set.js';
export {
  DIRECTORY_MODE,
  GITLINK_MODE,
  SYMLINK_MODE,
  describeEntry,
  entryType,
  gitlinkCommit,
  gitlinkFile,
  type EntryType,
} from './tree-entry.js';
export {
  mergeTrees,
  type TreeReader,
  type TreeFile,
  type FileWrite,
  type TreeConflict,
  type ResolvedConflict,
  type TreeMergeResult,
} from './tree-merge.js';
export { followedRenames, type FileRename, type SideRenames } from './rename-merge.js';
