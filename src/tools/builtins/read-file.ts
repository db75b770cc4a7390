import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { TroupeError } from '../../domain/index.js';
import { defineTool } from '../define-tool.js';
import { fsFailure } from './fs-failure.js';
import { displayPath, sandboxPathSchema } from './sandbox-path.js';

/** The largest file `fs/read-file` returns: 5 MiB. */
export const MAX_READ_BYTES = 5 * 1024 * 1024;

/** The largest file `fs/read-file` pages through with `offset`/`limit`: 64 MiB (a page is still at most 5 MiB). */
export const MAX_RANGED_READ_BYTES = 64 * 1024 * 1024;

const lineNumber = z.number().int().positive().max(100_000_000);

/**
 * `fs/read-file {path, offset?, limit?}`: a file's content as UTF-8 text, or
 * as base64 when it is not valid UTF-8 or contains a NUL byte (binary).
 * With `offset` (the first line, from 1) or `limit` (how many lines), only
 * those lines of a text file, each with its line end, and `totalLines` so a
 * reader can page; a ranged read takes files up to 64 MiB. Read-only, so it
 * is allowed in every phase. The check and the read are one step
 * (`PathGuard.readFile`): what is read is the file that was checked.
 *
 * @example
 * await runner.run('fs/read-file', { path: 'README.md' }, context);
 * // { success: true, output: { path: 'README.md', content: '# demo\n', bytes: 7, encoding: 'utf8', totalLines: 1 } }
 * await runner.run('fs/read-file', { path: 'src/big.ts', offset: 201, limit: 100 }, context);
 * // output: { …, content: lines 201–300, offset: 201, lines: 100, totalLines: 1234 }
 */
export const readFileTool = defineTool({
  name: 'fs/read-file',
  description:
    'Read a file in the sandbox (UTF-8 text, or base64 for binary content; at most 5 MiB), or the lines offset… of a text file (limit lines; files up to 64 MiB)',
  input: z.strictObject({
    path: sandboxPathSchema,
    offset: lineNumber.optional().meta({ description: 'The first line to return, counting from 1' }),
    limit: lineNumber.optional().meta({ description: 'How many lines to return (default: to the end)' }),
  }),
  sideEffects: [],
  async handler({ path, offset, limit }, { paths }) {
    const shown = displayPath(path);
    const ranged = offset !== undefined || limit !== undefined;
    const maxBytes = ranged ? MAX_RANGED_READ_BYTES : MAX_READ_BYTES;
    // a FIFO is refused, not waited on; a file that grows while read is refused too
    const content = await paths.readFile(path, { maxBytes }).catch((error: unknown) => {
      throw readFailure(error, shown, maxBytes);
    });
    const text = isUtf8(content) && !content.includes(0);
    if (!text) {
      if (ranged)
        throw new TroupeError('TOOL_FAILED', `cannot read lines of "${shown}": it is not UTF-8 text`, {
          hint: 'read it whole (no offset or limit) to get it as base64',
          details: { path: shown },
        });
      return { path: shown, content: content.toString('base64'), bytes: content.length, encoding: 'base64' as const };
    }
    const whole = content.toString('utf8');
    const lines = splitLines(whole);
    if (!ranged)
      return {
        path: shown,
        content: whole,
        bytes: content.length,
        encoding: 'utf8' as const,
        totalLines: lines.length,
      };
    const first = offset ?? 1;
    const page = lines.slice(first - 1, limit === undefined ? undefined : first - 1 + limit);
    const pageText = page.join('');
    const bytes = Buffer.byteLength(pageText, 'utf8');
    if (bytes > MAX_READ_BYTES) {
      throw new TroupeError(
        'TOOL_FAILED',
        `cannot read lines ${first}–${first + page.length - 1} of "${shown}": they are ${bytes} bytes, more than the 5 MiB fs/read-file returns`,
        {
          hint: 'ask for fewer lines with limit',
          details: { path: shown, bytes, limit: MAX_READ_BYTES },
        },
      );
    }
    return {
      path: shown,
      content: pageText,
      bytes,
      encoding: 'utf8' as const,
      offset: first,
      lines: page.length,
      totalLines: lines.length,
    };
  },
});

// lines with their ends ("a\nb" is two lines, "a\n" one, "" none), so a page's lines joined are the file's text
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function readFailure(error: unknown, shown: string, maxBytes: number): TroupeError {
  if ((error as { code?: unknown } | null)?.code === 'EISDIR') {
    return new TroupeError('TOOL_FAILED', `cannot read "${shown}": it is a directory`, {
      hint: 'fs/list-files lists the files in a directory',
      details: { path: shown },
    });
  }
  // the guard says "more than the N allowed"; say it in this tool's words
  const bytes = error instanceof TroupeError ? error.details?.['bytes'] : undefined;
  if (typeof bytes === 'number' && bytes > maxBytes) return tooLarge(shown, bytes, maxBytes);
  return fsFailure(error, 'read', shown);
}

function tooLarge(shown: string, bytes: number, maxBytes: number): TroupeError {
  const ranged = maxBytes === MAX_RANGED_READ_BYTES;
  return new TroupeError(
    'TOOL_FAILED',
    `cannot read "${shown}": it is ${bytes} bytes, more than the ${ranged ? '64 MiB fs/read-file pages through' : '5 MiB fs/read-file returns'}`,
    {
      hint: ranged
        ? 'use shell/run with head, tail or grep to look at part of a file this large'
        : 'read it a page at a time with offset and limit (in lines), or use shell/run with head, tail or grep',
      details: { path: shown, bytes, limit: maxBytes },
    },
  );
}
