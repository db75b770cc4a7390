// The built-in tools (SPEC §7), one file each.
import type { AnyToolSpec } from '../types.js';
import { applyPatchTool } from './apply-patch.js';
import { createCheckpointTool } from './create-checkpoint.js';
import { deleteFileTool } from './delete-file.js';
import { editFileTool } from './edit-file.js';
import { searchFilesTool } from './search-files.js';
import { listFilesTool } from './list-files.js';
import { planSubplanTool } from './plan-subplan.js';
import { readFileTool } from './read-file.js';
import { shellRunTool } from './shell-run.js';
import { shellExecTool } from './shell-exec.js';
import { writeFileTool } from './write-file.js';
import { serviceCaptureTool } from './service-capture.js';

export { deleteFileTool } from './delete-file.js';
export { listFilesTool } from './list-files.js';
export { MAX_RANGED_READ_BYTES, MAX_READ_BYTES, readFileTool } from './read-file.js';
export { MAX_EDITS, editFileTool } from './edit-file.js';
export { applyPatchTool, patchPaths, type PatchedFile } from './apply-patch.js';
export { parseUnifiedDiff, type FilePatch, type PatchHunk, type PatchLine } from './unified-diff.js';
export { applyFilePatch } from './patch-hunks.js';
export { DEFAULT_SEARCH_RESULTS, MAX_SEARCH_RESULTS, searchFilesTool } from './search-files.js';
export { applyTextEdits, type EditedText, type TextEdit } from './text-edits.js';
export { MAX_MATCH_LINE, compilePattern, searchLines, type LinePattern, type TextMatch } from './text-search.js';
export { MAX_LISTED_FILES } from './list-files.js';
export { MAX_WRITE_BYTES, writeFileTool } from './write-file.js';
export { DEFAULT_COMMAND_TIMEOUT_MS, MAX_COMMAND_LENGTH, MAX_COMMAND_TIMEOUT_MS, shellRunTool } from './shell-run.js';
export { MAX_PATH_LENGTH } from './sandbox-path.js';
export { EXEC_OUTPUT_BYTES, shellExecTool } from './shell-exec.js';
export { planSubplanTool } from './plan-subplan.js';
export { createCheckpointTool } from './create-checkpoint.js';
export { serviceCaptureTool } from './service-capture.js';

/**
 * Every built-in tool, in the order of SPEC §7.
 *
 * @example
 * const registry = createToolRegistry(); // holds BUILT_IN_TOOLS
 */
export const BUILT_IN_TOOLS: readonly AnyToolSpec[] = Object.freeze([
  readFileTool,
  listFilesTool,
  searchFilesTool,
  writeFileTool,
  editFileTool,
  applyPatchTool,
  deleteFileTool,
  shellRunTool,
  shellExecTool,
  planSubplanTool,
  createCheckpointTool,
  serviceCaptureTool,
]);
