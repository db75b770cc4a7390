import { isUtf8 } from 'node:buffer';
import { open, stat } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
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
 * is allowed in every phase.
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
    const absolute = await paths.resolve(path, 'read');
    // stat before open: opening a FIFO for reading would block until a writer comes
    const info = await stat(absolute).catch((error: unknown) => {
      throw fsFailure(error, 'read', shown);
    });
    if (info.isDirectory()) {
      throw new TroupeError('TOOL_FAILED', `cannot read "${shown}": it is a directory`, {
        hint: 'fs/list-files lists the files in a directory',
        details: { path: shown },
      });
    }
    if (!info.isFile()) throw new TroupeError('TOOL_FAILED', `cannot read "${shown}": it is not a regular file`, { details: { path: shown } });
    if (info.size > MAX_READ_BYTES) throw tooLarge(shown, info.size);

    const content = await readAtMost(absolute, info.size, shown);
    const text = isUtf8(content) && !content.includes(0);
    return {
      path: shown,
      content: content.toString(text ? 'utf8' : 'base64'),
      bytes: content.length,
      encoding: text ? ('utf8' as const) : ('base64' as const),
    };
  },
});

// reads the `size` bytes stat saw, refusing a file that grew past it meanwhile
// rather than reading without bound.
async function readAtMost(absolute: string, size: number, shown: string): Promise<Buffer> {
  const handle = await open(absolute, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK).catch((error: unknown) => {
    throw fsFailure(error, 'read', shown);
  });
  try {
    const buffer = Buffer.alloc(size + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > size) {
      throw new TroupeError('TOOL_FAILED', `cannot read "${shown}": it changed while being read`, { details: { path: shown } });
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    throw fsFailure(error, 'read', shown);
  } finally {
    await handle.close();
  }
}

function tooLarge(shown: string, bytes: number): TroupeError {
  return new TroupeError('TOOL_FAILED', `cannot read "${shown}": it is ${bytes} bytes, more than the 5 MiB fs/read-file returns`, {
    hint: 'use shell/run with head, tail or grep to look at part of a large file',
    details: { path: shown, bytes, limit: MAX_READ_BYTES },
  });
}
