import { TroupeError } from '../domain/index.js';
import { applyPatchTool, patchPaths } from './builtins/index.js';
import type { AnyToolSpec } from './types.js';

/**
 * The sandbox paths a call names in its input, for the static check of a
 * step (`ToolRunner.check`): the paths a patch changes, found in its
 * `patch` text, else the top-level `path` by convention. `problem` when the
 * field cannot be read (a patch that is not a unified diff); null when the
 * input names no path.
 *
 * @example
 * writtenPaths(writeFileTool, { path: 'src/a.ts', content: '' }); // { field: 'path', paths: ['src/a.ts'] }
 */
export function writtenPaths(
  tool: AnyToolSpec,
  input: unknown,
): { field: string; paths: string[]; problem?: string } | null {
  const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  if (tool === applyPatchTool) {
    const patch = record['patch'];
    if (typeof patch !== 'string') return null;
    try {
      return { field: 'patch', paths: patchPaths(patch) };
    } catch (error) {
      // the parser's one issue, without its own `patch:` prefix: the check names the field
      const issue =
        error instanceof TroupeError
          ? (error.details?.['issues'] as { message: string }[] | undefined)?.[0]?.message
          : undefined;
      return { field: 'patch', paths: [], problem: issue ?? String(error) };
    }
  }
  const path = record['path'];
  return typeof path === 'string' ? { field: 'path', paths: [path] } : null;
}
