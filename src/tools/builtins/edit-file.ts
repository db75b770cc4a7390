import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { TroupeError } from '../../domain/index.js';
import { defineTool } from '../define-tool.js';
import { fsFailure } from './fs-failure.js';
import { displayPath, sandboxPathSchema } from './sandbox-path.js';
import { applyTextEdits } from './text-edits.js';
import { MAX_WRITE_BYTES } from './write-file.js';

/** The most edits one `fs/edit-file` call applies. */
export const MAX_EDITS = 100;

const editText = z.string().max(MAX_WRITE_BYTES);

/**
 * `fs/edit-file {path, edits: [{oldText, newText, replaceAll?}]}`: exact-text
 * replacements in an existing UTF-8 file, applied in order and all or
 * nothing — one step, one commit, without resending the whole file. An
 * `oldText` that is missing, or found more than once without `replaceAll`,
 * is a VALIDATION_ERROR naming the edit, and the file is not touched.
 * Execute only, and `path` must be inside the plan's resourceScopes; the
 * file keeps its mode.
 *
 * @example
 * await runner.run('fs/edit-file', { path: 'src/a.ts', edits: [{ oldText: 'a = 1', newText: 'a = 2' }] }, context);
 * // { success: true, output: { path: 'src/a.ts', edits: 1, replacements: 1, bytes: 7 } }
 */
export const editFileTool = defineTool({
  name: 'fs/edit-file',
  description: 'Replace exact text in a file of the sandbox: edits applied in order, all or nothing, as one step',
  input: z.strictObject({
    path: sandboxPathSchema,
    edits: z
      .array(
        z.strictObject({
          oldText: editText
            .min(1)
            .meta({ description: 'Text to find, exactly as in the file (whitespace and line ends included)' }),
          newText: editText.meta({ description: 'What replaces it' }),
          replaceAll: z
            .boolean()
            .optional()
            .meta({ description: 'Replace every occurrence (default: oldText must occur exactly once)' }),
        }),
      )
      .min(1)
      .max(MAX_EDITS),
  }),
  sideEffects: ['fs_write'],
  async handler({ path, edits }, { paths }) {
    const shown = displayPath(path);
    const before = await paths.readFile(path, { maxBytes: MAX_WRITE_BYTES }).catch((error: unknown) => {
      throw fsFailure(error, 'edit', shown);
    });
    if (!isUtf8(before) || before.includes(0)) {
      throw new TroupeError('TOOL_FAILED', `cannot edit "${shown}": it is not UTF-8 text`, {
        hint: 'fs/write-file replaces a whole file; binary files are changed by commands',
        details: { path: shown },
      });
    }
    const { text, replacements } = applyTextEdits(before.toString('utf8'), edits, shown);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_WRITE_BYTES) {
      throw new TroupeError(
        'TOOL_FAILED',
        `cannot edit "${shown}": the result would be ${bytes} bytes, more than the 10 MiB a file tool writes`,
        {
          details: { path: shown, bytes, limit: MAX_WRITE_BYTES },
        },
      );
    }
    await paths.writeFile(path, text).catch((error: unknown) => {
      throw fsFailure(error, 'write', shown);
    });
    return { path: shown, edits: edits.length, replacements, bytes };
  },
});
