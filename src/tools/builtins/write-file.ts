import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { fsFailure } from './fs-failure.js';
import { displayPath, sandboxPathSchema } from './sandbox-path.js';

/** The longest content `fs/write-file` accepts: 10 MiB, in characters and in UTF-8 bytes. */
export const MAX_WRITE_BYTES = 10 * 1024 * 1024;

/**
 * `fs/write-file {path, content}`: write UTF-8 text to a file of the
 * sandbox, creating it and its parent directories as needed. Execute
 * only, and `path` must be inside the plan's resourceScopes. An existing
 * file keeps its mode; the check and the write are one step
 * (`PathGuard.writeFile`), so a directory swapped for a symlink meanwhile
 * is refused (`SANDBOX_ESCAPE`), never written through.
 *
 * @example
 * await runner.run('fs/write-file', { path: 'src/hello.ts', content: 'export {};\n' }, context);
 * // { success: true, output: { path: 'src/hello.ts', bytes: 11, created: true } }
 */
export const writeFileTool = defineTool({
  name: 'fs/write-file',
  description: 'Write UTF-8 text to a file in the sandbox, creating the file and its directories if needed',
  input: z.strictObject({
    path: sandboxPathSchema,
    content: z
      .string()
      .max(MAX_WRITE_BYTES)
      // a character can take up to 4 bytes: bound what lands on disk too
      .refine((text) => Buffer.byteLength(text, 'utf8') <= MAX_WRITE_BYTES, {
        error: 'must be at most 10 MiB of UTF-8',
      })
      .meta({ description: 'The whole new content of the file (UTF-8)' }),
  }),
  sideEffects: ['fs_write'],
  async handler({ path, content }, { paths }) {
    const shown = displayPath(path);
    const { created } = await paths.writeFile(path, content).catch((error: unknown) => {
      throw fsFailure(error, 'write', shown);
    });
    return { path: shown, bytes: Buffer.byteLength(content, 'utf8'), created };
  },
});
