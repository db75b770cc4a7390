import { execFileSync } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_READ_BYTES, ToolRunner } from '../../../src/tools/index.js';
import { tempSandbox, toolContext } from '../helpers.js';

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox({ 'src/a.ts': 'export const a = "é";\n', 'bin/blob': Buffer.from([0xff, 0xfe, 0x00, 0x01]), 'nul.txt': 'a\u0000b' });
});
afterEach(() => sandbox.cleanup());

const read = (path: string, phase: 'strategize' | 'execute' = 'strategize') =>
  new ToolRunner().run('fs/read-file', { path }, toolContext(sandbox.root, { phase }));

describe('fs/read-file', () => {
  it('reads UTF-8 text, counting bytes', async () => {
    expect(await read('src/a.ts')).toEqual({
      success: true,
      output: { path: 'src/a.ts', content: 'export const a = "é";\n', bytes: 23, encoding: 'utf8' },
    });
  });

  it('normalises the path it reports', async () => {
    expect(await read('./src//a.ts')).toMatchObject({ output: { path: 'src/a.ts' } });
  });

  it('returns binary content as base64', async () => {
    expect(await read('bin/blob')).toEqual({ success: true, output: { path: 'bin/blob', content: '//4AAQ==', bytes: 4, encoding: 'base64' } });
  });

  it('treats valid UTF-8 with a NUL byte as binary', async () => {
    expect(await read('nul.txt')).toMatchObject({ output: { content: Buffer.from('a\u0000b').toString('base64'), encoding: 'base64' } });
  });

  it('fails clearly for a missing file', async () => {
    expect(await read('src/missing.ts')).toEqual({
      success: false,
      error: { code: 'TOOL_FAILED', message: 'cannot read "src/missing.ts": no such file', details: { path: 'src/missing.ts', errno: 'ENOENT' } },
    });
  });

  it('fails clearly for a directory', async () => {
    expect(await read('src')).toMatchObject({
      success: false,
      error: { code: 'TOOL_FAILED', message: 'cannot read "src": it is a directory', hint: expect.stringContaining('fs/list-files') },
    });
  });

  it('refuses a file larger than 5 MiB', async () => {
    await writeFile(join(sandbox.root, 'big.bin'), Buffer.alloc(MAX_READ_BYTES + 1));
    expect(await read('big.bin')).toMatchObject({ success: false, error: { code: 'TOOL_FAILED', message: expect.stringContaining('5 MiB') } });
    await writeFile(join(sandbox.root, 'edge.txt'), Buffer.alloc(MAX_READ_BYTES, 'a'));
    expect(await read('edge.txt')).toMatchObject({ success: true, output: { bytes: MAX_READ_BYTES, encoding: 'utf8' } });
  });

  it('refuses a FIFO instead of blocking on it', async () => {
    execFileSync('mkfifo', [join(sandbox.root, 'pipe')]);
    expect(await read('pipe')).toMatchObject({ error: { code: 'TOOL_FAILED', message: 'cannot read "pipe": it is not a regular file' } });
  });

  it('reads through a symlink that stays inside the sandbox', async () => {
    await symlink('src/a.ts', join(sandbox.root, 'link.ts'));
    expect(await read('link.ts')).toMatchObject({ success: true, output: { path: 'link.ts', content: 'export const a = "é";\n' } });
  });
});
