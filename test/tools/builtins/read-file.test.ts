import { execFileSync } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_RANGED_READ_BYTES, MAX_READ_BYTES, ToolRunner } from '../../../src/tools/index.js';
import { tempSandbox, toolContext } from '../helpers.js';

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({
    'src/a.ts': 'export const a = "é";\n',
    'bin/blob': Buffer.from([0xff, 0xfe, 0x00, 0x01]),
    'nul.txt': 'a\u0000b',
  });
});
afterEach(() => sandbox.cleanup());

const read = (path: string, phase: 'strategize' | 'execute' = 'strategize') =>
  new ToolRunner().run('fs/read-file', { path }, toolContext(sandbox.root, { phase }));

describe('fs/read-file', () => {
  it('reads UTF-8 text, counting bytes', async () => {
    expect(await read('src/a.ts')).toEqual({
      success: true,
      output: { path: 'src/a.ts', content: 'export const a = "é";\n', bytes: 23, encoding: 'utf8', totalLines: 1 },
    });
  });

  it('normalises the path it reports', async () => {
    expect(await read('./src//a.ts')).toMatchObject({ output: { path: 'src/a.ts' } });
  });

  it('returns binary content as base64', async () => {
    expect(await read('bin/blob')).toEqual({
      success: true,
      output: { path: 'bin/blob', content: '//4AAQ==', bytes: 4, encoding: 'base64' },
    });
  });

  it('treats valid UTF-8 with a NUL byte as binary', async () => {
    expect(await read('nul.txt')).toMatchObject({
      output: { content: Buffer.from('a\u0000b').toString('base64'), encoding: 'base64' },
    });
  });

  it('fails clearly for a missing file', async () => {
    expect(await read('src/missing.ts')).toEqual({
      success: false,
      error: {
        code: 'TOOL_FAILED',
        message: 'cannot read "src/missing.ts": no such file',
        details: { path: 'src/missing.ts', errno: 'ENOENT' },
      },
    });
  });

  it('fails clearly for a directory', async () => {
    expect(await read('src')).toMatchObject({
      success: false,
      error: {
        code: 'TOOL_FAILED',
        message: 'cannot read "src": it is a directory',
        hint: expect.stringContaining('fs/list-files'),
      },
    });
  });

  it('refuses a file larger than 5 MiB', async () => {
    await writeFile(join(sandbox.root, 'big.bin'), Buffer.alloc(MAX_READ_BYTES + 1));
    expect(await read('big.bin')).toMatchObject({
      success: false,
      error: { code: 'TOOL_FAILED', message: expect.stringContaining('5 MiB') },
    });
    await writeFile(join(sandbox.root, 'edge.txt'), Buffer.alloc(MAX_READ_BYTES, 'a'));
    expect(await read('edge.txt')).toMatchObject({
      success: true,
      output: { bytes: MAX_READ_BYTES, encoding: 'utf8' },
    });
  });

  it('refuses a FIFO instead of blocking on it', async () => {
    execFileSync('mkfifo', [join(sandbox.root, 'pipe')]);
    expect(await read('pipe')).toMatchObject({
      error: { code: 'TOOL_FAILED', message: 'cannot read "pipe": it is not a regular file' },
    });
  });

  it('reads through a symlink that stays inside the sandbox', async () => {
    await symlink('src/a.ts', join(sandbox.root, 'link.ts'));
    expect(await read('link.ts')).toMatchObject({
      success: true,
      output: { path: 'link.ts', content: 'export const a = "é";\n' },
    });
  });

  describe('a range of lines', () => {
    const lines = Array.from({ length: 10 }, (_, index) => `line ${index + 1}\n`).join('');
    const ranged = (input: Record<string, unknown>) =>
      new ToolRunner().run(
        'fs/read-file',
        { path: 'ten.txt', ...input },
        toolContext(sandbox.root, { phase: 'strategize' }),
      );
    beforeEach(() => writeFile(join(sandbox.root, 'ten.txt'), lines));

    it('returns lines offset… (from 1), limit of them, each with its line end, and how many the file has', async () => {
      expect(await ranged({ offset: 3, limit: 2 })).toEqual({
        success: true,
        output: {
          path: 'ten.txt',
          content: 'line 3\nline 4\n',
          bytes: 14,
          encoding: 'utf8',
          offset: 3,
          lines: 2,
          totalLines: 10,
        },
      });
      expect(await ranged({ offset: 9 })).toMatchObject({
        output: { content: 'line 9\nline 10\n', offset: 9, lines: 2, totalLines: 10 },
      });
      expect(await ranged({ limit: 1 })).toMatchObject({ output: { content: 'line 1\n', offset: 1, lines: 1 } });
    });

    it('pages through a file: the pages joined are the file', async () => {
      const pages: string[] = [];
      for (let offset = 1; offset <= 10; offset += 3) {
        const page = await ranged({ offset, limit: 3 });
        pages.push((page as { output: { content: string } }).output.content);
      }
      expect(pages.join('')).toBe(lines);
    });

    it('counts a last line without a line end, and none past the end', async () => {
      await writeFile(join(sandbox.root, 'ten.txt'), 'a\nb');
      expect(await ranged({ offset: 2 })).toMatchObject({ output: { content: 'b', lines: 1, totalLines: 2 } });
      expect(await ranged({ offset: 5 })).toMatchObject({ output: { content: '', lines: 0, totalLines: 2 } });
      await writeFile(join(sandbox.root, 'ten.txt'), '');
      expect(await ranged({ offset: 1 })).toMatchObject({ output: { content: '', lines: 0, totalLines: 0 } });
    });

    it('refuses a range of a binary file, and a line number that is not a positive integer', async () => {
      expect(
        await new ToolRunner().run('fs/read-file', { path: 'bin/blob', offset: 1 }, toolContext(sandbox.root)),
      ).toMatchObject({
        success: false,
        error: { code: 'TOOL_FAILED', message: 'cannot read lines of "bin/blob": it is not UTF-8 text' },
      });
      expect(await ranged({ offset: 0 })).toMatchObject({
        success: false,
        error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('offset') },
      });
      expect(await ranged({ limit: 1.5 })).toMatchObject({
        success: false,
        error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('limit') },
      });
    });

    it('pages through a text file larger than 5 MiB, a page at a time, up to 64 MiB', async () => {
      const line = `${'x'.repeat(1023)}\n`;
      await writeFile(join(sandbox.root, 'large.txt'), line.repeat(6 * 1024));
      expect(
        await new ToolRunner().run('fs/read-file', { path: 'large.txt' }, toolContext(sandbox.root)),
      ).toMatchObject({
        success: false,
        error: { hint: expect.stringContaining('offset and limit') },
      });
      expect(
        await new ToolRunner().run(
          'fs/read-file',
          { path: 'large.txt', offset: 6000, limit: 2 },
          toolContext(sandbox.root),
        ),
      ).toMatchObject({
        success: true,
        output: { content: line.repeat(2), lines: 2, totalLines: 6 * 1024 },
      });
      expect(
        await new ToolRunner().run('fs/read-file', { path: 'large.txt', offset: 1 }, toolContext(sandbox.root)),
      ).toMatchObject({
        success: false,
        error: {
          code: 'TOOL_FAILED',
          message: expect.stringContaining('more than the 5 MiB'),
          hint: 'ask for fewer lines with limit',
        },
      });
      await writeFile(join(sandbox.root, 'huge.bin'), Buffer.alloc(MAX_RANGED_READ_BYTES + 1));
      expect(
        await new ToolRunner().run('fs/read-file', { path: 'huge.bin', limit: 1 }, toolContext(sandbox.root)),
      ).toMatchObject({
        success: false,
        error: { code: 'TOOL_FAILED', message: expect.stringContaining('64 MiB') },
      });
    });
  });
});
