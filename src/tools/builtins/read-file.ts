import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { TroupeError } from '../../domain/index.js';
import { defineTool } from '../define-tool.js';
import { fsFailure } from './fs-failure.js';
import { displayPath, sandboxPathSchema } from './sandbox-path.js';

/** The largest file `fs/read-file` returns: 5 MiB. */
export const MAX_READ_BYTES = 5 * 1024 * 1024;

/**
 * `fs/read-file {path}`: a file's content as UTF-8 text, or as base64 when
 * it is not valid UTF-8 or contains a NUL byte (binary). Read-only, so it
 * is allowed in every phase. The check and the read are one step
 * (`PathGuard.readFile`): what is read is the file that was checked.
 *
 * @example
 * await runner.run('fs/read-file', { path: 'README.md' }, context);
 * // { success: true, output: { path: 'README.md', content: '# demo\n', bytes: 7, encoding: 'utf8' } }
 */
export const readFileTool = defineTool({
  name: 'fs/read-file',
  description: 'Read a file in the sandbox (UTF-8 text, or base64 for binary content; at most 5 MiB)',
  input: z.strictObject({ path: sandboxPathSchema }),
  sideEffects: [],
  async handler({ path }, { paths }) {
    const shown = displayPath(path);
    // a FIFO is refused, not waited on; a file that grows while read is refused too
    const content = await paths.readFile(path, { maxBytes: MAX_READ_BYTES }).catch((error: unknown) => {
      throw readFailure(error, shown);
    });
    const text = isUtf8(content) && !content.includes(0);
    return {
      path: shown,
      content: content.toString(text ? 'utf8' : 'base64'),
      bytes: content.length,
      encoding: text ? ('utf8' as const) : ('base64' as const),
    };
  },
});

function readFailure(error: unknown, shown: string): TroupeError {
  if ((error as { code?: unknown } | null)?.code === 'EISDIR') {
    return new TroupeError('TOOL_FAILED', `cannot read "${shown}": it is a directory`, {
      hint: 'fs/list-files lists the files in a directory',
      details: { path: shown },
    });
  }
  // the guard says "more than the N allowed"; say it in this tool's words
  const bytes = error instanceof TroupeError ? error.details?.['bytes'] : undefined;
  if (typeof bytes === 'number' && bytes > MAX_READ_BYTES) return tooLarge(shown, bytes);
  return fsFailure(error, 'read', shown);
}

function tooLarge(shown: string, bytes: number): TroupeError {
  return new TroupeError('TOOL_FAILED', `cannot read "${shown}": it is ${bytes} bytes, more than the 5 MiB fs/read-file returns`, {
    hint: 'use shell/run with head, tail or grep to look at part of a large file',
    details: { path: shown, bytes, limit: MAX_READ_BYTES },
  });
}
