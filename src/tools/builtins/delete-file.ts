import { z } from 'zod';
import { TroupeError } from '../../domain/index.js';
import { defineTool } from '../define-tool.js';
import { fsFailure } from './fs-failure.js';
import { displayPath, sandboxPathSchema } from './sandbox-path.js';

/**
 * `fs/delete-file {path}`: remove one file (or symlink, not its target) from
 * the sandbox. The file must exist and must not be a directory. Execute
 * only, and `path` must be inside the plan's resourceScopes. The check and
 * the unlink are one step (`PathGuard.deleteFile`).
 *
 * @example
 * await runner.run('fs/delete-file', { path: 'src/old.ts' }, context);
 * // { success: true, output: { path: 'src/old.ts', deleted: true } }
 */
export const deleteFileTool = defineTool({
  name: 'fs/delete-file',
  description: 'Delete a file from the sandbox (not a directory)',
  input: z.strictObject({ path: sandboxPathSchema }),
  sideEffects: ['fs_write'],
  async handler({ path }, { paths }) {
    const shown = displayPath(path);
    await paths.deleteFile(path).catch((error: unknown) => {
      if ((error as { code?: unknown } | null)?.code === 'EISDIR') {
        throw new TroupeError('TOOL_FAILED', `cannot delete "${shown}": it is a directory`, {
          hint: 'delete the files in it one by one, or use shell/run',
          details: { path: shown },
        });
      }
      throw fsFailure(error, 'delete', shown);
    });
    return { path: shown, deleted: true as const };
  },
});
